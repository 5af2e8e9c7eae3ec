/**
 * The tables of `converge analyze`'s text form: the metrics with a goal (their
 * direction and convergence), the informational metrics in one line each,
 * and the parameter impact.
 */
import type { TrajectoryAnalysis } from "@converge/analyzers";
import { directionText, metricSpan, ownValue } from "@converge/core";
import { n, plural, s, safe, styleConvergence, TEXT_WIDTH, wrap } from "./analyze-text.js";
import type { Style } from "./style.js";
import { type CellInput, type Column, renderTable, width } from "./table.js";
import { append, maxOf } from "./terminal-text.js";

/** A metric's trend is judged unless the analysis says it is informational (older analyses judged every metric). */
const isObjective = (m: { role?: string | null }) => m.role !== "informational";

/**
 * The objectives' trends, the direction beside each verdict; a constant
 * objective is one row with its value and no statistics.
 */
export function metricTable(a: TrajectoryAnalysis, style: Style): string[] {
  const entries = Object.entries(a.metric_trends).filter(([, m]) => isObjective(m));
  if (entries.length === 0) return [];
  const columns: Column[] = [
    { header: "METRIC" },
    { header: "DIRECTION" },
    { header: "OLS SLOPE", align: "right" },
    { header: "THEIL–SEN [95% CI]" },
    { header: "MK p", align: "right" },
    // The Theil–Sen slope signed so that + is better (the direction is in its own column).
    { header: "IMPROVEMENT", align: "right" },
    { header: "CONVERGENCE" },
  ];
  const status = (m: TrajectoryAnalysis["metric_trends"][string]): CellInput =>
    m.status === null
      ? { text: "-", paint: style.dim }
      : { text: m.status, paint: (text) => styleConvergence(style, text) };
  const rows = entries.map(([name, m]): CellInput[] => {
    const span = metricSpan(ownValue(a.metric_history, name) ?? []);
    if (span.constant) {
      return [name, directionText(m.goal), "-", `${n(span.first)} (constant)`, "-", "-", status(m)];
    }
    return [
      name,
      directionText(m.goal),
      n(m.ols_slope),
      m.theil_sen.slope === null
        ? "-"
        : `${n(m.theil_sen.slope)}${m.theil_sen.low === null || m.theil_sen.high === null ? "" : ` [${n(m.theil_sen.low)}, ${n(m.theil_sen.high)}]`}`,
      n(m.mann_kendall.p),
      s(m.improvement_rate),
      status(m),
    ];
  });
  return renderTable(columns, rows, style, "  ");
}

/**
 * One line per informational metric: name, first → last with the range, or
 * its value and "(constant)". No direction and no verdict.
 */
export function informationalLines(a: TrajectoryAnalysis, style: Style): string[] {
  const names = Object.entries(a.metric_trends)
    .filter(([, m]) => !isObjective(m))
    .map(([name]) => name);
  if (names.length === 0) return [];
  const nameWidth = maxOf(names.map((name) => width(safe(name))));
  return names.map((name) => {
    const span = metricSpan(ownValue(a.metric_history, name) ?? []);
    const label = safe(name).padEnd(nameWidth);
    if (span.first === null) return `  ${label}  ${style.dim("no value")}`;
    if (span.constant) return `  ${label}  ${n(span.first)} ${style.dim("(constant)")}`;
    const range =
      span.min === Math.min(span.first, span.last as number) &&
      span.max === Math.max(span.first, span.last as number)
        ? ""
        : `  ${style.dim(`range ${n(span.min)} to ${n(span.max)}`)}`;
    return `  ${label}  ${n(span.first)} → ${n(span.last)}${range}`;
  });
}

export function parameterSection(a: TrajectoryAnalysis, style: Style): string[] {
  const pe = a.parameter_effects;
  const what = a.score_trend.source === "gate_score" ? "gate score" : "score";
  const method =
    pe.method === "none"
      ? "not estimated: too few scored transitions"
      : `${pe.method}${pe.lambda === null ? "" : `, λ = ${n(pe.lambda)}`}, ${plural(pe.observations, "transition")}`;
  const lines = [style.bold(`Parameter impact on the ${what} per unit increase (${method})`)];
  const entries = Object.entries(pe.parameters);
  if (entries.length > 0) {
    const columns: Column[] = [
      { header: "PARAMETER" },
      { header: "IMPACT ± SE", align: "right" },
      { header: "IMPORTANCE", align: "right" },
      { header: "DIRECTION" },
      { header: "CHANGES", align: "right" },
    ];
    const rows = entries.map(([name, p]): CellInput[] => [
      p.kind === "categorical" ? categoricalLabel(name, p.current, p.best) : name,
      `${s(p.impact)} ± ${n(p.stderr)}`,
      n(p.importance),
      p.direction === "UNCLEAR"
        ? { text: p.direction, paint: style.dim }
        : { text: p.direction, paint: style.cyan },
      String(p.changes),
    ]);
    append(lines, renderTable(columns, rows, style, "  "));
  }
  for (const [name, reason] of Object.entries(pe.skipped)) {
    const [first = "", ...rest] = wrap(safe(`skipped ${name}: ${reason}`), TEXT_WIDTH, "    ");
    lines.push(`  ${style.dim(first.trimStart())}`);
    append(
      lines,
      rest.map((l) => `    ${style.dim(l.trimStart())}`),
    );
  }
  if (entries.length === 0 && Object.keys(pe.skipped).length === 0) {
    lines.push(`  ${style.dim("no parameters in the records")}`);
  }
  return lines;
}

/** A categorical parameter with the change its impact is for: "optimizer (sgd → adam)", or "(adam, the best level)". */
function categoricalLabel(name: string, current?: string, best?: string): string {
  if (current !== undefined && current === best) return `${name} (${current}, the best level)`;
  return `${name} (${current ?? "?"} → ${best ?? "?"})`;
}
