/**
 * Records and meta the store conformance suite writes. They are built with
 * core's parsers, so what a store must give back is exactly what it was
 * handed, defaults included.
 */
import {
  type ExperimentMeta,
  ExperimentMetaSchema,
  type ExperimentRecord,
  parseRecord,
} from "@converge/core";

/** A plain valid record of `experimentId` at `iteration`, with any fields given on top. */
export function contractRecord(
  experimentId: string,
  iteration: number,
  fields: Record<string, unknown> = {},
): ExperimentRecord {
  return parseRecord({
    experiment_id: experimentId,
    iteration,
    timestamp: new Date(Date.UTC(2026, 0, 18, 14, 30, iteration)).toISOString(),
    strategy_name: `strategy_${iteration}`,
    parameters: { position_size: 0.1 * iteration, rsi_threshold: 70 },
    metrics: { sharpe_ratio: 0.5 + iteration / 10, max_drawdown: 0.2 },
    ...fields,
  });
}

/** Text that stresses encodings: multi-byte characters, an emoji, quotes, newlines and a tab. */
const AWKWARD_TEXT = 'Reach Sharpe ≥ 1 — 日本語 ✓ 😀 "quoted"\n\tnext line';

/**
 * Three records that carry everything a record can: non-finite metrics,
 * nested and unicode parameters, multi-line code, a long value, LLM usage,
 * recorded advice (with and without a fallback), a failure analysis and a
 * field core does not know (kept, as records are loose objects).
 */
export function richRecords(experimentId: string): ExperimentRecord[] {
  const long = `${"ω".repeat(3000)}${"x".repeat(4000)}`;
  return [1, 2, 3].map((iteration) =>
    parseRecord({
      experiment_id: experimentId,
      iteration,
      timestamp: new Date(Date.UTC(2026, 0, 18, 14, 30, iteration)).toISOString(),
      research_directive: AWKWARD_TEXT,
      strategy_name: `strategy ${iteration} ✓`,
      strategy_code: `def run():\n    # ünïcödé ${iteration}\n    return ${iteration}\n`,
      strategy_description: iteration === 2 ? "" : AWKWARD_TEXT,
      parameters: {
        position_size: 0.1 * iteration,
        enabled: iteration !== 2,
        label: `v${iteration}`,
        nested: { window: [5, 10, iteration], mode: { kind: "ema", alpha: 0.25 } },
        "α weight": iteration,
        long_text: iteration === 3 ? long : "short",
      },
      metrics: {
        sharpe_ratio: iteration === 1 ? Number.NaN : iteration / 2,
        upside: iteration === 2 ? Number.POSITIVE_INFINITY : iteration,
        downside: iteration === 3 ? Number.NEGATIVE_INFINITY : -iteration,
        tiny: 5e-324,
        huge: 1.7976931348623157e308,
      },
      gate_passed: iteration === 3,
      gate_score: iteration === 1 ? null : iteration / 3,
      failed_criteria: iteration === 3 ? [] : [{ metric: "sharpe_ratio", op: ">=", threshold: 1 }],
      action_taken: iteration === 3 ? "SUCCESS" : "TUNE_PARAMETERS",
      parameter_changes:
        iteration === 1 ? {} : { position_size: { from: 0.1, to: 0.1 * iteration } },
      failure_classification: iteration === 2 ? "PARAMETER_ISSUE" : null,
      failure_analysis: iteration === 2 ? { root_cause: AWKWARD_TEXT, details: [1, 2] } : null,
      compute_time: iteration * 1.5,
      cost: 0.0125 * iteration,
      llm_usage: [
        {
          provider: "openai",
          model: "gpt-4.1",
          input_tokens: 1200,
          output_tokens: 300,
          cost_usd: 0.0125,
        },
        {
          provider: "local",
          model: "m",
          input_tokens: 1,
          output_tokens: 0,
          cost_usd: null,
          purpose: "advice",
        },
      ],
      extra_field: { kept: true, list: [null, "x", 1.5] },
      ...(iteration > 1 && { advice: recordedAdvice(iteration) }),
    }),
  );
}

function recordedAdvice(iteration: number): Record<string, unknown> {
  return {
    after_iteration: iteration - 1,
    source: "llm:openai/gpt-4.1",
    model: "openai/gpt-4.1",
    prompt_version: "trajectory-v1",
    fallback: iteration === 3 ? { from: "llm:openai/gpt-4.1", reason: "HTTP 500 ✗" } : null,
    assessment: {
      convergence_assessment: "CONVERGING",
      gradient_effectiveness: "MIXED",
      likelihood_of_success: "MEDIUM",
      estimated_iterations_needed: iteration === 3 ? null : 4,
      key_findings: [`finding ${iteration} — ✓`],
      parameter_recommendations: { position_size: "INCREASE - helps" },
      next_action: "CONTINUE",
      specific_recommendations: [],
      confidence: 0.6,
      reasoning: AWKWARD_TEXT,
    },
  };
}

/** A meta with a gate, metric goals, tags and text worth getting back exactly. */
export function contractMeta(experimentId: string, directive = AWKWARD_TEXT): ExperimentMeta {
  return ExperimentMetaSchema.parse({
    experiment_id: experimentId,
    directive,
    gate: { criteria: [{ metric: "sharpe_ratio", op: ">=", threshold: 1 }] },
    metrics: { sharpe_ratio: { goal: "maximize" }, max_drawdown: { goal: "minimize" } },
    created_at: "2026-01-18T14:30:00Z",
    max_iterations: 20,
    tags: { owner: "tests", α: "β" },
  });
}
