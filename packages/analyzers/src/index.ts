export {
  type AnalyzeOptions,
  analyzeTrajectory,
  defaultAnalyzers,
  type TrajectoryAnalyzerOptions,
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
export { estimateIterationsToSuccess, type IterationsEstimate } from "./eta.js";
export { etaText, horizonText, outlookText, probabilityText } from "./outlook.js";
export { findSharpeMetric, OVERFITTING_METRIC_NAMES, overfittingGuard } from "./overfitting.js";
export {
  estimateParameterImpact,
  type ImpactDirection,
  type ParameterImpact,
  type ParameterImpactOptions,
  type ParameterImpactResult,
} from "./parameter-impact.js";
export {
  type DampedTrendPrior,
  DEFAULT_DAMPED_TREND_PRIOR,
} from "./predictive-model.js";
export { type BreakthroughPrior, DEFAULT_BREAKTHROUGH_PRIOR } from "./predictive-paths.js";
export {
  assessWithRules,
  DEFAULT_STOP_BELOW,
  isTrajectoryAnalysis,
  type Rule,
  type RuleAdvisorOptions,
  type RuleSettings,
  ruleAdvisor,
  ruleTable,
} from "./rule-advisor.js";
export {
  DEFAULT_HORIZON,
  ETA_LEVEL,
  ETA_MIN_HORIZON,
  PREDICTIVE_WINDOW,
  type PredictiveSettings,
  predictPasses,
  type SuccessProbability,
} from "./success-probability.js";
export type {
  ChangePoint,
  Efficiency,
  MetricTrend,
  OverfittingGuard,
  ScoreTrend,
  TrajectoryAnalysis,
} from "./types.js";
