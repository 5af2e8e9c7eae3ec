/**
 * `pnpm bench`: how long each `converge` command takes to answer on a small
 * experiment (the demo's 9-iteration log, in fixtures/), against Node's own
 * start-up (`node -e 0`) measured in the same run. Each round runs every
 * command once, one after the other (interleaved, so all of them meet the same
 * machine weather); the row is the median of the rounds, after one warm-up
 * round that is not counted (it fills the file cache and the binary's code
 * cache). Targets: analyze, advise (the rule advisor) and report within 7× of
 * `node -e 0`, list and show within 3×, as a user runs them: with the code
 * cache (src/code-cache.ts) that an earlier run wrote. Each command's first
 * run (an empty code cache, as after an install) is measured too, in the same
 * rounds, and reported without a target.
 */
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type BenchRow, reportBenchRows } from "@converge/bench-kit";

const ROUNDS = 9;
const EXPERIMENT = "demo_seed43_20261204_172114_905";
const FIXTURES = fileURLToPath(new URL("../../src/bench/fixtures/", import.meta.url));
// CONVERGE_BENCH_BIN measures another build of the binary (e.g. an older one, for a before/after).
const BIN =
  process.env.CONVERGE_BENCH_BIN ?? fileURLToPath(new URL("../../dist/bin.js", import.meta.url));

const work = mkdtempSync(join(tmpdir(), "converge-cli-bench-"));
for (const file of readdirSync(FIXTURES)) copyFileSync(join(FIXTURES, file), join(work, file));
const store = ["--store", `jsonl:${work}`];
// The binary's code cache, in the bench's own directory (never the user's ~/.cache).
const warmCache = join(work, "code-cache");
let coldCaches = 0;

interface Case {
  name: string;
  args: string[];
  /** The ratio to `node -e 0` it must stay within; null for the baseline and first runs. */
  within: number | null;
  /** A first run: each time with a new, empty code cache. */
  cold?: boolean;
}

const CASES: Case[] = [
  { name: "node -e 0", args: ["-e", "0"], within: null },
  { name: "converge list", args: [BIN, "list", ...store], within: 3 },
  { name: "converge show", args: [BIN, "show", EXPERIMENT, ...store], within: 3 },
  { name: "converge analyze", args: [BIN, "analyze", EXPERIMENT, ...store], within: 7 },
  {
    name: "converge advise (rule advisor)",
    args: [BIN, "advise", EXPERIMENT, ...store],
    within: 7,
  },
  {
    name: "converge report (HTML)",
    args: [BIN, "report", EXPERIMENT, ...store, "-o", join(work, "report.html")],
    within: 7,
  },
];
for (const c of CASES.slice(1)) {
  CASES.push({ ...c, name: `${c.name}, first run (empty code cache)`, within: null, cold: true });
}

// The variables that change what the CLI does (or which store it reads) are left out.
const env = { ...process.env };
for (const name of [
  "CONVERGE_STORE",
  "CONVERGE_DEBUG",
  "CONVERGE_CODE_CACHE",
  "MLFLOW_TRACKING_URI",
  "NODE_OPTIONS",
]) {
  delete env[name];
}

/** Wall-clock seconds of one run, from spawn to exit; a failed run stops the bench. */
function timeRun(c: Case): number {
  const start = performance.now();
  const cache = c.cold ? join(work, `code-cache-cold-${coldCaches++}`) : warmCache;
  const r = spawnSync(process.execPath, c.args, {
    cwd: work,
    env: { ...env, CONVERGE_CODE_CACHE: cache },
    encoding: "utf8",
  });
  const seconds = (performance.now() - start) / 1000;
  if (r.status !== 0) {
    throw new Error(`${c.name} exited ${r.status ?? r.signal}: ${r.stderr.trim().slice(0, 400)}`);
  }
  return seconds;
}

const median = (xs: readonly number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1
    ? (s[mid] as number)
    : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
};

try {
  const times = new Map<string, number[]>(CASES.map((c) => [c.name, []]));
  for (let round = 0; round <= ROUNDS; round++) {
    for (const c of CASES) {
      const seconds = timeRun(c);
      if (round > 0) times.get(c.name)?.push(seconds);
    }
  }
  const base = median(times.get("node -e 0") ?? []);
  const rows: BenchRow[] = CASES.map((c) => {
    const measured = median(times.get(c.name) ?? []);
    const ratio = measured / base;
    return {
      package: "cli",
      benchmark: `start-up: ${c.name}${c.args[0] === "-e" ? " (baseline)" : ""}`,
      measured,
      unit: "s",
      baseline: c.args[0] === "-e" ? "" : `node -e 0, ${base.toFixed(3)} s`,
      ratio: c.args[0] === "-e" ? null : ratio,
      target: c.within === null ? "" : `≤ ${c.within}×`,
      pass: c.within === null ? null : ratio <= c.within,
    };
  });
  console.log(
    `\nStart-up on the demo's 9-iteration experiment: median of ${ROUNDS} interleaved rounds (after one warm-up round), wall clock from spawn to exit`,
  );
  console.table(
    rows.map((r) => ({
      command: r.benchmark.replace("start-up: ", ""),
      "median s": r.measured.toFixed(3),
      "× node -e 0": r.ratio === null ? "" : r.ratio.toFixed(2),
      target: r.target,
      result: r.pass === null ? "" : r.pass ? "PASS" : "FAIL",
    })),
  );
  reportBenchRows(rows);
} finally {
  rmSync(work, { recursive: true, force: true });
}
