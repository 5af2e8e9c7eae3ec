/**
 * The analysis this package produces. Its shape is core's analysis contract
 * (`TrajectoryAnalysisSchema` in `@converge/core`), so that reports and
 * prompts read it without importing this package. Readers must allow for
 * absent fields; what this package writes has them all, hence `Complete`.
 */
import type {
  Complete,
  CompleteTrajectoryAnalysis,
  ChangePoint as CoreChangePoint,
  Efficiency as CoreEfficiency,
  MetricTrend as CoreMetricTrend,
  OverfittingGuard as CoreOverfittingGuard,
  ScoreTrend as CoreScoreTrend,
} from "@converge/core";

/** The trend of one metric. Every number is null where it cannot be computed. */
export type MetricTrend = Complete<CoreMetricTrend>;
/** The trend of the score the loop is judged by. */
export type ScoreTrend = Complete<CoreScoreTrend>;
/** A point where the course changed (Pettitt). */
export type ChangePoint = Complete<CoreChangePoint>;
/** Is each iteration worth it? */
export type Efficiency = Complete<CoreEfficiency>;
/** Overfitting guard for the best iteration's Sharpe ratio (Bailey & López de Prado). */
export type OverfittingGuard = Complete<CoreOverfittingGuard>;
/** An experiment trajectory with every analysis part, as `analyzeTrajectory` returns it. */
export type TrajectoryAnalysis = CompleteTrajectoryAnalysis;
