/**
 * The pure half of `pnpm bench` (scripts/bench.mjs): reads the rows each package's
 * benchmark appends to $CONVERGE_BENCH_RESULTS and renders the one combined table.
 * Plain Node ESM so `pnpm bench` needs no build; types in bench-table.d.mts.
 *
 * A row (one JSON line, written by `reportBenchRows` of @converge/bench-kit in each benchmarked package):
 *   { package, benchmark, measured: number, unit, baseline: string, ratio: number | null,
 *     target: string ("" when none), pass: boolean | null (null when no target) }
 * A package that cannot run here writes `{ package, skipped: "why" }` instead.
 */

const COLUMNS = ["package", "benchmark", "measured", "baseline", "ratio", "target", "result"];
/** Columns aligned right (numbers). */
const RIGHT = new Set(["measured", "ratio"]);
const DASH = "—";
const MAX_REASON = 90;

const isString = (v) => typeof v === "string";

/** Checks one parsed line; returns the problem, or null when it is a valid row. */
function rowProblem(v) {
  if (typeof v !== "object" || v === null || Array.isArray(v)) return "not an object";
  for (const key of ["package", "benchmark", "unit", "baseline", "target"])
    if (!isString(v[key])) return `"${key}" is not a string`;
  if (typeof v.measured !== "number") return `"measured" is not a number`;
  if (v.ratio !== null && typeof v.ratio !== "number") return `"ratio" is not a number or null`;
  if (v.pass !== null && typeof v.pass !== "boolean") return `"pass" is not a boolean or null`;
  if ((v.target === "") !== (v.pass === null))
    return `"pass" must be null exactly when "target" is ""`;
  return null;
}

/**
 * Parses the JSON lines of a results file: rows, skip notices and, for anything else,
 * a problem naming the line (a bench that writes a bad row has a bug).
 */
export function parseResults(text) {
  const rows = [];
  const skipped = [];
  const problems = [];
  text.split("\n").forEach((line, index) => {
    if (line.trim() === "") return;
    let value;
    try {
      value = JSON.parse(line);
    } catch {
      problems.push(`line ${index + 1}: not JSON: ${line.slice(0, 80)}`);
      return;
    }
    if (value && isString(value.package) && isString(value.skipped)) {
      skipped.push({ package: value.package, reason: value.skipped });
      return;
    }
    const problem = rowProblem(value);
    if (problem) problems.push(`line ${index + 1}: ${problem}: ${line.slice(0, 80)}`);
    else rows.push(value);
  });
  return { rows, skipped, problems };
}

/**
 * A number for the table: "—" for null or non-finite, thousands separators from 1,000,
 * no decimals from 100, one from 10, two below.
 */
export function formatNumber(n) {
  if (typeof n !== "number" || !Number.isFinite(n)) return DASH;
  const abs = Math.abs(n);
  const digits = abs >= 100 ? 0 : abs >= 10 ? 1 : 2;
  return n.toLocaleString("en-US", {
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  });
}

const oneLine = (text) => {
  const first = text.trim().split("\n")[0] ?? "";
  return first.length > MAX_REASON ? `${first.slice(0, MAX_REASON - 1)}…` : first;
};

/** The table's cells of one row. */
function cells(row) {
  return {
    package: row.package,
    benchmark: row.benchmark,
    measured: `${formatNumber(row.measured)} ${row.unit}`.trim(),
    baseline: row.baseline || DASH,
    ratio: formatNumber(row.ratio),
    target: row.target || DASH,
    result: row.pass === null ? DASH : row.pass ? "PASS" : "FAIL",
  };
}

/** The cells of a package that produced no measurement: SKIPPED or CRASHED, with why. */
function statusCells(run) {
  return {
    package: run.package,
    benchmark: `${run.status === "skipped" ? "not run" : "crashed"}: ${oneLine(run.reason ?? "")}`,
    measured: DASH,
    baseline: DASH,
    ratio: DASH,
    target: DASH,
    result: run.status === "skipped" ? "SKIPPED" : "CRASHED",
  };
}

const width = (text) => [...text].length;

/**
 * The combined table (Markdown, padded so it reads as plain text too): every row, in the
 * order given, then a SKIPPED or CRASHED line for each such package in `runs`.
 * `runs`: `{ package, status: "ok" | "skipped" | "crashed", reason? }` per package run.
 */
export function renderTable(rows, runs = []) {
  const body = [];
  for (const run of runs) {
    for (const row of rows) if (row.package === run.package) body.push(cells(row));
    if (run.status !== "ok") body.push(statusCells(run));
  }
  const known = new Set(runs.map((run) => run.package));
  for (const row of rows) if (!known.has(row.package)) body.push(cells(row));

  const widths = COLUMNS.map((c) => Math.max(width(c), ...body.map((r) => width(r[c]))));
  const pad = (text, i) => {
    const fill = " ".repeat(widths[i] - width(text));
    return RIGHT.has(COLUMNS[i]) ? fill + text : text + fill;
  };
  const line = (values) => `| ${values.map(pad).join(" | ")} |`;
  const rule = `|${widths.map((w, i) => (RIGHT.has(COLUMNS[i]) ? `${"-".repeat(w + 1)}:` : "-".repeat(w + 2))).join("|")}|`;
  return [line(COLUMNS), rule, ...body.map((r) => line(COLUMNS.map((c) => r[c])))].join("\n");
}

/** "N targets met, M missed", then the packages skipped and crashed, if any. */
export function summaryLine(rows, runs = []) {
  const met = rows.filter((row) => row.pass === true).length;
  const missed = rows.filter((row) => row.pass === false).length;
  const parts = [`${met} targets met, ${missed} missed`];
  for (const status of ["skipped", "crashed"]) {
    const names = runs.filter((run) => run.status === status).map((run) => run.package);
    if (names.length > 0) parts.push(`${names.length} ${status} (${names.join(", ")})`);
  }
  return parts.join("; ");
}
