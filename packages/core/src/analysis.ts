/**
 * The trajectory analysis: what an analyzer adds to an `ExperimentTrajectory`
 * (trends with intervals, the score trend, the ETA range, the success
 * probability, parameter effects, efficiency, the overfitting guard).
 *
 * Producers (`@converge/analyzers`) write it; readers (reports, LLM prompts)
 * read it from a trajectory that may have been written by another version or
 * another producer. So the shape is declared here once, as zod schemas that
 * are also the readers' contract: a field that older analyses lack, or that a
 * reader can do without, is optional, and an enum value a reader does not know
 * reads as absent rather than failing the part. A reader parses one part (and
 * one metric or parameter) at a time and leaves out what does not parse, so a
 * malformed part never costs it the others.
 */
import { z } from "zod";
import { MetricRoleSchema } from "./metric-role.js";
import { MetricGoalSchema } from "./metric-spec.js";
import { nameMapSchema } from "./names.js";
import { ConvergenceStatusSchema, ExperimentTrajectorySchema } from "./trajectory.js";

/**
 * The version of the analysis shape a producer writes in `analysis_version`.
 * It changes only when a field changes meaning or a required field is added;
 * new optional fields keep it. An analysis without the field is version 1.
 */
export const TRAJECTORY_ANALYSIS_VERSION = 1;

/** Any number, NaN and infinities included: a reader checks finiteness where it matters. */
const num = z.custom<number>((v) => typeof v === "number", "expected a number");
/** A number that may be unknown (null) or absent. */
const maybe = num.nullable().optional();

/** An optional enum field; a value the reader does not know reads as absent. */
function known<const T extends readonly [string, ...string[]]>(values: T) {
  return z.enum(values).optional().catch(undefined);
}

/**
 * The trend of one metric. Numbers are null where they cannot be computed.
 * An informational metric (`role`, docs/vocabulary.md) has the raw
 * statistics but no goal, no improvement rate and no status.
 */
export const MetricTrendSchema = z.looseObject({
  /**
   * "objective" (a goal is stated: a spec, a gate criterion, or the score's
   * metric) or "informational". Absent in older analyses, which judged every
   * metric: read absent as "objective".
   */
  role: MetricRoleSchema.optional().catch(undefined),
  /** Which way is better; null for an informational metric. */
  goal: MetricGoalSchema.nullable().optional().catch(undefined),
  /** Finite observations used. */
  n: num.optional(),
  /** Ordinary least-squares slope per iteration (raw, not signed by goal). */
  ols_slope: maybe,
  /** Theil–Sen slope per iteration (raw) with Sen's 95% interval. */
  theil_sen: z.looseObject({
    slope: num.nullable(),
    low: maybe,
    high: maybe,
    method: known(["exact", "sampled"]),
  }),
  /** Mann–Kendall test of the raw series; `exact` when p is from the exact distribution. */
  mann_kendall: z
    .looseObject({ s: num.optional(), z: maybe, p: maybe, exact: z.boolean().optional() })
    .optional(),
  /** Theil–Sen slope signed so that positive means better (negated for "minimize" metrics); null for an informational metric. */
  improvement_rate: maybe,
  /** The convergence verdict (docs/vocabulary.md); null for an informational metric. */
  status: ConvergenceStatusSchema.nullable().optional().catch(undefined),
  reason: z.string().optional(),
  /** Two or more finite values, all equal (`metricSpan`): shown as one line. */
  constant: z.boolean().optional(),
});
export type MetricTrend = z.output<typeof MetricTrendSchema>;

/** The trend of the score the loop is judged by. */
export const ScoreTrendSchema = z.looseObject({
  /** "gate_score", or "objective:<metric>" when the records carry no gate score. */
  source: z.string().optional(),
  /** The goal-signed score per iteration (NaN where missing). */
  history: z.array(num).optional(),
  status: ConvergenceStatusSchema.optional().catch(undefined),
  reason: z.string().optional(),
  slope: maybe,
  slope_low: maybe,
  slope_high: maybe,
  p: maybe,
});
export type ScoreTrend = z.output<typeof ScoreTrendSchema>;

/** A point where the score's course changed (Pettitt). */
export const ChangePointSchema = z.looseObject({
  /** Iteration number of the last iteration before the change. */
  after_iteration: num,
  /** Mean score before and after the change. */
  mean_before: num,
  mean_after: num,
  /** The test's p-value. */
  p: num.optional(),
});
export type ChangePoint = z.output<typeof ChangePointSchema>;

/** Is each iteration worth it? */
export const EfficiencySchema = z.looseObject({
  /** Theil–Sen slope of the score per iteration (positive = better). */
  improvement_per_iteration: maybe,
  /** Score gained per unit of cost (USD): (best − first) / total cost; null without cost. */
  improvement_per_cost: maybe,
  /** Best (goal-signed) score so far after each iteration; NaN (JSON null) before the first score. */
  best_so_far: z.array(num.nullable()).optional(),
  /** Iteration number of the best score. */
  best_iteration: maybe,
  /** Iterations since the best score last improved. */
  iterations_since_best: maybe,
  /** Cost (USD) of every iteration so far. */
  total_cost: num.optional(),
  /** Significant change points of the score (p < 0.05), at most one per segment. */
  change_points: z.array(ChangePointSchema).optional(),
});
export type Efficiency = z.output<typeof EfficiencySchema>;

/** How many more iterations until the gate first passes. */
export const IterationsEstimateSchema = z.looseObject({
  /** Median (whole iterations, ≥ 1 while failing, 0 when passing); null when it cannot be estimated. */
  estimate: num.nullable(),
  /** Lower end of the range. */
  low: maybe,
  /** Upper end of the range; null when it never gets there or is unknown. */
  high: maybe,
  /**
   * The probability that the true number lies in [low, high], given that the
   * gate passes within `horizon`, e.g. 0.8. Absent in analyses written before
   * the range had a stated level: show no level then.
   */
  level: num.optional(),
  /** The futures the range is over pass within this many iterations; null without a range. */
  horizon: maybe,
  /** The model behind it ("predictive"; older analyses: "linear", "saturating"); null without one. */
  model: z.string().nullable().optional(),
  reason: z.string().optional(),
});
export type IterationsEstimate = z.output<typeof IterationsEstimateSchema>;

/** The probability that the gate passes within the iterations ahead. */
export const SuccessProbabilitySchema = z.looseObject({
  /**
   * P(the gate passes at least once within the next `horizon` iterations), in
   * [0, 1]; 1 when the last iteration passes; null when there is nothing to
   * predict (no score and no goal).
   */
  probability: num.nullable(),
  /** Iterations looked ahead: the iterations left in the budget, or the default horizon. */
  horizon: num,
  /** "budget": `horizon` is what is left of the loop's budget; "default": no budget was known. */
  horizon_source: known(["budget", "default"]),
  /**
   * What was predicted: "criteria" (each gate criterion's metric), "gate_score"
   * (the recorded score, without a gate spec), "objective" (one metric with a
   * threshold), "none".
   */
  basis: known(["criteria", "gate_score", "objective", "none"]),
  /** Per predicted criterion (keys as in `distance_by_criterion`): P(it alone passes within the horizon). */
  by_criterion: nameMapSchema(num).optional(),
  reason: z.string().optional(),
});
export type SuccessProbability = z.output<typeof SuccessProbabilitySchema>;

/** The direction a parameter should move to improve the score. */
export const ImpactDirectionSchema = z.enum(["INCREASE", "DECREASE", "UNCLEAR"]);
export type ImpactDirection = z.output<typeof ImpactDirectionSchema>;

/** The estimated effect of one parameter on the score. */
export const ParameterImpactSchema = z.looseObject({
  kind: known(["numeric", "categorical"]),
  /** Numeric: score change per unit increase; categorical: change from `current` to `best`. Null when not estimable. */
  impact: num.nullable(),
  /** Standard error of `impact`; null when not estimable. */
  stderr: maybe,
  /** Standardised effect, comparable across parameters and units. */
  importance: maybe,
  /** Scored transitions in which the parameter changed. */
  changes: num.optional(),
  direction: ImpactDirectionSchema.optional().catch(undefined),
  /** Categorical: score effect of each level relative to `reference` (which is 0). */
  levels: nameMapSchema(num).optional(),
  /** Categorical: the level the others are compared with. */
  reference: z.string().optional(),
  /** Categorical: the level in use and the level with the highest estimated effect. */
  current: z.string().optional(),
  best: z.string().optional(),
});
export type ParameterImpact = z.output<typeof ParameterImpactSchema>;

/** The joint estimate of every parameter's effect on the score. */
export const ParameterEffectsSchema = z.looseObject({
  /** Per parameter that entered the regression, in order of first appearance. */
  parameters: nameMapSchema(ParameterImpactSchema),
  /** Parameter → why it has no estimate. */
  skipped: nameMapSchema(z.string()).optional(),
  /** "ols", "ridge", or "none" when fewer than two scored transitions or no usable parameter. */
  method: known(["ols", "ridge", "none"]),
  /** Ridge penalty on the standardised scale; null otherwise. */
  lambda: maybe,
  /** Score change per transition that no parameter change explains (the loop's own drift). */
  drift: maybe,
  /** Transitions used: consecutive records that both have finite scores. */
  observations: num.optional(),
});
export type ParameterEffects = z.output<typeof ParameterEffectsSchema>;

/** Overfitting guard for the best iteration's Sharpe ratio (Bailey & López de Prado). */
export const OverfittingGuardSchema = z.looseObject({
  metric: z.string(),
  best_iteration: num,
  /** The best iteration's Sharpe as recorded, and per period as used. */
  sharpe: num,
  sharpe_per_period: num.optional(),
  /** Iterations tried (every iteration counts, failed ones included). */
  trials: num,
  /** Observations behind the Sharpe (returns). */
  observations: num,
  /** P[true Sharpe > 0]. */
  psr: maybe,
  /** Expected maximum Sharpe of `trials` unskilled tries (per period). */
  sr0: maybe,
  /** P[true Sharpe > sr0]: the Deflated Sharpe Ratio. */
  dsr: maybe,
  /** "LOW" (dsr ≥ 0.95), "MEDIUM" (≥ 0.5), "HIGH" (< 0.5), "UNKNOWN" (also for a value not known here). */
  risk: z.enum(["LOW", "MEDIUM", "HIGH", "UNKNOWN"]).catch("UNKNOWN"),
  /** What was assumed because the records did not say. */
  assumptions: z.array(z.string()).optional(),
});
export type OverfittingGuard = z.output<typeof OverfittingGuardSchema>;

/**
 * An experiment trajectory with its analysis. Every part is optional: an
 * analysis written before a part existed, or by a producer that does not
 * compute it, lacks it. `analysis_version` is absent in version 1 analyses.
 */
export const TrajectoryAnalysisSchema = ExperimentTrajectorySchema.extend({
  analysis_version: num.optional(),
  metric_trends: nameMapSchema(MetricTrendSchema).optional(),
  score_trend: ScoreTrendSchema.optional(),
  /** Normalised distance of each gate criterion at the last iteration (0 = passing). */
  distance_by_criterion: nameMapSchema(num).optional(),
  iterations_to_success: IterationsEstimateSchema.optional(),
  /** The probability that the gate passes within the iterations left (or a stated horizon). */
  success_probability: SuccessProbabilitySchema.optional(),
  parameter_effects: ParameterEffectsSchema.optional(),
  efficiency: EfficiencySchema.optional(),
  /** null when there is no Sharpe metric to guard. */
  overfitting: OverfittingGuardSchema.nullable().optional(),
});
export type TrajectoryAnalysis = z.output<typeof TrajectoryAnalysisSchema>;

/** The keys of the analysis parts a trajectory may carry. */
export type TrajectoryAnalysisPart =
  | "metric_trends"
  | "score_trend"
  | "distance_by_criterion"
  | "iterations_to_success"
  | "success_probability"
  | "parameter_effects"
  | "efficiency"
  | "overfitting";

/** Fields that stay optional in a complete analysis: only categorical parameters have them. */
type OptionalByDesign = "levels" | "reference" | "current" | "best";

/**
 * `T` with every optional field present (recursively), as a producer that
 * computes every field writes it; the categorical-only fields of a parameter
 * impact stay optional. Null stays: it is a value ("unknown").
 */
export type Complete<T> = T extends readonly (infer U)[]
  ? Complete<U>[]
  : T extends object
    ? {
        [K in keyof T as K extends OptionalByDesign ? never : K]-?: Complete<
          Exclude<T[K], undefined>
        >;
      } & {
        [K in keyof T as K extends OptionalByDesign ? K : never]?: Complete<
          Exclude<T[K], undefined>
        >;
      }
    : T;

/** A trajectory analysis with every part and field present, as an analyzer that computes them all writes it. */
export type CompleteTrajectoryAnalysis = Complete<TrajectoryAnalysis>;

/**
 * Parses one analysis part of a trajectory; undefined when it is absent or
 * malformed. Never throws.
 *
 * @param trajectory the trajectory (any value: a non-object has no parts)
 * @param key the part to read
 * @returns the part as the schema reads it, or undefined
 */
export function analysisPart<K extends TrajectoryAnalysisPart>(
  trajectory: unknown,
  key: K,
): Exclude<TrajectoryAnalysis[K], undefined> | undefined {
  if (trajectory === null || typeof trajectory !== "object" || !Object.hasOwn(trajectory, key)) {
    return undefined;
  }
  const value = (trajectory as Record<string, unknown>)[key];
  if (value === undefined) return undefined;
  const schema: z.ZodType = TrajectoryAnalysisSchema.shape[key];
  const result = schema.safeParse(value);
  return result.success ? (result.data as Exclude<TrajectoryAnalysis[K], undefined>) : undefined;
}
