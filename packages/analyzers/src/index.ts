export {
  type AnalyzeOptions,
  analyzeTrajectory,
  defaultAnalyzers,
  trajectoryAnalyzer,
} from "./analyze-trajectory.js";
export {
  type Classification,
  type ClassifyOptions,
  classifySeries,
  gradientDirection,
  TRAJECTORY_THEIL_SEN,
} from "./classify.js";
export { computeEfficiency } from "./efficiency.js";
export { ETA_WINDOW, estimateIterationsToSuccess, type IterationsEstimate } from "./eta.js";
export { findSharpeMetric, OVERFITTING_METRIC_NAMES, overfittingGuard } from "./overfitting.js";
export {
  estimateParameterImpact,
  type ImpactDirection,
  type ParameterImpact,
  type ParameterImpactOptions,
  type ParameterImpactResult,
} from "./parameter-impact.js";
export {
  assessWithRules,
  isTrajectoryAnalysis,
  type Rule,
  type RuleAdvisorOptions,
  type RuleSettings,
  ruleAdvisor,
  ruleTable,
} from "./rule-advisor.js";
export * from "./stats/index.js";
export type {
  ChangePoint,
  Efficiency,
  MetricTrend,
  OverfittingGuard,
  ScoreTrend,
  TrajectoryAnalysis,
} from "./types.js";
