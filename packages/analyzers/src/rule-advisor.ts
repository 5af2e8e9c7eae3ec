/**
 * The rule advisor: the embedded, offline default `Advisor`. It reads the
 * trajectory analysis and fills the same `TrajectoryAssessment` an LLM
 * advisor fills, by a small documented rule table (see `ruleTable`):
 *
 * | rule | when (first match wins)                                                              | next action |
 * | ---- | ------------------------------------------------------------------------------------ | ----------- |
 * | R0   | fewer than 3 scored iterations (INSUFFICIENT_DATA)                                   | CONTINUE    |
 * | R1   | the last iteration passes the gate                                                   | CONTINUE    |
 * | R2   | `maxIterations` is known and spent                                                   | ABANDON     |
 * | R3   | no improvement for ≥ abandonAfter (15), or DIVERGING with none for ≥ 2·patience (10) | ABANDON     |
 * | R4   | overfitting risk HIGH at the best iteration and no improvement for ≥ patience (5)    | ABANDON     |
 * | R5   | DIVERGING                                                                            | PIVOT       |
 * | R6   | CONVERGING, but levelling off below the goal or the optimistic ETA exceeds the budget | PIVOT       |
 * | R7   | CONVERGING                                                                           | CONTINUE    |
 * | R8   | STAGNANT or OSCILLATING with no improvement for ≥ patience (5)                       | PIVOT       |
 * | R9   | STAGNANT or OSCILLATING, improved within the last patience iterations                | CONTINUE    |
 *
 * "No improvement" counts the iterations since the best score last rose by
 * more than `minImprovement` (default 0.01 on a gate score) and never applies
 * while CONVERGING. Deterministic: the same input gives the same assessment.
 */
import {
  type Advice,
  type Advisor,
  type AdvisorInput,
  ConfigurationError,
  type ExperimentRecord,
  type ExperimentTrajectory,
  type TrajectoryAssessment,
  TrajectoryAssessmentSchema,
} from "@converge/core";
import { analyzeTrajectory } from "./analyze-trajectory.js";
import { type Facts, gatherFacts, type RuleSettings } from "./rule-advisor-facts.js";
import { confidenceOf, gradientEffectiveness, likelihoodOf } from "./rule-advisor-judgement.js";
import { decide } from "./rule-advisor-rules.js";
import {
  keyFindings,
  num,
  parameterRecommendations,
  specificRecommendations,
} from "./rule-advisor-text.js";
import type { TrajectoryAnalysis } from "./types.js";

export type { RuleSettings } from "./rule-advisor-facts.js";
export { type Rule, ruleTable } from "./rule-advisor-rules.js";

export interface RuleAdvisorOptions {
  /** The loop's total budget of iterations; the likelihood and rules R2 / R6 use what is left. */
  maxIterations?: number;
  /** Iterations without improvement before a plateau or oscillation means PIVOT. Default 5. */
  patience?: number;
  /** Iterations without improvement after which the advisor says ABANDON. Default 3 × patience. */
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
  return {
    patience,
    abandonAfter: positiveInteger("abandonAfter", options.abandonAfter) ?? 3 * patience,
    maxIterations: positiveInteger("maxIterations", options.maxIterations) ?? null,
    minImprovement: min ?? null,
  };
}

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
    isObject(x.parameter_effects) &&
    isObject(x.efficiency) &&
    x.overfitting !== undefined
  );
}

/**
 * The rule advisor's assessment of an analysed trajectory. Pure: no clock, no
 * randomness.
 */
export function assessWithRules(
  analysis: TrajectoryAnalysis,
  records: readonly ExperimentRecord[],
  options: RuleAdvisorOptions = {},
): TrajectoryAssessment {
  const facts = gatherFacts(analysis, records, settingsFrom(options));
  const { rule, evidence } = decide(facts);
  const gradient = gradientEffectiveness(facts);
  const likelihood = likelihoodOf(facts);
  const confidence = confidenceOf(facts, rule, evidence);
  const eta = analysis.iterations_to_success.estimate;
  const estimated = facts.passing
    ? 0
    : eta === null || !Number.isFinite(eta)
      ? null
      : Math.max(0, Math.round(eta));
  const reasoning = [
    `Rule ${rule.id} (${rule.when} → ${rule.action}) decided: ${situation(facts)}.`,
    `Gradient ${gradient.value}: ${gradient.why}.`,
    `Likelihood ${likelihood.value}: ${likelihood.why}.`,
    `Confidence ${confidence} from ${facts.n} scored iteration${facts.n === 1 ? "" : "s"} and ${evidence.why}.`,
  ].join(" ");
  return {
    convergence_assessment: analysis.score_trend.status,
    gradient_effectiveness: gradient.value,
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
    parts.push(`${Math.max(0, f.remaining)} of ${f.settings.maxIterations} iterations left`);
  }
  if (f.analysis.overfitting?.risk === "HIGH") parts.push("the overfitting risk is HIGH");
  return parts.join("; ");
}

/**
 * The rule advisor: `advise({ records, trajectory, meta })` gives the
 * assessment with `source: "rule"`. Without a `maxIterations` option it
 * uses the budget of the loop that asks (`loop`), if any. A trajectory without the analysis
 * fields (from a tracker without `trajectoryAnalyzer()`) is analysed here with
 * the meta's metric directions and gate.
 */
export function ruleAdvisor(options: RuleAdvisorOptions = {}): Advisor {
  settingsFrom(options); // fail early on bad options
  return Object.freeze({
    specificationVersion: "v1" as const,
    name: "rule",
    async advise({ records, trajectory, meta, loop }: AdvisorInput): Promise<Advice> {
      const analysis = isTrajectoryAnalysis(trajectory)
        ? trajectory
        : analyzeTrajectory(records, { metrics: meta.metrics, gate: meta.gate });
      // A running loop's budget counts when the advisor was not given one.
      const settings =
        options.maxIterations === undefined && loop
          ? { ...options, maxIterations: records.length - loop.iteration + loop.maxIterations }
          : options;
      const assessment = TrajectoryAssessmentSchema.parse(
        assessWithRules(analysis, records, settings),
      );
      return { assessment, source: "rule" };
    },
  });
}
