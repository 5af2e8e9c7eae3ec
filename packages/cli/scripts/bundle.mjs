/**
 * Bundles the `converge` binary: src/bin.ts and everything it loads (the
 * workspace packages from their built dist/, and their dependencies) into
 * dist/bin.js, with one chunk per dynamic import in dist/chunks/. Run by
 * `pnpm build` after tsc, which builds the library surface (src/index.ts);
 * src/bin.ts is left out of tsc's build so that the bundle owns dist/bin.js.
 *
 * Why: the commands start several times faster bundled. Node resolves and
 * compiles each ES module file on its own (zod alone is 240 files), and
 * mathjs evaluates the whole library for any import from it; the bundle is a
 * handful of files, and tree-shaking keeps only the mathjs functions the
 * analyzers call. Each command's action sits behind a dynamic import, so
 * `converge list` loads neither the analyzers, the reporters (vega), the LLM
 * SDKs nor the MLflow client. Not minified: error stacks (CONVERGE_DEBUG=1)
 * stay readable, and minifying measured no faster start.
 */
import { rmSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { build } from "rolldown";

const root = fileURLToPath(new URL("..", import.meta.url));
// Chunks of an earlier build would otherwise pile up beside the new ones.
rmSync(new URL("../dist/chunks", import.meta.url), { recursive: true, force: true });

await build({
  cwd: root,
  input: { bin: "src/bin.ts" },
  platform: "node",
  // The sources import "./x.js" for "./x.ts", as tsc's NodeNext resolution has it.
  resolve: { extensionAlias: { ".js": [".ts", ".js"] } },
  // Node's built-in modules are never bundled.
  external: [/^node:/],
  logLevel: "warn",
  output: {
    dir: "dist",
    format: "esm",
    entryFileNames: "[name].js",
    chunkFileNames: "chunks/[name]-[hash].js",
  },
});
