/**
 * `pnpm bench`: the demo's outcomes over seeds 1–100 (offline rule advisor,
 * 15 iterations) and their counterfactual. Every seed that ends without a
 * pass is run again with the advisor still asked after every iteration (its
 * recommendations steer the tuner) but its PIVOT / ABANDON overridden, so the
 * loop runs on to the budget: how many stopped seeds would have passed, and
 * when. Prints the tally and the seeds; reports the counts to the combined
 * table. Counts, not times: no target, the rows track what the advisor costs
 * in passes as it changes. Not a test.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type BenchRow, reportBenchRows } from "@converge/bench-kit";
import { runSeed, type SeedRun } from "../counterfactual.js";
import { DEFAULT_MAX_ITERATIONS } from "../demo.js";

const SEEDS = Array.from({ length: 100 }, (_, i) => i + 1);
const PACKAGE = "demo";

/** `12@7`: seed 12, after 7 iterations; `12:FAILED@7` when the status is not the row's own. */
const seedsText = (runs: readonly SeedRun[], withStatus: boolean) =>
  runs.map((r) => `${r.seed}${withStatus ? `:${r.status}` : ""}@${r.iterations}`).join(" ") || "—";

const started = performance.now();
const dir = mkdtempSync(join(tmpdir(), "converge-demo-bench-"));
const plain: SeedRun[] = [];
const counterfactual = new Map<number, SeedRun>();
try {
  // One seed at a time: each run's records go to the same temporary JSONL directory.
  for (const seed of SEEDS) plain.push(await runSeed({ seed, dir }));
  for (const run of plain.filter((r) => !r.passed)) {
    counterfactual.set(run.seed, await runSeed({ seed: run.seed, dir, overrideStops: true }));
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
const seconds = (performance.now() - started) / 1000;

const warned = [...plain, ...counterfactual.values()].filter((r) => r.warnings.length > 0);
if (warned.length > 0) {
  // A run whose advisor failed is not the demo's run: its numbers would mislead.
  for (const r of warned) console.error(`seed ${r.seed}: ${r.warnings.join("; ")}`);
  throw new Error(`${warned.length} run(s) reported warnings; no numbers reported`);
}

const passing = plain.filter((r) => r.status === "SUCCESS");
const pivoted = plain.filter((r) => r.status === "PIVOT_TO_RESEARCH");
const abandoned = plain.filter((r) => r.status === "ABANDONED");
const other = plain.filter(
  (r) => !["SUCCESS", "PIVOT_TO_RESEARCH", "ABANDONED"].includes(r.status),
);
const stopped = plain.filter((r) => !r.passed);
const saved = stopped.flatMap((r) => {
  const after = counterfactual.get(r.seed);
  return after?.passed ? [{ before: r, after }] : [];
});

const range = `seeds ${SEEDS[0]}–${SEEDS.at(-1)}`;
console.log(
  `\nThe demo over ${range}: rule advisor, at most ${DEFAULT_MAX_ITERATIONS} iterations (seed@iterations)`,
);
const outcomes: [string, readonly SeedRun[], boolean][] = [
  ["passed the gate", passing, false],
  ["pivoted (PIVOT_TO_RESEARCH)", pivoted, false],
  ["abandoned (ABANDONED)", abandoned, false],
  ["other (MAX_ITERATIONS, FAILED, …)", other, true],
];
console.table(outcomes.map(([outcome, runs]) => ({ outcome, seeds: runs.length })));
for (const [outcome, runs, withStatus] of outcomes) {
  console.log(`${outcome}: ${seedsText(runs, withStatus)}`);
}
console.log(
  `\nCounterfactual: the ${stopped.length} seeds that ended without a pass, run again to ${DEFAULT_MAX_ITERATIONS} iterations with the advisor still asked but its PIVOT / ABANDON overridden`,
);
console.log(
  `stopped seeds that would have passed: ${saved.length} of ${stopped.length}${saved.length > 0 ? ":" : ""}`,
);
if (saved.length > 0) {
  console.table(
    saved.map(({ before, after }) => ({
      seed: before.seed,
      "ended as": before.status,
      "after iteration": before.iterations,
      "would pass at": after.passedAt,
      "stops overridden": after.stops.length,
    })),
  );
}
console.log(`${plain.length + counterfactual.size} runs in ${seconds.toFixed(1)} s`);

/** A count out of `of`, as a row of the combined table (no target: counts, not goals). */
const countRow = (benchmark: string, measured: number, of: number, baseline: string): BenchRow => ({
  package: PACKAGE,
  benchmark,
  measured,
  unit: "seeds",
  baseline,
  ratio: of > 0 ? measured / of : null,
  target: "",
  pass: null,
});
const all = `${plain.length} seeds`;
const limits = `rule advisor, ${DEFAULT_MAX_ITERATIONS} iterations`;
reportBenchRows([
  countRow(`${range} passing the gate (${limits})`, passing.length, plain.length, all),
  countRow(`${range} pivoted`, pivoted.length, plain.length, all),
  countRow(`${range} abandoned`, abandoned.length, plain.length, all),
  countRow(`${range} other endings`, other.length, plain.length, all),
  countRow(
    "stopped seeds that would have passed (stop overridden, advisor still asked)",
    saved.length,
    stopped.length,
    `${stopped.length} stopped seeds`,
  ),
]);
