/**
 * Parameter sensitivity: the estimated effect of each parameter on the score
 * (with its uncertainty), and each parameter's values against the score.
 */
import type { ReportExperiment } from "@converge/core";
import type { TopLevelSpec } from "vega-lite";
import { own } from "../own.js";
import type { ReportParameterImpact } from "../report-data.js";
import { type ChartData, chartData } from "./chart-data.js";
import { chartText } from "./labels.js";
import type { ChartOptions, Layer } from "./layers.js";
import { type ParamKind, parameterValues, scatterPanels } from "./scatter-data.js";
import { COLORS, formatNumber, NUMBER_AXIS, topLevel } from "./theme.js";

/** z for a two-sided 95% interval. */
const Z95 = 1.96;
const DIRECTIONS = ["increase", "decrease", "unclear"];

/** A row of the impact chart. */
interface ImpactRow {
  parameter: string;
  impact: number;
  lo: number;
  hi: number;
  direction: string;
  kind: string;
  changes: number;
  note: string;
  /** The impact as text, drawn beside the bar (a per-unit effect can be too small to see). */
  label: string;
}

function impactLabel(name: string, p: ReportParameterImpact): string {
  if (p.kind !== "categorical" || p.best === undefined) return name;
  return p.current !== undefined && p.current !== p.best
    ? `${name}: ${p.current} → ${p.best}`
    : `${name} (${p.best} is best)`;
}

function impactRows(data: ChartData): ImpactRow[] {
  const params = data.trajectory.parameter_effects?.parameters ?? {};
  const entries = Object.entries(params).filter(([, p]) => p.impact !== null);
  // Most important first: the standardised effect is comparable across units.
  entries.sort(
    ([, a], [, b]) =>
      (b.importance ?? Math.abs(b.impact ?? 0)) - (a.importance ?? Math.abs(a.impact ?? 0)),
  );
  return entries.map(([name, p]) => {
    const impact = p.impact as number;
    const half = p.stderr === null ? 0 : Z95 * p.stderr;
    return {
      parameter: chartText(impactLabel(name, p)),
      impact,
      lo: impact - half,
      hi: impact + half,
      direction: p.direction.toLowerCase(),
      kind: p.kind,
      changes: p.changes,
      label: formatNumber(impact),
      note:
        p.kind === "categorical"
          ? "score change from switching to the best level"
          : "score change per unit increase",
    };
  });
}

/** The impact chart's layers: bars, their ±1.96·stderr rules and labels, and the zero line. */
function impactLayers(): Layer[] {
  return [
    {
      name: "impact",
      mark: { type: "bar", height: { band: 0.6 } },
      encoding: {
        x: {
          field: "impact",
          type: "quantitative",
          title: "impact on gate score",
          axis: NUMBER_AXIS,
        },
        color: {
          field: "direction",
          type: "nominal",
          title: "recommended direction",
          scale: {
            domain: DIRECTIONS,
            range: [COLORS.increase, COLORS.decrease, COLORS.unclear],
          },
        },
        tooltip: [
          { field: "parameter", type: "nominal" },
          { field: "impact", type: "quantitative", format: ".4~g" },
          { field: "lo", type: "quantitative", title: "95% low", format: ".4~g" },
          { field: "hi", type: "quantitative", title: "95% high", format: ".4~g" },
          { field: "changes", type: "quantitative", title: "changes seen" },
          { field: "note", type: "nominal", title: "meaning" },
        ],
      },
    },
    {
      name: "impact_interval",
      mark: { type: "rule", color: "#808080", strokeWidth: 1.5 },
      encoding: { x: { field: "lo", type: "quantitative" }, x2: { field: "hi" } },
    },
    {
      name: "impact_label",
      mark: { type: "text", align: "left", dx: 4, fontSize: 10, color: "#808080" },
      encoding: { x: { field: "hi", type: "quantitative" }, text: { field: "label" } },
    },
    {
      name: "zero",
      data: { values: [{ zero: 0 }] },
      mark: { type: "rule", color: "#808080", strokeDash: [2, 2] },
      encoding: {
        x: { field: "zero", type: "quantitative" },
        y: { value: 0 },
        y2: { value: "height" },
      },
    },
  ];
}

/**
 * Vega-Lite spec of the estimated impact of each parameter on the gate
 * score, from the trajectory analysis (`parameter_effects`): a horizontal bar
 * per parameter (score change per unit increase for a numeric parameter, from
 * switching to the best level for a categorical one), ±1.96·stderr error
 * bars, coloured by the recommended direction, most important first. Without
 * the analysis the chart is empty (and `chartsFor` leaves it out).
 *
 * @param experiment the experiment to chart
 * @param options size (`height` is per bar)
 * @returns a self-contained Vega-Lite spec (inline data)
 */
export function parameterImpactSpec(
  experiment: ReportExperiment,
  options: ChartOptions = {},
): TopLevelSpec {
  const data = chartData(experiment);
  const rows = impactRows(data);
  const y = {
    field: "parameter",
    type: "nominal" as const,
    sort: null,
    title: null,
    axis: { labelLimit: 220 },
  };
  const description =
    `Estimated impact of each parameter on the gate score of ${data.experimentId}` +
    (rows.length
      ? `: ${rows.map((r) => `${r.parameter} ${formatNumber(r.impact)} (${r.direction})`).join(", ")}.`
      : ": no estimate.");
  return {
    ...topLevel(description),
    title: {
      text: "Parameter impact on the gate score",
      subtitle: "per unit increase (numeric) or switching to the best level; bars ±1.96·stderr",
    },
    width: options.width ?? 480,
    height: { step: options.height ?? 26 },
    data: { values: rows },
    encoding: { y },
    layer: impactLayers(),
  };
}

/** Scatter options. */
export interface ParameterScatterOptions extends ChartOptions {
  /**
   * Most points per parameter; more are sampled evenly, keeping the best
   * score and the extremes (default 500: a denser cloud shows no more, and
   * every point costs ~110 bytes of SVG).
   */
  maxPoints?: number;
  /** Most panels when no parameter is named (default 6, the most important first). */
  maxPanels?: number;
  /** Panels per row (default 3). */
  columns?: number;
}

/**
 * The parameters a scatter shows by default: numeric ones that vary, most
 * important first when the analysis ranks them, at most `maxPanels`.
 */
export function scatterParameters(data: ChartData, maxPanels: number): string[] {
  const names: string[] = [];
  const seen = new Set<string>();
  for (const r of data.records)
    for (const name in r.parameters)
      if (!seen.has(name)) {
        seen.add(name);
        names.push(name);
      }
  const effects = data.trajectory.parameter_effects?.parameters ?? {};
  const rank = (n: string) => own(effects, n)?.importance ?? -1;
  return names
    .filter((n) => {
      const p = parameterValues(data, n);
      return p?.kind === "numeric" && new Set(p.values.filter((v) => v !== null)).size > 1;
    })
    .sort((a, b) => rank(b) - rank(a))
    .slice(0, maxPanels);
}

/** The scatter's point mark; a dense cloud is drawn lighter and smaller. */
function scatterMark(dense: boolean) {
  return {
    type: "point" as const,
    filled: true,
    opacity: dense ? 0.45 : 0.8,
    size: dense ? 12 : 36,
    // A dense cloud: squares (half the path text of a circle, the same at 3 px), no per-point labels.
    ...(dense ? { shape: "square", aria: false } : {}),
  };
}

// The parameter's name is the axis (or panel) title and a data value, never an encoding
// title or a facet key: Vega-Lite splices those into expressions, and vega's facet drops
// a group keyed "__proto__".
function scatterEncoding(kind: ParamKind, axisTitle: string | null) {
  return {
    x:
      kind === "categorical"
        ? {
            field: "value",
            type: "nominal" as const,
            axis: { labelLimit: 120, title: axisTitle },
          }
        : {
            field: "value",
            type: "quantitative" as const,
            scale: { zero: false },
            axis: { ...NUMBER_AXIS, title: axisTitle },
          },
    y: {
      field: "score",
      type: "quantitative" as const,
      title: "gate score",
      scale: { domain: [0, 1] },
      axis: NUMBER_AXIS,
    },
    color: { value: COLORS.value },
    tooltip: [
      { field: "parameter", type: "nominal" as const },
      {
        field: "value",
        type: kind === "categorical" ? ("nominal" as const) : ("quantitative" as const),
        format: kind === "categorical" ? undefined : ".4~g",
      },
      { field: "score", type: "quantitative" as const, title: "gate score", format: ".3~g" },
      { field: "iteration", type: "quantitative" as const },
    ],
  };
}

/**
 * Vega-Lite spec of parameter value against gate score, one point per
 * scored iteration: small multiples of every numeric parameter that varies
 * (independent x scales), or the one `parameter` named (numeric or
 * categorical). Records without a gate score are scored with the gate.
 *
 * @param experiment the experiment to chart
 * @param parameter one parameter to show (default: the numeric ones, most important first)
 * @param options size, columns, panels and sampling
 * @returns a self-contained Vega-Lite spec (inline data)
 */
export function parameterScatterSpec(
  experiment: ReportExperiment,
  parameter?: string,
  options: ParameterScatterOptions = {},
): TopLevelSpec {
  const data = chartData(experiment);
  const names =
    parameter !== undefined ? [parameter] : scatterParameters(data, options.maxPanels ?? 6);
  const max = Math.max(10, options.maxPoints ?? 500);
  const { panels, kind, sampled } = scatterPanels(data, names, max);
  const total = panels.reduce((n, p) => n + p.rows.length, 0);
  const mark = scatterMark(total / Math.max(1, names.length) > 200);
  const description =
    `Parameter value against gate score for ${data.experimentId}: ${names.length ? names.join(", ") : "no varying numeric parameter"}.` +
    (sampled
      ? ` Each parameter drawn with at most ${max} evenly spread iterations (best score and extremes kept).`
      : "");
  const width = options.width ?? (parameter !== undefined ? 480 : 200);
  const height = options.height ?? (parameter !== undefined ? 240 : 160);
  if (parameter !== undefined || panels.length === 0) {
    return {
      ...topLevel(description),
      title: {
        text:
          parameter !== undefined
            ? chartText(`${parameter} vs gate score`)
            : "Parameters vs gate score",
      },
      width,
      height,
      data: { values: panels[0]?.rows ?? [] },
      mark,
      encoding: scatterEncoding(kind, parameter !== undefined ? chartText(parameter) : null),
    };
  }
  return {
    ...topLevel(description),
    title: { text: "Parameters vs gate score" },
    columns: Math.max(1, options.columns ?? 3),
    concat: panels.map((p, i) => ({
      name: `parameter_${i}`,
      title: { text: chartText(p.name), fontSize: 11 },
      width,
      height,
      data: { values: p.rows },
      mark,
      encoding: scatterEncoding(kind, null),
    })),
  };
}
