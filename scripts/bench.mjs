/**
 * `pnpm bench [-- --only analyzers,reporters]`: builds the benchmarked packages, runs
 * each package's own `bench` script in turn (their detailed tables stream through as
 * they are), then prints one table of every benchmark's measurement, same-run baseline,
 * ratio and target side by side, and a last line "N targets met, M missed".
 *
 * A package's benchmark lives in its src/bench and is never published: the package build
 * excludes it, and the package's `bench` script compiles it on its own (tsconfig.bench.json,
 * into the git-ignored dist-bench/) before running it.
 *
 * Each bench appends its rows as JSON lines to the file named by CONVERGE_BENCH_RESULTS
 * (`reportBenchRows` of @converge/bench-kit); rows are parsed and rendered by ./bench-table.mjs.
 * A missed target is reported, not an error: the exit code is 0 unless the build or a
 * bench crashed. A bench that cannot run here (MLflow without its venv, outside CI)
 * reports itself SKIPPED with the reason.
 *
 * Plain Node ESM: runs without a build. The size knob that exists stays where it is:
 * BENCH_ITERATIONS for storage-mlflow (the environment is passed through).
 */
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { parseResults, renderTable, summaryLine } from "./bench-table.mjs";
import { ROOT, workspacePackages } from "./workspace-packages.mjs";

const USAGE = `usage: pnpm bench [-- --only <package>[,<package>...]]
  --only   run these packages' benchmarks (short or full names, e.g. analyzers,@converge/reporters)
There is no --quick: the benchmarks have fixed sizes (their targets are stated for them),
except storage-mlflow's BENCH_ITERATIONS (default 1000), which passes through the environment.`;

/** Packages (and apps) whose package.json has a `bench` script, by directory name. */
function benchPackages() {
  return workspacePackages()
    .filter((p) => p.manifest.scripts?.bench)
    .map(({ short, name, dir }) => ({ short, name, dir }));
}

function parseArgs(argv) {
  const options = { only: null };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--") continue; // `pnpm bench -- --only x` may pass the separator through
    if (arg === "--help" || arg === "-h") {
      console.log(USAGE);
      process.exit(0);
    }
    const only = arg === "--only" ? argv[++i] : arg.startsWith("--only=") ? arg.slice(7) : null;
    if (only === null || only === undefined || only === "") {
      console.error(
        only === null ? `bench: unknown argument ${arg}\n${USAGE}` : `bench: --only needs names`,
      );
      process.exit(2);
    }
    options.only = [...(options.only ?? []), ...only.split(",").map((s) => s.trim())];
  }
  return options;
}

/** Runs a command with the terminal attached; resolves with how it ended. */
function run(command, args, options) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: "inherit", ...options });
    child.on("error", (error) => resolve({ code: null, signal: null, error }));
    child.on("close", (code, signal) => resolve({ code, signal, error: null }));
  });
}

const ended = (r) =>
  r.error ? r.error.message : r.signal ? `killed by ${r.signal}` : `exit code ${r.code}`;

const options = parseArgs(process.argv.slice(2));
const all = benchPackages();
let selected = all;
if (options.only) {
  const unknown = options.only.filter((n) => !all.some((p) => p.short === n || p.name === n));
  if (unknown.length > 0) {
    console.error(
      `bench: no benchmark in ${unknown.join(", ")}; packages with one: ${all.map((p) => p.short).join(", ")}`,
    );
    process.exit(2);
  }
  selected = all.filter((p) => options.only.includes(p.short) || options.only.includes(p.name));
}

// The workspace's pnpm (a devDependency) whether or not one is on the PATH.
const env = {
  ...process.env,
  PATH: [join(ROOT, "node_modules", ".bin"), process.env.PATH ?? ""].join(delimiter),
};

console.log(`bench: building ${selected.map((p) => p.name).join(", ")} (and what they use)`);
const build = await run(
  "pnpm",
  ["-s", "run", "build", ...selected.map((p) => `--filter=${p.name}`)],
  { cwd: ROOT, env },
);
if (build.code !== 0) {
  console.error(`bench: the build failed (${ended(build)}); nothing measured`);
  process.exit(1);
}

const work = mkdtempSync(join(tmpdir(), "converge-bench-"));
const rows = [];
const runs = [];
try {
  for (const pkg of selected) {
    const results = join(work, `${pkg.short}.jsonl`);
    console.log(`\n━━ ${pkg.name}: bench ━━`);
    const start = performance.now();
    const r = await run("pnpm", ["-s", "run", "bench"], {
      cwd: pkg.dir,
      env: { ...env, CONVERGE_BENCH_RESULTS: results },
    });
    const seconds = ((performance.now() - start) / 1000).toFixed(1);
    const parsed = parseResults(existsSync(results) ? readFileSync(results, "utf8") : "");
    rows.push(...parsed.rows);
    let status = { package: pkg.short, status: "ok" };
    if (r.code !== 0)
      status = { ...status, status: "crashed", reason: `${ended(r)}, output above` };
    else if (parsed.problems.length > 0)
      status = { ...status, status: "crashed", reason: `bad result row, ${parsed.problems[0]}` };
    else if (parsed.skipped.length > 0)
      status = { ...status, status: "skipped", reason: parsed.skipped[0]?.reason };
    else if (parsed.rows.length === 0)
      status = { ...status, status: "crashed", reason: "exited 0 but reported no rows" };
    runs.push(status);
    for (const problem of parsed.problems) console.error(`bench: ${pkg.short}: ${problem}`);
    console.log(`━━ ${pkg.name}: ${status.status} in ${seconds} s ━━`);
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}

console.log(
  [
    "\nAll benchmarks. ratio: each package's own comparison with its same-run baseline",
    "(append: floor time / store time; the others: measured / baseline). A target with a",
    "unit applies to the measurement, one without to the ratio.",
  ].join("\n"),
);
console.log(renderTable(rows, runs));
console.log(summaryLine(rows, runs));
process.exitCode = runs.some((r) => r.status === "crashed") ? 1 : 0;
