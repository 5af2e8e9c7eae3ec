/**
 * One row of the combined table that the root `pnpm bench` (scripts/bench.mjs)
 * prints. The same small file sits in each benchmarked package's src/bench/
 * (core has no bench or test utilities to host it); the root script parses
 * and checks the rows (scripts/bench-table.mjs).
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
