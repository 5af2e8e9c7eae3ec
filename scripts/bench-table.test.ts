import { describe, expect, it } from "vitest";
import {
  type BenchRow,
  formatNumber,
  type PackageRun,
  parseResults,
  renderTable,
  summaryLine,
} from "./bench-table.mjs";

const append: BenchRow = {
  package: "storage-jsonl",
  benchmark: "append seed-sized (~677 B), store, durability none",
  measured: 9.81,
  unit: "µs/record",
  baseline: "writeSync of pre-serialised lines: 2.5 µs/record",
  ratio: 0.2548,
  target: "≥ 0.5",
  pass: false,
};
const load: BenchRow = {
  package: "storage-jsonl",
  benchmark: "load 100,000 records (155.7 MB), store.read time",
  measured: 2119.4,
  unit: "ms",
  baseline: "readFileSync + split + JSON.parse: 2,148 ms",
  ratio: 0.9866,
  target: "≤ 2",
  pass: true,
};
const info: BenchRow = {
  package: "analyzers",
  benchmark: "analyzeTrajectory, 1,000 iterations",
  measured: 65.2,
  unit: "ms",
  baseline: "sort each of the 10 metrics: 1.1 ms",
  ratio: 59.27,
  target: "",
  pass: null,
};
const growth: BenchRow = {
  package: "analyzers",
  benchmark: "analyzeTrajectory, 100,000 iterations (growth for 10×)",
  measured: 3124,
  unit: "ms",
  baseline: "10,000 iterations: 220 ms",
  ratio: 14.2,
  target: "< 30 (n log n ≈ 10–13)",
  pass: true,
};
const runs: PackageRun[] = [
  { package: "analyzers", status: "ok" },
  { package: "storage-jsonl", status: "ok" },
  {
    package: "storage-mlflow",
    status: "skipped",
    reason: "no MLflow venv: ensure-venv: 'python3' not found on PATH\nmore detail",
  },
];

const jsonl = (...values: unknown[]) => values.map((v) => `${JSON.stringify(v)}\n`).join("");

/** The table's lines split into trimmed cells (the outer pipes dropped). */
const cellsOf = (table: string) =>
  table.split("\n").map((line) =>
    line
      .slice(1, -1)
      .split("|")
      .map((cell) => cell.trim()),
  );

describe("parseResults", () => {
  it("reads rows and skip notices, ignoring blank lines", () => {
    const text = `${jsonl(append, info)}\n${jsonl({ package: "storage-mlflow", skipped: "no venv" })}`;
    const parsed = parseResults(text);
    expect(parsed.rows).toEqual([append, info]);
    expect(parsed.skipped).toEqual([{ package: "storage-mlflow", reason: "no venv" }]);
    expect(parsed.problems).toEqual([]);
  });

  it("names the line of anything that is not a valid row", () => {
    const text = [
      "not json",
      JSON.stringify({ ...append, measured: "9.8" }),
      JSON.stringify({ ...append, ratio: undefined }),
      JSON.stringify({ ...info, pass: true }),
      JSON.stringify({ ...append, pass: null }),
      JSON.stringify(load),
    ].join("\n");
    const parsed = parseResults(text);
    expect(parsed.rows).toEqual([load]);
    expect(parsed.problems.map((p) => p.split(":").slice(0, 2).join(":"))).toEqual([
      "line 1: not JSON",
      'line 2: "measured" is not a number',
      'line 3: "ratio" is not a number or null',
      'line 4: "pass" must be null exactly when "target" is ""',
      'line 5: "pass" must be null exactly when "target" is ""',
    ]);
  });

  it("takes a non-finite measurement written by JSON.stringify (null) as a bad row", () => {
    const parsed = parseResults(jsonl({ ...append, measured: Number.NaN }));
    expect(parsed.rows).toEqual([]);
    expect(parsed.problems[0]).toContain('"measured" is not a number');
  });
});

describe("formatNumber", () => {
  it("keeps about three significant digits, with thousands separators", () => {
    expect(formatNumber(0.2548)).toBe("0.25");
    expect(formatNumber(0.005)).toBe("0.01");
    expect(formatNumber(9.81)).toBe("9.81");
    expect(formatNumber(14.23)).toBe("14.2");
    expect(formatNumber(243.7)).toBe("244");
    expect(formatNumber(2119.4)).toBe("2,119");
    expect(formatNumber(-1.5)).toBe("-1.50");
  });

  it("shows a dash for a missing or non-finite number", () => {
    expect(formatNumber(null)).toBe("—");
    expect(formatNumber(undefined)).toBe("—");
    expect(formatNumber(Number.NaN)).toBe("—");
    expect(formatNumber(Number.POSITIVE_INFINITY)).toBe("—");
  });
});

describe("renderTable", () => {
  const table = renderTable([append, load, info, growth], runs);
  const lines = table.split("\n");
  const cells = cellsOf(table);

  it("has the columns in order, a Markdown rule and one line per row", () => {
    expect(cells[0]).toEqual([
      "package",
      "benchmark",
      "measured",
      "baseline",
      "ratio",
      "target",
      "result",
    ]);
    expect(lines[1]).toMatch(/^\|-+\|-+\|-+:\|-+\|-+:\|-+\|-+\|$/);
    expect(lines).toHaveLength(2 + 4 + 1);
  });

  it("pads every line to the same width", () => {
    const widths = new Set(lines.map((line) => [...line].length));
    expect(widths.size).toBe(1);
  });

  it("groups rows by package in the order the packages ran", () => {
    expect(cells.slice(2).map((c) => c[1])).toEqual([
      info.benchmark,
      growth.benchmark,
      append.benchmark,
      load.benchmark,
      expect.stringMatching(/^not run: /),
    ]);
  });

  it("formats measurement with its unit, ratio, target and PASS/FAIL/—", () => {
    const byBenchmark = new Map(cells.map((c) => [c[1], c]));
    expect(byBenchmark.get(append.benchmark)).toEqual([
      "storage-jsonl",
      append.benchmark,
      "9.81 µs/record",
      append.baseline,
      "0.25",
      "≥ 0.5",
      "FAIL",
    ]);
    expect(byBenchmark.get(load.benchmark)?.slice(2)).toEqual([
      "2,119 ms",
      load.baseline,
      "0.99",
      "≤ 2",
      "PASS",
    ]);
    expect(byBenchmark.get(info.benchmark)?.slice(4)).toEqual(["59.3", "—", "—"]);
    expect(byBenchmark.get(growth.benchmark)?.slice(4)).toEqual([
      "14.2",
      "< 30 (n log n ≈ 10–13)",
      "PASS",
    ]);
  });

  it("lists a skipped package as SKIPPED with the first line of its reason", () => {
    expect(cells.at(-1)).toEqual([
      "storage-mlflow",
      "not run: no MLflow venv: ensure-venv: 'python3' not found on PATH",
      "—",
      "—",
      "—",
      "—",
      "SKIPPED",
    ]);
  });

  it("lists a crashed package as CRASHED after the rows it did write, and shortens long reasons", () => {
    const crashed = cellsOf(
      renderTable([info], [{ package: "analyzers", status: "crashed", reason: "x".repeat(200) }]),
    );
    expect(crashed.map((c) => c[6])).toEqual(["result", expect.any(String), "—", "CRASHED"]);
    const why = crashed[3]?.[1] ?? "";
    expect(why.startsWith("crashed: xxx")).toBe(true);
    expect(why.endsWith("…")).toBe(true);
    expect(why.length).toBeLessThan(110);
  });

  it("keeps rows of a package it was not told about", () => {
    expect(cellsOf(renderTable([append], [])).slice(2)[0]?.[0]).toBe("storage-jsonl");
  });
});

describe("summaryLine", () => {
  it("counts targets met and missed, and names skipped and crashed packages", () => {
    expect(summaryLine([append, load, info, growth], runs)).toBe(
      "2 targets met, 1 missed; 1 skipped (storage-mlflow)",
    );
    expect(
      summaryLine([info], [{ package: "reporters", status: "crashed", reason: "exit code 1" }]),
    ).toBe("0 targets met, 0 missed; 1 crashed (reporters)");
    expect(summaryLine([append, load])).toBe("1 targets met, 1 missed");
  });
});
