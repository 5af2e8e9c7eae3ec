/**
 * Each command loads only what it needs: the built binary (the bundle users
 * get) is run under two hooks that record every module Node resolves, an ES
 * module loader hook (--import) and a CommonJS one (--require: the bundle's
 * chunks are CommonJS); for a bundle chunk, the source modules it holds are
 * read from the path comments the bundler writes above each one. `list` and
 * `show` must load neither the analyzers (mathjs), the reporters (vega), the
 * LLM SDKs nor the MLflow client; the other commands load what they use,
 * which also shows that the check sees a package when it is there.
 */
import { copyFileSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { isAbsolute, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { removeTempDirs, runCli, tempDir } from "./test-fixtures/run-cli.js";

afterAll(removeTempDirs);

const FIXTURES = fileURLToPath(new URL("./bench/fixtures/", import.meta.url));
const EXPERIMENT = "demo_seed43_20261204_172114_905";
const DIST = fileURLToPath(new URL("../dist/", import.meta.url));

/** What a module path is, by the package it comes from. */
const PACKAGES = {
  mathjs: /\/node_modules\/mathjs\/|\/typed-function\//,
  vega: /\/node_modules\/vega(-lite)?\/|\/node_modules\/vega-[a-z-]+\//,
  openai: /\/node_modules\/openai\//,
  anthropic: /\/node_modules\/@anthropic-ai\//,
  undici: /\/node_modules\/undici\//,
  analyzers: /(^|\/)analyzers\/(dist|src)\//,
  reporters: /(^|\/)reporters\/(dist|src)\//,
  "llm-adapters": /(^|\/)llm-adapters\/(dist|src)\//,
  "storage-mlflow": /(^|\/)storage-mlflow\/(dist|src)\//,
  "cli-progress": /\/node_modules\/cli-progress\//,
  yaml: /\/node_modules\/yaml\//,
} as const;
type Package = keyof typeof PACKAGES;

let dir: string;
let hook: string;
let preload: string;
let log: string;

beforeAll(() => {
  dir = tempDir();
  for (const file of readdirSync(FIXTURES)) copyFileSync(join(FIXTURES, file), join(dir, file));
  log = join(dir, "resolved.txt");
  // Registered by --import: every resolution of the run is appended to the log.
  const hooks = `import { appendFileSync } from "node:fs";
export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  appendFileSync(${JSON.stringify(log)}, result.url + "\\n");
  return result;
}`;
  hook = join(dir, "record-imports.mjs");
  writeFileSync(
    hook,
    `import { register } from "node:module";\nregister(${JSON.stringify(`data:text/javascript,${encodeURIComponent(hooks)}`)});\n`,
  );
  preload = join(dir, "record-requires.cjs");
  writeFileSync(
    preload,
    `const Module = require("node:module");
const { appendFileSync } = require("node:fs");
const resolveFilename = Module._resolveFilename;
Module._resolveFilename = function (...args) {
  const file = resolveFilename.apply(this, args);
  appendFileSync(${JSON.stringify(log)}, file + "\\n");
  return file;
};
`,
  );
});

/** Runs a command under the hook; the packages of every module it loaded. */
function packagesLoaded(args: string[]): Set<Package> {
  writeFileSync(log, "");
  const r = runCli([...args, "--store", `jsonl:${dir}`], {
    nodeArgs: ["--require", preload, "--import", pathToFileURL(hook).href],
    cwd: dir,
  });
  expect(r.stderr).toBe("");
  expect(r.code).toBe(0);
  const modules: string[] = [];
  for (const line of readFileSync(log, "utf8").split("\n")) {
    // file: URLs from the ES module hook, absolute paths from the CommonJS one.
    const path = line.startsWith("file:") ? fileURLToPath(line) : line;
    if (!isAbsolute(path)) continue;
    modules.push(path);
    // A chunk of the bundle: the modules in it, from the comments above each.
    if (path.startsWith(DIST)) {
      for (const m of readFileSync(path, "utf8").matchAll(/^\/\/ (\S+\.[cm]?js)$/gm)) {
        modules.push(m[1] as string);
      }
    }
  }
  const found = new Set<Package>();
  for (const [name, pattern] of Object.entries(PACKAGES) as [Package, RegExp][]) {
    if (modules.some((m) => pattern.test(m.replaceAll("\\", "/")))) found.add(name);
  }
  return found;
}

const HEAVY: Package[] = Object.keys(PACKAGES) as Package[];

describe("the modules each command loads (the built binary)", () => {
  it("list loads no analyzers, reporters, LLM SDK, MLflow client, progress bar or YAML", () => {
    expect([...packagesLoaded(["list"])]).toEqual([]);
  });

  it("show loads none of them either", () => {
    expect([...packagesLoaded(["show", EXPERIMENT])]).toEqual([]);
  });

  it("analyze loads the analyzers and mathjs, and no reporters, LLM SDK or MLflow client", () => {
    const loaded = packagesLoaded(["analyze", EXPERIMENT]);
    expect(loaded).toContain("analyzers");
    expect(loaded).toContain("mathjs");
    expect(HEAVY.filter((p) => loaded.has(p) && p !== "analyzers" && p !== "mathjs")).toEqual([]);
  });

  it("advise with the rule advisor loads no LLM SDK (the adapters only for --provider)", () => {
    const loaded = packagesLoaded(["advise", EXPERIMENT]);
    expect(loaded).toContain("analyzers");
    for (const p of ["openai", "anthropic", "llm-adapters", "vega", "reporters", "undici"]) {
      expect(loaded).not.toContain(p);
    }
  });

  it("report loads vega through the reporters, and no LLM SDK or MLflow client", () => {
    const loaded = packagesLoaded(["report", EXPERIMENT, "-o", join(dir, "report.html")]);
    expect(loaded).toContain("reporters");
    expect(loaded).toContain("vega");
    for (const p of ["openai", "anthropic", "llm-adapters", "storage-mlflow", "undici"]) {
      expect(loaded).not.toContain(p);
    }
  });
});

describe("the packages the bundled binary reads files of", () => {
  it("declares vega, vega-lite and vega-embed at the reporters' versions", () => {
    // The interactive report inlines these packages' browser bundles, found by
    // require.resolve from where the code runs: in the bundle, the CLI package.
    const manifest = (path: string) =>
      JSON.parse(readFileSync(new URL(path, import.meta.url), "utf8")) as {
        dependencies: Record<string, string>;
      };
    const cli = manifest("../package.json").dependencies;
    const reporters = manifest("../../reporters/package.json").dependencies;
    for (const pkg of ["vega", "vega-lite", "vega-embed"]) {
      expect(cli[pkg], pkg).toBeDefined();
      expect(cli[pkg], pkg).toBe(reporters[pkg]);
    }
  });
});
