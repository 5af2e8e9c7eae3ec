import { readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

const packages = fileURLToPath(new URL("./packages/", import.meta.url));

/**
 * Each entry of each workspace package (`@converge/analyzers`,
 * `@converge/analyzers/stats`, ...) mapped to its source file, read from the
 * package's `exports` map (`./dist/x/index.js` is `src/x/index.ts`), so a new
 * subpath entry needs no edit here. Exact matches: a root entry must not
 * swallow its subpaths.
 */
function sourceAliases(): { find: RegExp; replacement: string }[] {
  const aliases: { find: RegExp; replacement: string }[] = [];
  for (const dir of readdirSync(packages)) {
    const manifest = JSON.parse(readFileSync(`${packages}${dir}/package.json`, "utf8")) as {
      name: string;
      exports?: Record<string, { import: string }>;
    };
    for (const [subpath, target] of Object.entries(manifest.exports ?? {})) {
      const specifier = manifest.name + subpath.slice(1);
      const source = target.import.replace(/^\.\/dist\//, "src/").replace(/\.js$/, ".ts");
      aliases.push({
        find: new RegExp(`^${specifier.replace(/[/.]/g, "\\$&")}$`),
        replacement: `${packages}${dir}/${source}`,
      });
    }
  }
  return aliases;
}

export default defineConfig({
  resolve: {
    // Tests run against the sources of sibling packages, not their last build.
    alias: sourceAliases(),
  },
  test: {
    include: ["packages/*/src/**/*.test.ts", "apps/*/src/**/*.test.ts", "scripts/**/*.test.ts"],
    reporters: ["default", "./scripts/summary-reporter.ts"],
    testTimeout: 60_000,
    // The built `converge` keeps a V8 code cache (packages/cli/src/code-cache.ts); under
    // test it goes to the temporary directory, never to the user's ~/.cache.
    env: { CONVERGE_CODE_CACHE: join(tmpdir(), "converge-test-code-cache") },
    hookTimeout: 60_000,
  },
});
