export * from "./charts/index.js";
export {
  ReportInputError,
  ReportWriteError,
  type ReportWriteErrorOptions,
} from "./errors.js";
export { type HtmlReportOptions, renderHtmlReport, writeHtmlReport } from "./html/document.js";
export type { LiveReportOptions, LiveState } from "./html/live.js";
export { UnsafeSvgError } from "./html/svg.js";
export type { MarkdownCharts } from "./markdown/charts.js";
export {
  type MarkdownReport,
  type MarkdownReportOptions,
  renderMarkdownReport,
} from "./markdown/render.js";
export { type WriteMarkdownOptions, writeMarkdownReport } from "./markdown/write.js";
export {
  type ReportChangePoint,
  type ReportEfficiency,
  type ReportImpactDirection,
  type ReportIterationsEstimate,
  type ReportMetricTrend,
  type ReportParameterEffects,
  type ReportParameterImpact,
  type ReportScoreTrend,
  type ReportTrajectory,
  reportTrajectory,
} from "./report-data.js";
export { htmlReporter, markdownReporter } from "./reporters.js";
export type { ChartDescription, ChartEngine } from "./view-model/chart-engine.js";
export { type AtomicWriteOptions, writeFileAtomic } from "./write-file.js";
