import type { ConvergenceStatus, ExperimentTrajectory, MetricGoal } from "@converge/core";
import type { IterationsEstimate } from "./eta.js";
import type { ParameterImpactResult } from "./parameter-impact.js";
import type { SuccessProbability } from "./success-probability.js";

/** The trend of one metric. Every number is null where it cannot be computed. */
export interface MetricTrend {
  goal: MetricGoal;
  /** Finite observations used. */
  n: number;
  /** Ordinary least-squares slope per iteration: the seed's number (raw, not signed by goal). */
  ols_slope: number | null;
  /** Theil–Sen slope per iteration (raw) with Sen's 95% interval. */
  theil_sen: {
    slope: number | null;
    low: number | null;
    high: number | null;
    method: "exact" | "sampled";
  };
  /** Mann–Kendall test of the raw series; `exact` when p is from the exact distribution (n ≤ 10, no ties). */
  mann_kendall: { s: number; z: number | null; p: number | null; exact: boolean };
  /** Theil–Sen slope signed so that positive means better (negated for "minimize" metrics). */
  improvement_rate: number | null;
  status: ConvergenceStatus;
  reason: string;
}

/** The trend of the score the loop is judged by. */
export interface ScoreTrend {
  /** "gate_score", or "objective:<metric>" when the records carry no gate score. */
  source: string;
  /** The goal-signed score per iteration (NaN where missing). */
  history: number[];
  status: ConvergenceStatus;
  reason: string;
  slope: number | null;
  slope_low: number | null;
  slope_high: number | null;
  p: number | null;
}

/** A point where the course changed (Pettitt). */
export interface ChangePoint {
  /** Iteration number of the last iteration before the change. */
  after_iteration: number;
  /** Mean score before and after. */
  mean_before: number;
  mean_after: number;
  p: number;
}

/** Is each iteration worth it? */
export interface Efficiency {
  /** Theil–Sen slope of the score per iteration (positive = better). */
  improvement_per_iteration: number | null;
  /** Score gained per unit of cost (USD): (best − first) / total cost; null without cost. */
  improvement_per_cost: number | null;
  /** Best score so far after each iteration. */
  best_so_far: number[];
  /** Iteration number of the best score. */
  best_iteration: number | null;
  /** Iterations since the best score last improved. */
  iterations_since_best: number | null;
  total_cost: number;
  /** Significant change points of the score (p < 0.05), at most one per segment. */
  change_points: ChangePoint[];
}

/** Overfitting guard for the best iteration's Sharpe ratio (Bailey & López de Prado). */
export interface OverfittingGuard {
  metric: string;
  best_iteration: number;
  /** The best iteration's Sharpe as recorded, and per period as used. */
  sharpe: number;
  sharpe_per_period: number;
  /** Iterations tried (every iteration counts, failed ones included). */
  trials: number;
  /** Observations behind the Sharpe (returns), from `<metric>_observations`/`num_observations` or assumed. */
  observations: number;
  /** P[true Sharpe > 0]. */
  psr: number | null;
  /** Expected maximum Sharpe of `trials` unskilled tries (per period). */
  sr0: number | null;
  /** P[true Sharpe > sr0]: the Deflated Sharpe Ratio. */
  dsr: number | null;
  /** "LOW" (dsr ≥ 0.95), "MEDIUM" (≥ 0.5), "HIGH" (< 0.5), "UNKNOWN". */
  risk: "LOW" | "MEDIUM" | "HIGH" | "UNKNOWN";
  /** What was assumed because the records did not say. */
  assumptions: string[];
}

/**
 * The seed's `ExperimentTrajectory`, done right, plus the evidence behind it.
 * The seed's fields keep their names and meanings (improvement_rates is the
 * raw OLS slope); the rest are additions.
 */
export interface TrajectoryAnalysis extends ExperimentTrajectory {
  metric_trends: Record<string, MetricTrend>;
  score_trend: ScoreTrend;
  /** Normalised distance of each gate criterion at the last iteration (0 = passing). */
  distance_by_criterion: Record<string, number>;
  iterations_to_success: IterationsEstimate;
  /** The probability that the gate passes within the iterations left (or a stated horizon). */
  success_probability: SuccessProbability;
  parameter_effects: ParameterImpactResult;
  efficiency: Efficiency;
  overfitting: OverfittingGuard | null;
}
