import {
  type ExperimentRecord,
  evaluateGate,
  type GateCriterion,
  metricSpan,
  ownValue,
  terminalSafe,
} from "@converge/core";
import {
  formatChanges,
  formatCost,
  formatDuration,
  formatNumber,
  formatScore,
  formatTime,
  formatValue,
} from "./format.js";
import type { LoadedExperiment } from "./load-experiment.js";
import type { StoreLocation } from "./store-uri.js";
import { type Style, styleStatus } from "./style.js";
import { type CellInput, type Column, renderTable } from "./table.js";
import { append, maxOf } from "./terminal-text.js";

/** Names in first-seen order across records. */
function unionKeys(records: readonly ExperimentRecord[], pick: (r: ExperimentRecord) => object) {
  const names = new Set<string>();
  for (const r of records) for (const k of Object.keys(pick(r))) names.add(k);
  return [...names];
}

/** One gate criterion as text, e.g. "sharpe_ratio >= 1" or "beta in [0.1, 0.3]". */
export function formatCriterion(c: GateCriterion): string {
  const base = Array.isArray(c.threshold)
    ? `${c.metric} in [${formatNumber(c.threshold[0])}, ${formatNumber(c.threshold[1])}]`
    : `${c.metric} ${c.op} ${formatNumber(c.threshold)}`;
  const notes = [
    ...(c.weight !== 1 ? [`weight ${formatNumber(c.weight)}`] : []),
    ...(c.required ? [] : ["optional"]),
  ];
  return notes.length > 0 ? `${base} (${notes.join(", ")})` : base;
}

/**
 * The lines of `converge show`: header, iteration table, parameter table.
 * Text from the records and the meta is escaped (`terminalSafe`) before it is
 * styled, so it is shown and never acts on the terminal.
 */
export function renderShow(x: LoadedExperiment, location: StoreLocation, style: Style): string[] {
  const { summary, records, meta } = x;
  const header: [string, string][] = [
    ["Experiment", style.bold(terminalSafe(x.experimentId))],
    ["Store", terminalSafe(location.display)],
    ["Directive", x.directive ? terminalSafe(x.directive) : style.dim("-")],
    [
      "Status",
      styleStatus(style, summary.status) +
        (meta === null ? style.dim("  (no meta file: derived from the gate results)") : ""),
    ],
  ];
  if (meta?.gate) {
    header.push(["Gate", terminalSafe(meta.gate.criteria.map(formatCriterion).join(", "))]);
  }
  header.push(
    ["Iterations", String(summary.total_iterations)],
    ["Compute time", formatDuration(summary.total_compute_time)],
    ["Cost", formatCost(summary.total_cost)],
    [
      "Best",
      summary.best_iteration === null
        ? style.dim("-")
        : `iteration ${summary.best_iteration}, gate score ${formatScore(summary.best_gate_score)}`,
    ],
    ["Updated", `${formatTime(x.updatedAt)}`],
  );
  const labelWidth = maxOf(header.map(([label]) => label.length));
  const lines = header.map(([label, value]) => `${style.dim(label.padEnd(labelWidth))}  ${value}`);
  if (records.length === 0) {
    lines.push("", style.dim("No iterations logged yet."));
    return lines;
  }
  // append, not push(...rows): a spread of 200,000 rows overflows the call stack.
  lines.push("", style.bold("Iterations"));
  append(lines, iterationTable(x, style));
  const params = parameterTable(records, style);
  if (params.length > 0) {
    lines.push("", style.bold("Parameters"));
    append(lines, params);
  }
  return lines;
}

/**
 * The metrics with the same value in every iteration: shown as one line
 * ("num_observations 755, periods_per_year 252") instead of a column.
 */
function constantMetrics(records: readonly ExperimentRecord[], names: readonly string[]): string[] {
  return names.filter((name) => {
    const values = records.map((r) => ownValue(r.metrics, name));
    return values.every((v) => v !== undefined) && metricSpan(values).constant;
  });
}

function iterationTable(x: LoadedExperiment, style: Style): string[] {
  const { records, meta, summary } = x;
  const allMetrics = unionKeys(records, (r) => r.metrics);
  const constant = constantMetrics(records, allMetrics);
  const metricNames = allMetrics.filter((name) => !constant.includes(name));
  const showFailed = records.some((r) => r.failed_criteria.length > 0);
  const columns: Column[] = [
    { header: "ITER", align: "right" },
    { header: "GATE", align: "right" },
    { header: "PASSED" },
    { header: "ACTION" },
    ...metricNames.map((name): Column => ({ header: name, align: "right" })),
    ...(showFailed ? [{ header: "FAILED" }] : []),
    { header: "CHANGES" },
  ];
  const rows = records.map((r): CellInput[] => {
    // Colour each gated metric by whether it met its criterion in this iteration.
    const verdict = new Map<string, boolean>();
    if (meta?.gate) {
      for (const c of evaluateGate(r.metrics, meta.gate).criteria) {
        verdict.set(c.metric, (verdict.get(c.metric) ?? true) && c.passed);
      }
    }
    const changes = formatChanges(r.parameter_changes);
    const failed = r.failed_criteria.map((c) => String(c.metric ?? "?"));
    return [
      {
        text: String(r.iteration),
        ...(r.iteration === summary.best_iteration && { paint: style.bold }),
      },
      formatScore(r.gate_score),
      r.gate_passed ? { text: "yes", paint: style.green } : { text: "no", paint: style.red },
      r.action_taken || { text: "-", paint: style.dim },
      ...metricNames.map((name): CellInput => {
        const value = r.metrics[name];
        if (value === undefined) return { text: "-", paint: style.dim };
        const ok = verdict.get(name);
        const paint = ok === undefined ? undefined : ok ? style.green : style.red;
        return { text: formatNumber(value), ...(paint && { paint }) };
      }),
      ...(showFailed ? [failed.length > 0 ? failed.join(", ") : "-"] : []),
      changes.length > 0 ? changes.join(", ") : { text: "-", paint: style.dim },
    ];
  });
  const table = renderTable(columns, rows, style, "  ");
  if (constant.length === 0) return table;
  const values = constant.map(
    (name) =>
      `${terminalSafe(name)} ${formatNumber(ownValue(records[0]?.metrics, name) as number)}`,
  );
  return [...table, `  ${style.dim("constant in every iteration:")} ${values.join(", ")}`];
}

function parameterTable(records: readonly ExperimentRecord[], style: Style): string[] {
  const names = unionKeys(records, (r) => r.parameters);
  if (names.length === 0) return [];
  const columns: Column[] = [
    { header: "ITER", align: "right" },
    ...names.map((name): Column => ({ header: name, align: "right" })),
  ];
  const rows = records.map((r, i): CellInput[] => {
    const previous = records[i - 1]?.parameters;
    return [
      String(r.iteration),
      ...names.map((name): CellInput => {
        const text = Object.hasOwn(r.parameters, name) ? formatValue(r.parameters[name]) : "-";
        // Highlight what changed since the iteration before.
        const before =
          previous && Object.hasOwn(previous, name) ? formatValue(previous[name]) : undefined;
        const changed = previous !== undefined && before !== text;
        return changed ? { text, paint: style.cyan } : text;
      }),
    ];
  });
  return renderTable(columns, rows, style, "  ");
}
