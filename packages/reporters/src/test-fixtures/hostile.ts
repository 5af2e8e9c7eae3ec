/**
 * An experiment with a hostile string in every user field the report shows
 * (the analysis' reasons, model name and per-criterion keys included). Each
 * payload tries to set `window.__pwned`; a safe report shows them as text.
 */
import {
  type Advice,
  ExperimentMetaSchema,
  parseRecord,
  type ReportExperiment,
} from "@converge/core";

/** Payloads: markup, script-ending, comment-opening, URL and separator tricks. */
export const PAYLOADS = {
  img: `<img src=x onerror="window.__pwned=1">`,
  script: `</script><script>window.__pwned=1</script>`,
  comment: `<!-- <script>window.__pwned=1</script> -->`,
  svg: `<svg onload="window.__pwned=1"></svg>`,
  url: `javascript:window.__pwned=1`,
  separator: `line\u2028sep\u2029end </script> & "quotes" 'apostrophes'`,
  style: `</style><style>body{display:none}</style>`,
  attr: `" onmouseover="window.__pwned=1" x="`,
} as const;

const P = PAYLOADS;

/** A strategy code that is mostly payloads, one per line. */
export const HOSTILE_CODE = `def run():\n    x = "${P.script}"\n    # ${P.comment}\n    # ${P.img}\n    # ${P.separator}\n    return 1\n`;

/** The hostile experiment (two iterations so the code diff renders too). */
export function hostileExperiment(): ReportExperiment {
  const id = "exp_hostile";
  const param = `${P.img}${"p".repeat(10)}`;
  const metric = `${P.svg}_sharpe`;
  const meta = ExperimentMetaSchema.parse({
    experiment_id: id,
    directive: `${P.script} ${P.img} ${P.separator}`,
    gate: {
      criteria: [
        { metric, op: ">=", threshold: 1 },
        { metric: P.attr, op: "<=", threshold: 0.2 },
      ],
    },
    metrics: {},
  });
  const base = {
    experiment_id: id,
    strategy_name: `${P.img} name`,
    strategy_description: `${P.comment} ${P.url}`,
    action_taken: `${P.script}`,
    failure_classification: `${P.svg}`,
    failure_analysis: { root_cause: `${P.img} ${P.separator}`, note: P.url },
  };
  const records = [
    parseRecord({
      ...base,
      iteration: 1,
      strategy_code: HOSTILE_CODE,
      parameters: { [param]: P.url, [P.script]: 1, plain: P.separator },
      metrics: { [metric]: 0.5, [P.attr]: 0.3, [P.url]: 1 },
      gate_score: 0.4,
      failed_criteria: [{ metric }, { metric: P.attr }],
    }),
    parseRecord({
      ...base,
      iteration: 2,
      strategy_code: `${HOSTILE_CODE}# ${P.style}\n`,
      parameters: { [param]: P.svg, [P.script]: 2, plain: P.attr },
      metrics: { [metric]: 0.8, [P.attr]: 0.25, [P.url]: 2 },
      gate_score: 0.6,
      failed_criteria: [{ metric }],
    }),
  ];
  const advice: Advice = {
    source: `llm:${P.img}`,
    assessment: {
      convergence_assessment: "CONVERGING",
      gradient_effectiveness: "MIXED",
      likelihood_of_success: "LOW",
      estimated_iterations_needed: null,
      key_findings: [P.img, P.script],
      parameter_recommendations: { [P.svg]: P.comment, [param]: P.url },
      next_action: "PIVOT",
      specific_recommendations: [P.separator, P.style],
      confidence: 0.3,
      reasoning: `${P.attr} ${P.script}`,
    },
  };
  const trajectory = {
    experiment_id: id,
    total_iterations: 2,
    metric_history: {},
    improvement_rates: {},
    convergence_status: "CONVERGING",
    gradient_direction: "ASCENDING",
    distance_to_goal: 0.3,
    estimated_iterations_to_success: null,
    parameter_impact: {},
    score_trend: { source: P.img, status: "CONVERGING", reason: P.script },
    metric_trends: { [metric]: { goal: "maximize", status: "CONVERGING", reason: P.img, n: 2 } },
    parameter_effects: { parameters: {}, skipped: { [P.svg]: P.script }, method: "none" },
    iterations_to_success: {
      estimate: 3,
      low: 2,
      high: 5,
      level: 0.8,
      horizon: 50,
      model: P.svg,
      reason: P.img,
    },
    success_probability: {
      probability: 0.37,
      horizon: 6,
      horizon_source: "budget",
      basis: P.attr,
      by_criterion: { [metric]: 0.41, [P.attr]: 0.9, [P.comment]: 0.5 },
      reason: `${P.script} ${P.separator}`,
    },
  };
  return { meta, records, advice, trajectory: trajectory as never };
}

/**
 * Records as `runGateLoop` stores them, with a hostile string in every advice
 * field (source, model, prompt version, fallback, reasoning), in the LLM
 * usage and in the failure analysis' root cause and actions; the summary's
 * final advice too. No advice is given to the report, so the assessment shows
 * the summary's.
 */
export function hostileAdvisedExperiment(): ReportExperiment {
  const id = "exp_hostile_advice";
  const assessment = (reasoning: string) => ({
    convergence_assessment: "OSCILLATING" as const,
    gradient_effectiveness: "MIXED" as const,
    likelihood_of_success: "LOW" as const,
    estimated_iterations_needed: null,
    key_findings: [P.comment],
    parameter_recommendations: { [P.attr]: P.img },
    next_action: "CONTINUE" as const,
    specific_recommendations: [P.style],
    confidence: 0.4,
    reasoning,
  });
  const advice = (after: number) => ({
    after_iteration: after,
    source: `${P.img}${P.script}`,
    model: P.attr,
    prompt_version: `${P.script}v1`,
    fallback: { from: `llm:${P.svg}`, reason: `${P.img} ${P.script} ${P.separator}` },
    assessment: assessment(`${P.script} ${P.img} reasoning ${after}`),
  });
  const record = (iteration: number) =>
    parseRecord({
      experiment_id: id,
      iteration,
      strategy_code: `x = ${iteration}\n`,
      parameters: { a: iteration },
      metrics: { score: iteration / 10 },
      llm_usage: [
        {
          provider: P.img,
          model: P.script,
          input_tokens: 10,
          output_tokens: 5,
          cost_usd: null,
          purpose: P.svg,
        },
      ],
      failure_analysis: {
        classification: P.svg,
        recommendation: P.url,
        root_cause: `${P.img} root`,
        specific_actions: [P.script, P.comment],
        model: P.attr,
        prompt_version: P.img,
      },
      ...(iteration > 1 && { advice: advice(iteration - 1) }),
    });
  const meta = ExperimentMetaSchema.parse({
    experiment_id: id,
    directive: "hostile advice",
    summary: {
      experiment_id: id,
      status: "ABANDONED",
      total_iterations: 2,
      best_iteration: 2,
      best_metrics: {},
      final_recommendation: "",
      lessons_learned: [],
      total_compute_time: 0,
      total_cost: 0,
      advice: advice(2),
    },
  });
  return { meta, records: [record(1), record(2)] };
}
