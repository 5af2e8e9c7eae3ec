/** Types of bench-table.mjs (plain JS so `pnpm bench` runs without a build). */

/** One row of the combined table, as each benchmark writes it (src/bench/results.ts). */
export interface BenchRow {
  package: string;
  benchmark: string;
  measured: number;
  unit: string;
  baseline: string;
  ratio: number | null;
  target: string;
  pass: boolean | null;
}

/** How a package's benchmark ended. */
export interface PackageRun {
  package: string;
  status: "ok" | "skipped" | "crashed";
  reason?: string;
}

export function parseResults(text: string): {
  rows: BenchRow[];
  skipped: { package: string; reason: string }[];
  problems: string[];
};
export function formatNumber(n: number | null | undefined): string;
export function renderTable(rows: readonly BenchRow[], runs?: readonly PackageRun[]): string;
export function summaryLine(rows: readonly BenchRow[], runs?: readonly PackageRun[]): string;
