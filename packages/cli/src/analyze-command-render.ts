/** The text and JSON Lines forms of `converge analyze`. */
import type { TrajectoryAnalysis } from "@converge/analyzers";
import { directionText, metricSpan, ownValue, terminalSafe, VOCABULARY } from "@converge/core";
import type { PreparedExperiment } from "./analyze-command-load.js";
import { formatCost, formatNumber } from "./format.js";
import { formatCriterion } from "./show-render.js";
import type { Style } from "./style.js";
import { type CellInput, type Column, renderTable, width } from "./table.js";
import { append, jsonSafe, maxOf } from "./terminal-text.js";

/** Text from records or the analysis (metric and parameter names, reasons), shown and never acted on. */
const safe = (text: string): string => terminalSafe(text);

/** Text is wrapped to this many columns. */
export const TEXT_WIDTH = 100;

/** Word-wraps text to `max` columns, every line starting with `indent`. */
export function wrap(text: string, max: number, indent = ""): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line && width(indent + line) + 1 + width(word) > max) {
      lines.push(indent + line);
      line = word;
    } else {
      line = line ? `${line} ${word}` : word;
    }
  }
  if (line) lines.push(indent + line);
  return lines;
}

/** A header row: label, (styled) value, and an optional plain note wrapped below it. */
type HeaderRow = [label: string, value: string, note?: string];

/**
 * A label and its value, the value wrapped under itself when the line would
 * pass `TEXT_WIDTH` (a long outlook): at its " · " separators first, so that
 * the probability and the ETA each stay whole, then between words. A value
 * that fits is kept as it is: `wrap` would collapse the double spaces some
 * values use.
 */
export function labelled(label: string, value: string, labelWidth: number, style: Style): string[] {
  const indent = " ".repeat(labelWidth + 2);
  const head = style.dim(label.padEnd(labelWidth));
  const fits = (text: string) => width(indent + text) <= TEXT_WIDTH;
  if (fits(value)) return [`${head}  ${value}`.trimEnd()];
  const parts: string[] = [];
  for (const part of value.split(" · ")) {
    const last = parts.at(-1);
    if (last !== undefined && fits(`${last} · ${part}`))
      parts[parts.length - 1] = `${last} · ${part}`;
    else parts.push(last === undefined ? part : `· ${part}`);
  }
  const lines = parts.flatMap((part) => wrap(part, TEXT_WIDTH, indent));
  const [first = "", ...rest] = lines;
  return [`${head}  ${first.slice(indent.length)}`, ...rest];
}

function renderHeader(rows: readonly HeaderRow[], style: Style): string[] {
  const labelWidth = maxOf(rows.map(([label]) => label.length));
  const indent = " ".repeat(labelWidth + 2);
  return rows.flatMap(([label, value, note]) => [
    ...labelled(label, value, labelWidth, style),
    ...(note
      ? wrap(safe(note), TEXT_WIDTH, indent).map((l) => indent + style.dim(l.slice(indent.length)))
      : []),
  ]);
}

/**
 * One JSON Lines line: `experiment_id` first, then every field of the
 * analysis (the `ExperimentTrajectory` names of docs/record-format.md, then
 * the additions).
 * Non-finite numbers (NaN in a metric history where an iteration lacked the
 * metric) are written as the strings "NaN", "Infinity", "-Infinity", as in the
 * record wire format, never as invalid JSON or a silent null. Control and
 * invisible characters are `\uXXXX` escapes (`jsonSafe`).
 */
export function toJsonLine(experimentId: string, analysis: TrajectoryAnalysis): string {
  return jsonSafe(
    JSON.stringify({ ...analysis, experiment_id: experimentId }, (_key, v: unknown) => {
      if (typeof v === "number" && !Number.isFinite(v)) {
        return Number.isNaN(v) ? "NaN" : v > 0 ? "Infinity" : "-Infinity";
      }
      return v;
    }),
  );
}

/** A number for the tables, "-" for null. */
const n = (x: number | null | undefined) => (x === null || x === undefined ? "-" : formatNumber(x));
/** With an explicit "+" on positive numbers. */
const s = (x: number | null | undefined) =>
  x !== null && x !== undefined && x > 0 ? `+${formatNumber(x)}` : n(x);
const plural = (k: number, word: string) => `${k} ${word}${k === 1 ? "" : "s"}`;

/** The colour of a convergence status. */
export function styleConvergence(style: Style, status: string): string {
  if (status === "CONVERGING") return style.green(status);
  if (status === "DIVERGING") return style.red(status);
  if (status === "INSUFFICIENT_DATA") return style.dim(status);
  return style.yellow(status);
}

function scoreName(a: TrajectoryAnalysis): string {
  const src = a.score_trend.source;
  if (src === "gate_score") return "gate score (higher is better)";
  if (src === "none") return "none (no gate score and no metric)";
  const metric = src.replace(/^objective:/, "");
  const goal = ownValue(a.metric_trends, metric)?.goal ?? "maximize";
  return `${safe(metric)} (${directionText(goal)}; no gate score in the records)`;
}

/** What a gradient value means, in the vocabulary's words (docs/vocabulary.md). */
function gradientMeaning(value: string): string {
  const term = VOCABULARY.find((t) => t.id === "gradient");
  return term?.values.find((v) => v.value === value)?.meaning ?? "";
}

/**
 * The ETA row: the same median and range as the outlook line, with the level
 * spelled out; the note (the analysis' reason) names the horizon the range is
 * over and how likely passing within it is.
 */
function etaRow(a: TrajectoryAnalysis): HeaderRow {
  const e = a.iterations_to_success;
  if (e.estimate === null) return ["ETA", `- (${safe(e.reason)})`];
  if (e.estimate === 0) return ["ETA", `0 (${safe(e.reason)})`];
  const level = `${Math.round(e.level * 100)}%`;
  const range =
    e.low === null || e.high === null
      ? ""
      : `, ${level} range ${e.low === e.high ? e.low : `${e.low}–${e.high}`}`;
  return [
    "ETA",
    `median ${plural(e.estimate, "more iteration")}${range}${e.model ? ` (${safe(e.model)} model)` : ""}`,
    e.reason,
  ];
}

/**
 * The outlook row: the analyzers' one-line outlook (it carries the reason
 * when there is no probability); without a budget, a note says where one
 * would come from.
 */
function outlookRow(a: TrajectoryAnalysis, outlook: string): HeaderRow {
  const s = a.success_probability;
  if (s.probability !== null && s.probability < 1 && s.horizon_source === "default") {
    return [
      "Outlook",
      safe(outlook),
      `no iteration budget recorded (the meta's max_iterations, which runGateLoop writes), so P looks ${plural(s.horizon, "iteration")} ahead`,
    ];
  }
  return ["Outlook", safe(outlook)];
}

/** Experiment, iterations, score, gate, status and gradient. */
function trendRows(x: PreparedExperiment, a: TrajectoryAnalysis, style: Style): HeaderRow[] {
  const t = a.score_trend;
  const header: HeaderRow[] = [
    ["Experiment", style.bold(safe(x.experimentId))],
    ...(x.source === undefined ? [] : [["Source", safe(x.source)] as HeaderRow]),
    ["Iterations", String(a.total_iterations)],
    ["Score", scoreName(a)],
  ];
  if (x.gate) {
    // Runs read from MLflow are scored by that gate in the first place, not re-scored.
    const rescored = x.source === undefined ? "; records re-scored" : "";
    const from = x.gateSource === "option" ? ` (from --gate${rescored})` : "";
    header.push(["Gate", `${safe(x.gate.criteria.map(formatCriterion).join(", "))}${from}`]);
  }
  header.push(
    // "Convergence", as the vocabulary names it (docs/vocabulary.md).
    ["Convergence", styleConvergence(style, a.convergence_status), t.reason],
    [
      "Gradient",
      `${a.gradient_direction}${t.slope === null ? "" : `  ${s(t.slope)} per iteration`}${
        t.slope_low !== null && t.slope_high !== null
          ? ` [${n(t.slope_low)}, ${n(t.slope_high)}]`
          : ""
      }`,
      // The value's meaning in the vocabulary's words, then the statistics behind the numbers.
      `${gradientMeaning(a.gradient_direction)}${
        t.slope === null
          ? ""
          : `; Theil–Sen slope of the ${scoreName(a).split(" (")[0]} with Sen's 95% interval${t.p === null ? "" : `; Mann–Kendall p = ${n(t.p)}`}`
      }`,
    ],
  );
  return header;
}

/** The distance to the goal, and per criterion when the gate is known. */
function distanceRows(a: TrajectoryAnalysis, style: Style): HeaderRow[] {
  const failing = Object.entries(a.distance_by_criterion);
  const header: HeaderRow[] = [
    [
      "Distance",
      a.distance_to_goal === null
        ? style.dim(a.total_iterations === 0 ? "- (no iterations)" : "- (no gate)")
        : a.distance_to_goal === 0
          ? `0 ${style.green("(passing)")}`
          : n(a.distance_to_goal),
    ],
  ];
  if (failing.length > 0) {
    header.push(["  per criterion", failing.map(([c, d]) => `${safe(c)} ${n(d)}`).join(", ")]);
  }
  return header;
}

/** Best iteration, improvement per iteration and per dollar, change points. */
function efficiencyRows(a: TrajectoryAnalysis, style: Style): HeaderRow[] {
  const e = a.efficiency;
  const perCost =
    e.improvement_per_cost === null
      ? e.total_cost > 0
        ? `cost ${formatCost(e.total_cost)}`
        : "no cost recorded"
      : `${s(e.improvement_per_cost)} per $ (total ${formatCost(e.total_cost)})`;
  return [
    [
      "Best",
      e.best_iteration === null
        ? style.dim("-")
        : `iteration ${e.best_iteration}, score ${n(e.best_so_far.at(-1))}${
            e.iterations_since_best
              ? `; no improvement for ${plural(e.iterations_since_best, "iteration")}`
              : ""
          }`,
    ],
    [
      "Efficiency",
      e.improvement_per_iteration === null
        ? `-; ${perCost}`
        : `${s(e.improvement_per_iteration)} per iteration; ${perCost}`,
    ],
    [
      "Change points",
      e.change_points.length === 0
        ? style.dim("none")
        : e.change_points
            .map(
              (c) =>
                `after iteration ${c.after_iteration}: ${n(c.mean_before)} → ${n(c.mean_after)} (p = ${n(c.p)})`,
            )
            .join("; "),
    ],
  ];
}

function overfittingRow(a: TrajectoryAnalysis, style: Style): HeaderRow {
  const o = a.overfitting;
  return [
    "Overfitting",
    o === null
      ? style.dim("- (no Sharpe-like metric)")
      : `risk ${o.risk === "HIGH" ? style.red(o.risk) : o.risk}  DSR ${n(o.dsr)}, PSR ${n(o.psr)}`,
    o === null
      ? undefined
      : `best ${o.metric} ${n(o.sharpe)} at iteration ${o.best_iteration} after ${plural(o.trials, "trial")}, ${o.observations} return observations${o.assumptions.length > 0 ? `; assumed: ${o.assumptions.join("; ")}` : ""}`,
  ];
}

/**
 * The lines of one experiment's analysis. `outlook` is the analysis' outlook
 * in one line (`outlookOf`), passed in so that rendering never loads the
 * analyzers. Text from the records (names, reasons that quote them) is
 * escaped with `terminalSafe` before it is styled.
 */
export function renderAnalysis(
  x: PreparedExperiment,
  a: TrajectoryAnalysis,
  style: Style,
  outlook: string,
): string[] {
  const header: HeaderRow[] = [
    ...trendRows(x, a, style),
    ...distanceRows(a, style),
    outlookRow(a, outlook),
    etaRow(a),
    ...efficiencyRows(a, style),
    overfittingRow(a, style),
  ];
  const lines = renderHeader(header, style);

  const metrics = metricTable(a, style);
  if (metrics.length > 0) {
    lines.push("", style.bold("Metrics with a goal"));
    append(lines, metrics);
  }
  const informational = informationalLines(a, style);
  if (informational.length > 0) {
    lines.push("", style.bold("Informational metrics (no goal: not judged)"));
    append(lines, informational);
  }
  lines.push("");
  append(lines, parameterSection(a, style));
  return lines;
}

/** A metric's trend is judged unless the analysis says it is informational (older analyses judged every metric). */
const isObjective = (m: { role?: string | null }) => m.role !== "informational";

/**
 * The objectives' trends, the direction beside each verdict; a constant
 * objective is one row with its value and no statistics.
 */
function metricTable(a: TrajectoryAnalysis, style: Style): string[] {
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
function informationalLines(a: TrajectoryAnalysis, style: Style): string[] {
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

function parameterSection(a: TrajectoryAnalysis, style: Style): string[] {
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
