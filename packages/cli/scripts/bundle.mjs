/**
 * Bundles the `converge` binary. Run by `pnpm build` after tsc, which builds
 * the library surface (src/index.ts); the binary's own entry files
 * (src/bin.ts, src/cli-main.ts, src/code-cache.ts) are left out of tsc's build.
 *
 * - dist/cli.cjs: src/cli-main.ts and everything it loads (the workspace
 *   packages from their built dist/, and their dependencies), CommonJS, with
 *   one chunk per dynamic import in dist/chunks/.
 * - dist/bin.js: src/bin.ts, which turns on the V8 code cache for those
 *   chunks (src/code-cache.ts) and loads dist/cli.cjs.
 *
 * Why: the commands start several times faster bundled. Node resolves and
 * compiles each ES module file on its own (zod alone is 240 files), and mathjs
 * evaluates the whole library for any import from it; the bundle is a handful
 * of files, and tree-shaking keeps only the mathjs factories the analyzers
 * use. Each command's action sits behind a dynamic import, so `converge list`
 * loads neither the analyzers, the reporters (vega), the LLM SDKs nor the
 * MLflow client. CommonJS, because Node 20 caches compiled code only for
 * scripts (vm.Script cachedData), not for ES modules. Not minified: error
 * stacks (CONVERGE_DEBUG=1) stay readable, and minifying measured no faster.
 */
import { rmSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { build } from "rolldown";

const root = fileURLToPath(new URL("..", import.meta.url));
// Chunks of an earlier build that this one no longer has must not stay behind.
rmSync(new URL("../dist/chunks", import.meta.url), { recursive: true, force: true });

const common = {
  cwd: root,
  platform: "node",
  // The sources import "./x.js" for "./x.ts", as tsc's NodeNext resolution has it.
  resolve: { extensionAlias: { ".js": [".ts", ".js"] } },
  // Node's built-in modules are never bundled.
  external: [/^node:/],
  logLevel: "warn",
};

/**
 * vega-canvas looks for the optional `canvas` package with a top-level await,
 * which CommonJS cannot hold. The reports render with `renderer: "none"` and
 * their own text measure, and `canvas` is not installed: vega-canvas's answer
 * is always "no canvas", which this stand-in gives.
 */
const noCanvas = {
  name: "converge-no-canvas",
  load(id) {
    if (!/[\\/]vega-canvas[\\/]/.test(id)) return null;
    return "export function canvas() { return null; }\nexport function image() { return null; }\n";
  },
};

await build({
  ...common,
  input: { cli: "src/cli-main.ts" },
  plugins: [noCanvas],
  output: {
    dir: "dist",
    format: "cjs",
    entryFileNames: "[name].cjs",
    // No content hash in the names: the code cache keeps one file per chunk path.
    chunkFileNames: "chunks/[name].cjs",
  },
});

await build({
  ...common,
  input: { bin: "src/bin.ts" },
  // dist/cli.cjs is the bundle above, loaded at run time.
  external: [/^node:/, /\.cjs$/],
  output: { dir: "dist", format: "esm", entryFileNames: "[name].js" },
});
