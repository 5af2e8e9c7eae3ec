/**
 * The workspace's packages and apps, read from their package.json files, for
 * the repository scripts (`pnpm bench`, `pnpm check:packages`). Plain Node ESM:
 * runs without a build.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** The repository root. */
export const ROOT = fileURLToPath(new URL("..", import.meta.url));

/**
 * Every package under packages/ and apps/, sorted by directory name: `short` is
 * the directory name, `name` the package name, `dir` its absolute path and
 * `manifest` its parsed package.json.
 * @returns {{ short: string, name: string, dir: string, manifest: Record<string, any> }[]}
 */
export function workspacePackages() {
  const found = [];
  for (const group of ["packages", "apps"]) {
    const base = join(ROOT, group);
    if (!existsSync(base)) continue;
    for (const short of readdirSync(base).sort()) {
      const file = join(base, short, "package.json");
      if (!existsSync(file)) continue;
      const manifest = JSON.parse(readFileSync(file, "utf8"));
      found.push({ short, name: manifest.name, dir: join(base, short), manifest });
    }
  }
  return found;
}
