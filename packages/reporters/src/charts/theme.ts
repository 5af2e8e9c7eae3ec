/**
 * The look shared by every chart: a transparent background, mid-grey text and
 * axes that read on white and in dark mode, and the Okabe–Ito colour-blind-safe
 * palette (without its black and yellow, which vanish on one of the two
 * backgrounds). Text carries `fill` presentation attributes in the SVG, so a
 * page's CSS can still restyle it.
 */
import { formatMetricValue } from "@converge/core";
import type { Config, TopLevelSpec } from "vega-lite";

/** The Vega-Lite JSON schema the specs declare. */
export const VEGA_LITE_SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json";

/** Okabe–Ito: blue, orange, green, pink, sky blue, vermillion. */
export const PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00"] as const;

/** Colours with a fixed meaning across charts. */
export const COLORS = {
  value: "#0072B2",
  best: "#E69F00",
  threshold: "#D55E00",
  projection: "#009E73",
  changePoint: "#999999",
  increase: "#0072B2",
  decrease: "#D55E00",
  unclear: "#999999",
} as const;

/** Mid-grey: about 4:1 contrast on white and on a near-black page. */
export const INK = "#808080";
const GRID = "rgba(128,128,128,0.22)";
const FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif";

/**
 * Axis labels with the digits that say something: up to six significant
 * digits with trailing zeros dropped (`755`, not `755.000000`, which is what
 * vega's own tick format writes for a constant series; `0.3`, not `0.30`;
 * `12,500`), and values that are huge or tiny in exponent form (4e+21, not
 * "4,000,000,000,000,000,000"). A fixed expression: no user text enters it.
 */
export const NUMBER_AXIS = {
  labelExpr:
    "abs(datum.value) >= 1e6 || (datum.value != 0 && abs(datum.value) < 1e-4) ? format(datum.value, '.2~e') : format(datum.value, ',~g')",
};

/** Above this many points a line is drawn without a marker per point. */
export const POINT_MARKER_LIMIT = 200;

/** The default Vega-Lite config of every chart. */
export const CHART_CONFIG: Config = {
  background: "transparent",
  font: FONT,
  padding: 8,
  view: { stroke: GRID },
  axis: {
    domainColor: INK,
    tickColor: INK,
    gridColor: GRID,
    labelColor: INK,
    titleColor: INK,
    titleFontWeight: "normal",
    labelFontSize: 11,
    titleFontSize: 11,
    // Room between labels: fonts differ from the widths the layout assumes.
    labelSeparation: 4,
  },
  legend: {
    labelColor: INK,
    titleColor: INK,
    labelLimit: 220,
    titleLimit: 300,
    titleFontWeight: "normal",
    orient: "bottom",
    direction: "horizontal",
    // Legend symbols stay solid even when a shaded area shares the colour.
    symbolOpacity: 1,
  },
  header: { labelColor: INK, titleColor: INK, labelFontSize: 12, labelLimit: 300 },
  title: {
    color: INK,
    subtitleColor: INK,
    anchor: "start",
    fontSize: 14,
    fontWeight: 600,
    limit: 640,
  },
  range: { category: [...PALETTE] },
  line: { strokeWidth: 1.75 },
  point: { filled: true, size: 28 },
  rule: { strokeWidth: 1.25 },
};

/** The top-level keys every spec shares: schema, theme and a description for screen readers. */
export function topLevel(description: string): Pick<TopLevelSpec, "$schema" | "config"> & {
  description: string;
} {
  return { $schema: VEGA_LITE_SCHEMA, description, config: CHART_CONFIG };
}

/** Short number text for titles and labels: core's `formatMetricValue` (4 significant digits, no trailing zeros). */
export function formatNumber(v: number): string {
  return formatMetricValue(v);
}
