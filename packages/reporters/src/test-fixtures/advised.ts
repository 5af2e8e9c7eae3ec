/**
 * An experiment as `runGateLoop` stores it with an LLM advisor and an LLM
 * failure analyser: each record after the second carries the advice it acted
 * on and the LLM calls made for it, the failed iterations a failure analysis,
 * one advice came from the rule advisor after the LLM advisor failed, one
 * call has no known price, and the summary keeps the last advice (PIVOT).
 * Its trajectory carries the outlook of a loop with 2 of 6 iterations left.
 */
import {
  ExperimentMetaSchema,
  ExperimentSummarySchema,
  parseRecord,
  type RecordedAdvice,
  type ReportExperiment,
  type TrajectoryAssessment,
} from "@converge/core";

export const ADVISED_MODEL = "openai/gpt-4.1";
export const ADVISED_PROMPT = "trajectory-v2";
export const FAILURE_PROMPT = "failure-v1";
export const FALLBACK_REASON = "the model answered 3 times without a valid assessment";

function assessment(
  next_action: TrajectoryAssessment["next_action"],
  confidence: number,
  reasoning: string,
  convergence: TrajectoryAssessment["convergence_assessment"] = "CONVERGING",
): TrajectoryAssessment {
  return {
    convergence_assessment: convergence,
    gradient_effectiveness: "MIXED",
    likelihood_of_success: "MEDIUM",
    estimated_iterations_needed: 3,
    key_findings: ["the Sharpe ratio rises with the position size"],
    parameter_recommendations: { position_size: "INCREASE" },
    next_action,
    specific_recommendations: ["raise the position size a little"],
    confidence,
    reasoning,
  };
}

function llmAdvice(after: number, a: TrajectoryAssessment): RecordedAdvice {
  return {
    after_iteration: after,
    source: `llm:${ADVISED_MODEL}`,
    model: ADVISED_MODEL,
    prompt_version: ADVISED_PROMPT,
    fallback: null,
    assessment: a,
  };
}

const usage = (purpose: "advisor" | "failure_analysis", cost: number | null) => ({
  provider: "openai",
  model: "gpt-4.1",
  input_tokens: 1200,
  output_tokens: 300,
  cost_usd: cost,
  purpose,
});

const failure = (iteration: number) => ({
  classification: "PARAMETER_ISSUE",
  recommendation: "TUNE_PARAMETERS",
  root_cause: `position size too small at iteration ${iteration}`,
  specific_actions: ["raise position_size to 0.2", "keep the stop loss"],
  confidence: 0.8,
  reasoning: "returns scale with exposure",
  model: ADVISED_MODEL,
  prompt_version: FAILURE_PROMPT,
});

/** The outlook as the analyzers write it, for the 2 iterations left of a budget of 6. */
export const ADVISED_OUTLOOK =
  "P(pass within the 2 iterations left) 0.04 · 80% range 3–9 iterations (median 5)";

/** Four iterations; advice after 2 and 3 travels with records 3 and 4; the last is in the summary. */
export function advisedExperiment(): ReportExperiment {
  const id = "exp_advised";
  const meta = ExperimentMetaSchema.parse({
    experiment_id: id,
    directive: "Reach a Sharpe ratio of 1 with LLM advice",
    gate: { criteria: [{ metric: "sharpe_ratio", op: ">=", threshold: 1 }] },
    status: "PIVOT_TO_RESEARCH",
  });
  const code = (size: number) => `def run():\n    return trade(position_size=${size})\n`;
  const records = [
    parseRecord({
      experiment_id: id,
      iteration: 1,
      strategy_code: code(0.1),
      parameters: { position_size: 0.1 },
      metrics: { sharpe_ratio: 0.6 },
      gate_score: 0.6,
      action_taken: "TUNE_PARAMETERS",
      failure_classification: "PARAMETER_ISSUE",
      failure_analysis: failure(1),
      llm_usage: [usage("failure_analysis", 0.0021)],
      cost: 0.0021,
    }),
    parseRecord({
      experiment_id: id,
      iteration: 2,
      strategy_code: code(0.15),
      parameters: { position_size: 0.15 },
      metrics: { sharpe_ratio: 0.7 },
      gate_score: 0.7,
      action_taken: "TUNE_PARAMETERS",
    }),
    parseRecord({
      experiment_id: id,
      iteration: 3,
      strategy_code: code(0.2),
      parameters: { position_size: 0.2 },
      metrics: { sharpe_ratio: 0.8 },
      gate_score: 0.8,
      action_taken: "TUNE_PARAMETERS",
      llm_usage: [usage("advisor", 0.0034), usage("failure_analysis", 0.0021)],
      cost: 0.0055,
      failure_analysis: failure(3),
      advice: llmAdvice(2, assessment("CONTINUE", 0.72, "steady gains on every iteration")),
    }),
    parseRecord({
      experiment_id: id,
      iteration: 4,
      // The same code as iteration 3: its notes must still show.
      strategy_code: code(0.2),
      parameters: { position_size: 0.2 },
      metrics: { sharpe_ratio: 0.78 },
      gate_score: 0.78,
      action_taken: "TUNE_PARAMETERS",
      llm_usage: [usage("advisor", null), usage("advisor", 0.001)],
      cost: 0.001,
      advice: {
        after_iteration: 3,
        source: "rule",
        model: ADVISED_MODEL,
        prompt_version: ADVISED_PROMPT,
        fallback: { from: `llm:${ADVISED_MODEL}`, reason: FALLBACK_REASON },
        assessment: assessment("CONTINUE", 0.55, "rule: still improving", "STAGNANT"),
      },
    }),
  ];
  const summary = ExperimentSummarySchema.parse({
    experiment_id: id,
    status: "PIVOT_TO_RESEARCH",
    total_iterations: 4,
    best_iteration: 3,
    best_gate_score: 0.8,
    best_metrics: { sharpe_ratio: 0.8 },
    final_recommendation: "TUNE_PARAMETERS",
    lessons_learned: [],
    total_compute_time: 0,
    total_cost: 0.0086,
    advice: llmAdvice(4, assessment("PIVOT", 0.85, "the score stopped improving", "STAGNANT")),
  });
  const trajectory = {
    convergence_status: "STAGNANT",
    distance_to_goal: 0.2,
    iterations_to_success: {
      estimate: 5,
      low: 3,
      high: 9,
      level: 0.8,
      horizon: 50,
      model: "predictive",
      reason: "if it passes within 50 iterations (P 0.61): median 5, 80% range 3–9",
    },
    success_probability: {
      probability: 0.04,
      horizon: 2,
      horizon_source: "budget",
      basis: "criteria",
      by_criterion: { sharpe_ratio: 0.04 },
      reason: "P(pass within the 2 iterations left) 0.040, from damped-trend forecasts",
    },
  };
  return { meta: { ...meta, summary }, records, trajectory: trajectory as never };
}
