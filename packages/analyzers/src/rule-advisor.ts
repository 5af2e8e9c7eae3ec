/**
 * The rule advisor: the embedded, offline default `Advisor`. It reads the
 * trajectory analysis and fills the same `TrajectoryAssessment` an LLM
 * advisor fills, by a small documented rule table (see `ruleTable`). It stops
 * a loop (PIVOT or ABANDON) only when the success probability P (that the gate
 * passes within the iterations left; without a budget, within `horizon`) is
 * below `stopBelow`, never from a point extrapolation:
 *
 * | rule | when (first match wins)                                                    | next action |
 * | ---- | -------------------------------------------------------------------------- | ----------- |
 * | R0   | fewer than 3 scored iterations (INSUFFICIENT_DATA)                         | CONTINUE    |
 * | R1   | the last iteration passes the gate                                         | CONTINUE    |
 * | R2   | the budget is known and spent                                              | ABANDON     |
 * | R3   | P ≥ stopBelow                                                              | CONTINUE    |
 * | R4   | P < stopBelow and the best iteration's overfitting risk is HIGH            | ABANDON     |
 * | R5   | P < stopBelow, and DIVERGING or no improvement for ≥ abandonAfter (15)     | ABANDON     |
 * | R6   | P < stopBelow                                                              | PIVOT       |
 * | R7   | no goal (no P): no improvement for ≥ patience (5) and not CONVERGING       | PIVOT       |
 * | R8   | no goal (no P), otherwise                                                  | CONTINUE    |
 *
 * Deterministic: the same input gives the same assessment.
 */
import {
  type Advice,
  type Advisor,
  type AdvisorInput,
  ConfigurationError,
  type ExperimentRecord,
  type ExperimentTrajectory,
  inIterationOrder,
  type TrajectoryAssessment,
  TrajectoryAssessmentSchema,
} from "@converge/core";
import { analyzeTrajectory } from "./analyze-trajectory.js";
import { outlookText } from "./outlook.js";
import { type Facts, gatherFacts, type RuleSettings } from "./rule-advisor-facts.js";
import { changeEffectiveness, confidenceOf, likelihoodOf } from "./rule-advisor-judgement.js";
import { decide } from "./rule-advisor-rules.js";
import {
  keyFindings,
  num,
  parameterRecommendations,
  specificRecommendations,
} from "./rule-advisor-text.js";
import { DEFAULT_HORIZON, experimentBudget, iterationsUsed } from "./success-probability.js";
import type { TrajectoryAnalysis } from "./types.js";

export type { RuleSettings } from "./rule-advisor-facts.js";
export { type Rule, ruleTable } from "./rule-advisor-rules.js";

export interface RuleAdvisorOptions {
  /**
   * Stop (PIVOT or ABANDON) only when the probability that the gate passes
   * within the iterations left is below this. Default `DEFAULT_STOP_BELOW`,
   * chosen on the decision benchmark's tuning loops (see the README).
   */
  stopBelow?: number;
  /** Iterations the probability looks ahead when no budget is known. Default 20. */
  horizon?: number;
  /** The loop's total budget of iterations; P and rule R2 use what is left. */
  maxIterations?: number;
  /** Without a goal (no P): iterations without improvement before PIVOT. Default 5. */
  patience?: number;
  /** Iterations without improvement after which a stop is ABANDON rather than PIVOT. Default 3 × patience. */
  abandonAfter?: number;
  /**
   * The rise of the best score that counts as an improvement. Default 0.01 on
   * a gate score; 1% of the larger of the score's range and its median
   * magnitude when the score is an objective metric.
   */
  minImprovement?: number;
}

function positiveInteger(name: string, value: number | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!Number.isInteger(value) || value < 1) {
    throw new ConfigurationError(`ruleAdvisor: ${name} must be a positive integer, got ${value}.`, {
      hint: `ruleAdvisor({ ${name}: 5 })`,
    });
  }
  return value;
}

function settingsFrom(options: RuleAdvisorOptions): RuleSettings {
  const patience = positiveInteger("patience", options.patience) ?? 5;
  const min = options.minImprovement;
  if (min !== undefined && !(Number.isFinite(min) && min >= 0)) {
    throw new ConfigurationError(
      `ruleAdvisor: minImprovement must be a finite number >= 0, got ${min}.`,
      { hint: "ruleAdvisor({ minImprovement: 0.01 })" },
    );
  }
  const stopBelow = options.stopBelow;
  if (
    stopBelow !== undefined &&
    !(Number.isFinite(stopBelow) && stopBelow >= 0 && stopBelow <= 1)
  ) {
    throw new ConfigurationError(
      `ruleAdvisor: stopBelow must be a probability in [0, 1], got ${stopBelow}.`,
      { hint: `ruleAdvisor({ stopBelow: ${DEFAULT_STOP_BELOW} })` },
    );
  }
  return {
    patience,
    abandonAfter: positiveInteger("abandonAfter", options.abandonAfter) ?? 3 * patience,
    maxIterations: positiveInteger("maxIterations", options.maxIterations) ?? null,
    minImprovement: min ?? null,
    stopBelow: stopBelow ?? DEFAULT_STOP_BELOW,
    horizon: positiveInteger("horizon", options.horizon) ?? DEFAULT_HORIZON,
  };
}

/**
 * The default `stopBelow`: chosen on the decision benchmark's tuning seeds as
 * the largest threshold that kept the would-be successes lost within target.
 */
export const DEFAULT_STOP_BELOW = 0.16;

/** Whether a trajectory carries the analysis fields of `analyzeTrajectory` (not only core's). */
export function isTrajectoryAnalysis(t: ExperimentTrajectory): t is TrajectoryAnalysis {
  const x = t as Partial<TrajectoryAnalysis>;
  const isObject = (v: unknown) => v !== null && typeof v === "object";
  return (
    isObject(x.score_trend) &&
    Array.isArray(x.score_trend?.history) &&
    isObject(x.metric_trends) &&
    isObject(x.distance_by_criterion) &&
    isObject(x.iterations_to_success) &&
    isObject(x.success_probability) &&
    isObject(x.parameter_effects) &&
    isObject(x.efficiency) &&
    x.overfitting !== undefined
  );
}

/**
 * The rule advisor's assessment of an analysed trajectory. Pure: no clock, no
 * randomness. Records are taken in iteration order (as the analysis took
 * them), one per iteration.
 */
export function assessWithRules(
  analysis: TrajectoryAnalysis,
  given: readonly ExperimentRecord[],
  options: RuleAdvisorOptions = {},
): TrajectoryAssessment {
  const records = inIterationOrder(given);
  const facts = gatherFacts(analysis, records, settingsFrom(options));
  const { rule, evidence } = decide(facts);
  const changes = changeEffectiveness(facts);
  const likelihood = likelihoodOf(facts);
  const confidence = confidenceOf(facts, rule, evidence);
  const eta = analysis.iterations_to_success.estimate;
  const estimated = facts.passing
    ? 0
    : eta === null || !Number.isFinite(eta)
      ? null
      : Math.max(0, Math.round(eta));
  const outlook = facts.passing
    ? ""
    : ` Outlook: ${outlookText(analysis.success_probability, analysis.iterations_to_success)}.`;
  const reasoning = [
    `Rule ${rule.id} (${rule.when} → ${rule.action}) decided: ${situation(facts)}.${outlook}`,
    `Parameter changes ${changes.value}: ${changes.why}.`,
    `Likelihood of success ${likelihood.value}: ${likelihood.why}.`,
    `Confidence ${confidence} from ${facts.n} scored iteration${facts.n === 1 ? "" : "s"} and ${evidence.why}.`,
  ].join(" ");
  return {
    convergence_assessment: analysis.score_trend.status,
    gradient_effectiveness: changes.value,
    likelihood_of_success: likelihood.value,
    estimated_iterations_needed: estimated,
    key_findings: keyFindings(facts),
    parameter_recommendations: parameterRecommendations(facts),
    next_action: rule.action,
    specific_recommendations: specificRecommendations(facts, rule),
    confidence,
    reasoning,
  };
}

/** Whether the analysis' success probability looks as far ahead as this advisor's budget. */
function coversBudget(
  a: TrajectoryAnalysis,
  records: readonly ExperimentRecord[],
  maxIterations: number | null,
  horizon: number,
): boolean {
  const s = a.success_probability;
  if (maxIterations === null) return s.horizon_source === "default" && s.horizon === horizon;
  return (
    s.horizon_source === "budget" &&
    s.horizon === Math.max(0, maxIterations - iterationsUsed(records))
  );
}

function situation(f: Facts): string {
  const t = f.analysis.score_trend;
  const parts = [`the ${f.label} is ${t.status} (${t.reason})`];
  if (f.best !== null && f.stall !== null) {
    parts.push(
      f.stall === 0
        ? `its best, ${num(f.best.value)} at iteration ${f.best.iteration}, is recent`
        : `its best, ${num(f.best.value)} at iteration ${f.best.iteration}, has not improved by more than ${num(f.tolerance)} for ${f.stall} iteration${f.stall === 1 ? "" : "s"}`,
    );
  }
  if (f.passing) parts.push("the last iteration passes the gate");
  if (f.remaining !== null) {
    const of = f.settings.maxIterations === null ? "" : ` of ${f.settings.maxIterations}`;
    parts.push(`${Math.max(0, f.remaining)}${of} iterations left`);
  }
  if (f.analysis.overfitting?.risk === "HIGH") parts.push("the overfitting risk is HIGH");
  return parts.join("; ");
}

/**
 * The rule advisor: `advise({ records, trajectory, meta })` gives the
 * assessment with `source: "rule"`. Without a `maxIterations` option it
 * uses the budget of the loop that asks (`loop`), else the experiment's
 * (`meta.max_iterations`); with none, P looks `horizon` iterations ahead. A
 * trajectory without the analysis fields (from a tracker without
 * `trajectoryAnalyzer()`), or whose success probability looks ahead over a
 * different budget, is analysed here with the meta's metric directions and gate.
 */
export function ruleAdvisor(options: RuleAdvisorOptions = {}): Advisor {
  settingsFrom(options); // fail early on bad options
  return Object.freeze({
    specificationVersion: "v1" as const,
    name: "rule",
    async advise({ records: given, trajectory, meta, loop }: AdvisorInput): Promise<Advice> {
      // In iteration order, one per iteration: a store's order cannot change the advice.
      const records = inIterationOrder(given);
      // A running loop's budget counts when the advisor was not given one.
      const maxIterations = options.maxIterations ?? experimentBudget(records, loop, meta);
      const settings = maxIterations === null ? options : { ...options, maxIterations };
      const horizon = options.horizon ?? DEFAULT_HORIZON;
      // The probability must be about this advisor's budget (or horizon): re-analyse when it is not.
      const analysis =
        isTrajectoryAnalysis(trajectory) &&
        coversBudget(trajectory, records, maxIterations, horizon)
          ? trajectory
          : analyzeTrajectory(records, {
              metrics: meta.metrics,
              gate: meta.gate,
              maxIterations,
              horizon,
            });
      const assessment = TrajectoryAssessmentSchema.parse(
        assessWithRules(analysis, records, settings),
      );
      return { assessment, source: "rule" };
    },
  });
}
