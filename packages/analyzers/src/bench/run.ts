/**
 * `pnpm bench`: analyzeTrajectory at 1k, 10k and 100k iterations with 10
 * metrics and 10 parameters. Prints time, growth against the previous size
 * (≈ 10–13 for n log n, 100 for quadratic) and a same-run baseline: sorting
 * every metric's values, an n log n floor for any rank statistic. Then the
 * decision benchmark (decision-bench.ts): the rule advisor's stop decisions,
 * success probability and ETA on simulated loops with a known future. Not a test.
 */

import { reportBenchRows } from "@converge/bench-kit";
import { type ExperimentRecord, parseRecord, seededRandom } from "@converge/core";
import { analyzeTrajectory } from "../analyze-trajectory.js";
import { runDecisionBenchmark } from "./decision-bench.js";

function makeRecords(n: number): ExperimentRecord[] {
  const rnd = seededRandom(n);
  const records: ExperimentRecord[] = [];
  const params: Record<string, number> = {};
  for (let p = 0; p < 10; p++) params[`param_${p}`] = rnd();
  for (let i = 1; i <= n; i++) {
    const changed = `param_${Math.floor(rnd() * 10)}`;
    params[changed] = (params[changed] as number) + rnd() - 0.5;
    const metrics: Record<string, number> = {};
    const base = 0.3 + 0.4 * (1 - Math.exp(-i / (n / 3)));
    for (let m = 0; m < 10; m++)
      metrics[m === 1 ? "max_drawdown" : m === 0 ? "sharpe_ratio" : `metric_${m}`] =
        base * (1 + m / 10) + 0.05 * (rnd() - 0.5);
    records.push(
      parseRecord({
        experiment_id: "bench",
        iteration: i,
        parameters: { ...params },
        metrics,
        gate_score: Math.min(1, base + 0.02 * (rnd() - 0.5)),
        cost: 0.01,
      }),
    );
  }
  return records;
}

function time(fn: () => void): number {
  const start = performance.now();
  fn();
  return performance.now() - start;
}

const rows: Record<string, string>[] = [];
let previous: number | undefined;
for (const n of [1_000, 10_000, 100_000]) {
  const records = makeRecords(n);
  analyzeTrajectory(records.slice(0, 200)); // warm up the JIT
  const runs = n >= 100_000 ? 1 : 3;
  let best = Number.POSITIVE_INFINITY;
  for (let r = 0; r < runs; r++)
    best = Math.min(
      best,
      time(() => analyzeTrajectory(records)),
    );
  const names = Object.keys(records[0]?.metrics ?? {});
  const baseline = time(() => {
    for (const name of names)
      records.map((rec) => rec.metrics[name] as number).sort((a, b) => a - b);
  });
  rows.push({
    iterations: n.toLocaleString("en-US"),
    "analyzeTrajectory ms": best.toFixed(0),
    "growth vs previous": previous === undefined ? "" : (best / previous).toFixed(1),
    "baseline: sort 10 metrics ms": baseline.toFixed(1),
    "vs baseline": (best / baseline).toFixed(0),
    target: n === 10_000 ? "< 1000 ms" : n === 100_000 ? "growth < 30 (no quadratic)" : "",
    result:
      n === 10_000
        ? best < 1000
          ? "PASS"
          : "FAIL"
        : n === 100_000 && previous
          ? best / previous < 30
            ? "PASS"
            : "FAIL"
          : "",
  });
  const sortBaseline = `sort each of the 10 metrics: ${baseline.toFixed(1)} ms`;
  reportBenchRows([
    n === 100_000 && previous !== undefined
      ? {
          package: "analyzers",
          benchmark: "analyzeTrajectory, 100,000 iterations (growth for 10×)",
          measured: best,
          unit: "ms",
          baseline: `10,000 iterations: ${previous.toFixed(0)} ms`,
          ratio: best / previous,
          target: "< 30 (n log n ≈ 10–13)",
          pass: best / previous < 30,
        }
      : {
          package: "analyzers",
          benchmark: `analyzeTrajectory, ${n.toLocaleString("en-US")} iterations`,
          measured: best,
          unit: "ms",
          baseline: sortBaseline,
          ratio: best / baseline,
          target: n === 10_000 ? "< 1,000 ms" : "",
          pass: n === 10_000 ? best < 1000 : null,
        },
  ]);
  previous = best;
}
console.log("\nanalyzeTrajectory: 10 metrics, 10 parameters (one changes per iteration)");
console.table(rows);

await runDecisionBenchmark();
