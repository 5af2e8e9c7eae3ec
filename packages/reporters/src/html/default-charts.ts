/**
 * The chart engine the report uses unless told otherwise: the package's own
 * Vega-Lite specs (`src/charts/`), rendered to SVG in Node.
 */
import type { TopLevelSpec } from "vega-lite";
import { chartsFor, comparisonCharts, renderSvg } from "../charts/index.js";
import type { ChartEngine } from "./charts.js";

/** The package's charts: Vega-Lite specs rendered to SVG in Node. */
export const defaultChartEngine: ChartEngine = {
  chartsFor: (experiment) => chartsFor(experiment),
  comparisonCharts: (experiments) => comparisonCharts(experiments),
  renderSvg: (spec) => renderSvg(spec as TopLevelSpec),
};
