/**
 * The chart layer: Vega-Lite specs (the one description of every chart),
 * their server-side SVG rendering, and the downsampling behind long series.
 */
export {
  type ChartEntry,
  chartsFor,
  comparisonCharts,
  type RenderedChart,
  renderCharts,
} from "./charts-for.js";
export { type ComparisonOptions, comparisonSpec } from "./comparison.js";
export { distanceToGoalSpec } from "./distance-to-goal.js";
export { gateScoreSpec } from "./gate-score.js";
export { type ChartOptions, MAX_POINTS } from "./layers.js";
export { downsampleIndices, lttbIndices } from "./lttb.js";
export { type MetricTrajectoryOptions, metricTrajectorySpec } from "./metric-trajectory.js";
export {
  type ParameterScatterOptions,
  parameterImpactSpec,
  parameterScatterSpec,
} from "./parameter-charts.js";
export { type RenderSvgOptions, renderSvg } from "./render-svg.js";
export { CHART_CONFIG, PALETTE, VEGA_LITE_SCHEMA } from "./theme.js";
