/**
 * `pnpm check:packages` (part of `npm test`): packs every public workspace package
 * exactly as it would be published and checks the tarball, after `pnpm build`:
 *
 * - no benchmark, test, or test-fixture file is inside (`bench/`, `tests/`,
 *   `test-fixtures/`, `*.test.*`), nor tsc's build state (`.tsbuildinfo`): those never ship;
 * - `publint run --strict`: the package.json fields and files agree (any warning fails);
 * - `attw --profile esm-only` (@arethetypeswrong/cli): every `exports` entry resolves
 *   to types and JavaScript for ESM consumers under node16/nodenext and bundler
 *   resolution. The packages are ESM only (`"type": "module"`, an `import` condition
 *   only, and ESM-only dependencies such as vega), so the profile leaves out what they
 *   do not offer: `require` from CommonJS and TypeScript's node10 resolution, which
 *   ignores `exports` and so cannot see subpath entries such as `@converge/analyzers/stats`.
 *
 * The tarballs come from `pnpm pack`, which rewrites `workspace:*` ranges as
 * publishing does (`npm pack`, which `attw --pack` runs, would leave them). Plain
 * Node ESM; exits 1 when any package fails, with the failing tool's report.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { ROOT, workspacePackages } from "./workspace-packages.mjs";

const env = {
  ...process.env,
  PATH: [join(ROOT, "node_modules", ".bin"), process.env.PATH ?? ""].join(delimiter),
};
/** Paths that are benchmark or test code or build state, wherever they sit in a tarball. */
const NOT_SHIPPED =
  /(^|\/)(bench|tests|test-fixtures)\/|\.test\.[cm]?[jt]s(\.map)?$|\.tsbuildinfo$/;

/** Directories of the workspace packages that are not `"private": true`. */
function publicPackages() {
  return workspacePackages()
    .filter((p) => p.manifest.private !== true)
    .map(({ name, dir }) => ({ name, dir }));
}

/** Runs a tool; its output is kept and shown only when it fails. */
function run(command, args, cwd) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd, env });
    let output = "";
    child.stdout.on("data", (chunk) => (output += chunk));
    child.stderr.on("data", (chunk) => (output += chunk));
    child.on("error", (error) => resolve({ ok: false, output: `${output}${error.message}` }));
    child.on("close", (code) => resolve({ ok: code === 0, output }));
  });
}

/** Packs one package and checks its tarball; returns the problems found. */
async function checkPackage(pkg, out) {
  const packed = await run("pnpm", ["pack", "--json", "--pack-destination", out], pkg.dir);
  if (!packed.ok) return [`pnpm pack failed:\n${packed.output}`];
  const { filename, files } = JSON.parse(packed.output.slice(packed.output.indexOf("{")));
  const problems = [];
  const stray = files.map((f) => f.path).filter((path) => NOT_SHIPPED.test(path));
  if (stray.length > 0) problems.push(`files that must not ship: ${stray.join(", ")}`);
  const attwArgs = ["--profile", "esm-only", "--format", "ascii", "--no-color", "--no-emoji"];
  const [publint, attw] = await Promise.all([
    run("publint", ["run", "--strict", filename], ROOT),
    run("attw", [filename, ...attwArgs], ROOT),
  ]);
  if (!publint.ok) problems.push(`publint --strict:\n${publint.output}`);
  if (!attw.ok) problems.push(`attw --profile esm-only:\n${attw.output}`);
  return problems;
}

const out = mkdtempSync(join(tmpdir(), "converge-pack-"));
let failed = 0;
try {
  // Packages are independent: check them side by side, report in a fixed order.
  const packages = publicPackages();
  const results = await Promise.all(packages.map((pkg) => checkPackage(pkg, out)));
  packages.forEach((pkg, i) => {
    const problems = results[i] ?? [];
    if (problems.length === 0) {
      console.log(`check-packages: ${pkg.name} ok (packed, publint --strict, attw esm-only)`);
      return;
    }
    failed++;
    console.error(`check-packages: ${pkg.name} FAILED\n${problems.join("\n")}`);
  });
} finally {
  rmSync(out, { recursive: true, force: true });
}
if (failed > 0) {
  console.error(
    `check-packages: ${failed} package(s) failed (it checks dist: run \`pnpm -s build\` first)`,
  );
  process.exitCode = 1;
}
