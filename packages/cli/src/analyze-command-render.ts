/** The text and JSON Lines forms of `converge analyze`. */
import type { TrajectoryAnalysis } from "@converge/analyzers";
import { directionText, ownValue, VOCABULARY } from "@converge/core";
import type { PreparedExperiment } from "./analyze-command-load.js";
import { informationalLines, metricTable, parameterSection } from "./analyze-render-tables.js";
import { n, plural, s, safe, styleConvergence, TEXT_WIDTH, wrap } from "./analyze-text.js";
import { formatCost } from "./format.js";
import { formatCriterion } from "./show-render.js";
import type { Style } from "./style.js";
import { width } from "./table.js";
import { append, jsonSafe, maxOf } from "./terminal-text.js";

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
