/**
 * One row of the combined table that the root `pnpm bench` (scripts/bench.mjs)
 * prints: each benchmarked package's src/bench/run.ts reports its rows here;
 * the root script parses and checks them (scripts/bench-table.mjs). A private
 * workspace package, so the benchmarks share it without core hosting tooling.
 */
import { appendFileSync } from "node:fs";

export interface BenchRow {
  package: string;
  benchmark: string;
  measured: number;
  unit: string;
  /** What `measured` is compared with, measured in the same run. */
  baseline: string;
  ratio: number | null;
  /** e.g. "≥ 0.5", "< 1 s"; "" when the row has no target. */
  target: string;
  /** null when the row has no target. */
  pass: boolean | null;
}

/** Appends the rows as JSON lines to $CONVERGE_BENCH_RESULTS; does nothing when it is unset. */
export function reportBenchRows(rows: readonly BenchRow[]): void {
  const file = process.env.CONVERGE_BENCH_RESULTS;
  if (file) appendFileSync(file, rows.map((row) => `${JSON.stringify(row)}\n`).join(""));
}

/**
 * Tells the root `pnpm bench` that this benchmark could not run here and why (a JSON
 * line `{ package, skipped }` in $CONVERGE_BENCH_RESULTS); it lists the package as SKIPPED.
 */
export function reportBenchSkipped(pkg: string, reason: string): void {
  const file = process.env.CONVERGE_BENCH_RESULTS;
  if (file) appendFileSync(file, `${JSON.stringify({ package: pkg, skipped: reason })}\n`);
}
