/**
 * Layer builders shared by the chart specs: series lines, best-so-far steps,
 * threshold and change-point rules. Each layer carries its own inline data,
 * so a spec is a self-contained document.
 */
import type { TopLevelSpec } from "vega-lite";
import type { ChartChangePoint } from "./chart-data.js";
import { chartText } from "./labels.js";
import { downsampleIndices } from "./lttb.js";
import { COLORS, NUMBER_AXIS, POINT_MARKER_LIMIT } from "./theme.js";

type LayeredSpec = Extract<TopLevelSpec, { layer: unknown }>;
/** One layer of a layered spec. */
export type Layer = LayeredSpec["layer"][number];
/** The default most points drawn per series. */
export const MAX_POINTS = 2000;

/** Size and sampling options shared by the chart specs. */
export interface ChartOptions {
  /** Most points drawn per series; longer series are downsampled (default 2,000). */
  maxPoints?: number;
  /** Plot width in pixels (per panel for multi-panel charts). */
  width?: number;
  /** Plot height in pixels (per panel for multi-panel charts). */
  height?: number;
}

/** A row of a drawn series. */
export interface SeriesRow {
  iteration: number;
  /** null where the value is missing or not finite: the line breaks there. */
  value: number | null;
}

/** A legend: label → colour, in legend order. */
export interface Legend {
  domain: string[];
  range: string[];
}

/** Builds a legend from the entries present. */
export function legend(entries: readonly (readonly [string, string] | false)[]): Legend {
  const domain: string[] = [];
  const range: string[] = [];
  for (const e of entries) {
    if (!e || domain.includes(e[0])) continue;
    domain.push(e[0]);
    range.push(e[1]);
  }
  return { domain, range };
}

/**
 * What puts a layer in the legend entry `label`: a constant `series` field
 * (the schema allows no scale or legend on a `datum` colour) and the colour
 * scale of all entries. Labels are fixed words of this package, never user
 * text, since they become expression strings.
 */
export function inLegend(label: string, key: Legend) {
  return {
    transform: [{ calculate: JSON.stringify(label), as: "series" }],
    color: {
      field: "series",
      type: "nominal" as const,
      scale: { domain: key.domain, range: key.range },
      legend: { title: null },
    },
  };
}

/** The iteration axis. */
export function xIteration() {
  return {
    field: "iteration",
    type: "quantitative" as const,
    title: "iteration",
    axis: { format: "d", tickMinStep: 1 },
    scale: { zero: false, nice: false },
  };
}

/**
 * The rows to draw for a series: every point, or its LTTB downsample (with
 * the extremes and gaps kept) when longer than `maxPoints`.
 *
 * @returns the rows and how many points the series had and how many are drawn
 */
export function seriesRows(
  xs: readonly number[],
  ys: readonly number[],
  maxPoints = MAX_POINTS,
): { rows: SeriesRow[]; total: number; drawn: number } {
  const indices = downsampleIndices(xs, ys, maxPoints);
  const rows: SeriesRow[] = [];
  let drawn = 0;
  let total = 0;
  for (const y of ys) if (Number.isFinite(y)) total++;
  for (const i of indices) {
    const y = ys[i] as number;
    const finite = Number.isFinite(y);
    if (finite) drawn++;
    rows.push({ iteration: xs[i] as number, value: finite ? y : null });
  }
  return { rows, total, drawn };
}

/**
 * The points where a best-so-far series changes, plus its last point: with
 * "step-after" interpolation that draws the exact staircase in few points.
 * A staircase of more than `maxPoints` steps (a series improving at nearly
 * every iteration) is downsampled like any series.
 */
export function stepRows(
  xs: readonly number[],
  best: readonly number[],
  maxPoints = MAX_POINTS,
): SeriesRow[] {
  const rows: SeriesRow[] = [];
  let previous = Number.NaN;
  for (let i = 0; i < best.length; i++) {
    const v = best[i] as number;
    if (!Number.isFinite(v)) continue;
    if (v !== previous) rows.push({ iteration: xs[i] as number, value: v });
    previous = v;
  }
  const lastX = xs[best.length - 1];
  const last = rows.at(-1);
  if (last && lastX !== undefined && last.iteration !== lastX)
    rows.push({ iteration: lastX, value: last.value });
  if (rows.length <= maxPoints) return rows;
  const kept = downsampleIndices(
    rows.map((r) => r.iteration),
    rows.map((r) => r.value as number),
    maxPoints,
  );
  return kept.map((i) => rows[i] as SeriesRow);
}

export interface LineOptions {
  name: string;
  /** The legend entry: a fixed word of this package, never user text (it becomes an expression). */
  label: string;
  legend: Legend;
  /** The y axis title; may be user text (a metric name). */
  yTitle: string;
  /** Fixed y domain, e.g. [0, 1] for scores. */
  yDomain?: [number, number];
  /** Draw as a staircase (best so far). */
  step?: boolean;
  dash?: number[];
  /** A marker per point (only below `POINT_MARKER_LIMIT` points). */
  points?: boolean;
}

/** A line of `rows` in the legend entry `label`. */
export function lineLayer(rows: SeriesRow[], o: LineOptions): Layer {
  const showPoints = o.points === true && rows.length <= POINT_MARKER_LIMIT;
  const entry = inLegend(o.label, o.legend);
  return {
    name: o.name,
    data: { values: rows },
    transform: entry.transform,
    mark: {
      type: "line",
      clip: true,
      ...(o.step ? { interpolate: "step-after" as const } : {}),
      ...(o.dash ? { strokeDash: o.dash } : {}),
      ...(showPoints ? { point: true } : {}),
      // A long line's per-point descriptions would bloat the SVG; the table has the numbers.
      ...(rows.length > POINT_MARKER_LIMIT ? { aria: false } : {}),
    },
    encoding: {
      x: xIteration(),
      y: {
        field: "value",
        type: "quantitative",
        // The axis title, not the encoding's: Vega-Lite splices an encoding title into expressions.
        scale: o.yDomain ? { domain: o.yDomain } : { zero: false },
        axis: { ...NUMBER_AXIS, title: chartText(o.yTitle) },
      },
      color: entry.color,
      ...(showPoints
        ? {
            tooltip: [
              { field: "iteration", type: "quantitative" as const, title: "iteration" },
              { field: "value", type: "quantitative" as const, title: o.label, format: ".4~g" },
            ],
          }
        : {}),
    },
  };
}

/** A row of a horizontal rule: a y value and its label. */
export interface RuleRow {
  y: number;
  text: string;
}

/** Horizontal rules (thresholds, the pass line) with a label above each. */
export function thresholdLayers(
  rules: RuleRow[],
  name: string,
  label: string,
  key: Legend,
): Layer[] {
  if (!rules.length) return [];
  const entry = inLegend(label, key);
  return [
    {
      name,
      data: { values: rules },
      transform: entry.transform,
      mark: { type: "rule", strokeDash: [6, 4] },
      encoding: {
        y: { field: "y", type: "quantitative" },
        color: entry.color,
        tooltip: [{ field: "text", type: "nominal" as const, title: label }],
      },
    },
    {
      name: `${name}_label`,
      data: { values: rules },
      mark: { type: "text", align: "left", baseline: "bottom", dx: 4, dy: -2, fontSize: 10 },
      encoding: {
        x: { value: 0 },
        y: { field: "y", type: "quantitative" },
        text: { field: "text" },
        color: { value: COLORS.threshold },
      },
    },
  ];
}

/**
 * Vertical dotted rules at the change points of the score; in the legend
 * `key` when given, else plain grey (when the colour scale shows something else).
 */
export function changePointLayer(
  points: ChartChangePoint[],
  name: string,
  key: Legend | null,
): Layer[] {
  if (!points.length) return [];
  const entry = key ? inLegend("change point", key) : null;
  return [
    {
      name,
      data: { values: points.map((p) => ({ iteration: p.x, text: p.label })) },
      ...(entry ? { transform: entry.transform } : {}),
      mark: { type: "rule", strokeDash: [2, 3] },
      encoding: {
        x: { field: "iteration", type: "quantitative" },
        color: entry ? entry.color : { value: COLORS.changePoint },
        tooltip: [{ field: "text", type: "nominal" as const, title: "change point" }],
      },
    },
  ];
}

/** "showing 2,000 of 10,000 points" when a series was downsampled, else "". */
export function samplingNote(drawn: number, total: number): string {
  return drawn < total
    ? ` Drawn with ${drawn.toLocaleString("en-US")} of ${total.toLocaleString("en-US")} points (downsampled, extremes kept).`
    : "";
}
