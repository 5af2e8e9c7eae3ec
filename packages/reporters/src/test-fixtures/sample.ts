/**
 * The sample log of @converge/test-kit (three records of the original Python
 * logger's format, parsed with core's `parseRecord`); its trajectory as
 * @converge/analyzers computed it (sample-trajectory.json, generated once), and
 * an example advisor answer for it.
 */
import { readFileSync } from "node:fs";
import {
  type Advice,
  ExperimentMetaSchema,
  type ExperimentRecord,
  type ReportExperiment,
} from "@converge/core";
import { sampleLogRecords } from "@converge/test-kit";

const here = new URL(".", import.meta.url);

/** The sample log's three records, parsed by core. */
export function sampleRecords(): ExperimentRecord[] {
  return sampleLogRecords();
}

/** An example advisor answer for the sample log. */
export const SAMPLE_ADVICE: Advice = {
  source: "llm:openai/gpt-4.1",
  assessment: {
    convergence_assessment: "CONVERGING",
    gradient_effectiveness: "EFFECTIVE",
    likelihood_of_success: "HIGH",
    estimated_iterations_needed: 1,
    key_findings: [
      "Gate score improving consistently: 0.65 → 0.75 → 0.92",
      "Sharpe ratio showing strong upward trend: 0.75 → 0.85 → 1.05",
      "Max drawdown decreasing: 22% → 20% → 18%",
      "Position size increases positively correlated with performance",
    ],
    parameter_recommendations: {
      position_size: "INCREASE - strong positive correlation (+0.10 per 0.05 increase)",
      rsi_threshold: "INCREASE - helped improve win rate",
      stop_loss: "TIGHTEN - successfully reduced drawdown",
    },
    next_action: "CONTINUE",
    specific_recommendations: [
      "Continue with current parameter trajectory",
      "Consider slight increase in position size to 0.22 if needed",
      "Strategy is very close to passing, one more iteration should succeed",
    ],
    confidence: 0.9,
    reasoning:
      "The experiment shows clear convergence with consistent improvement across all key metrics. The gradient descent is working effectively - each parameter change has moved metrics closer to thresholds. The improvement rate suggests we should pass quality gates within 1-2 more iterations. High confidence in success.",
  },
};

/** The sample log's experiment with a gate matching its story, its trajectory and advice. */
export function sampleExperiment(options: { analysis?: boolean } = {}): ReportExperiment {
  const records = sampleRecords();
  const meta = ExperimentMetaSchema.parse({
    experiment_id: records[0]?.experiment_id,
    directive:
      "Build an AAPL momentum strategy with a Sharpe ratio of at least 1.0 and a drawdown of at most 20%",
    gate: {
      criteria: [
        { metric: "sharpe_ratio", op: ">=", threshold: 1.0 },
        { metric: "max_drawdown", op: "<=", threshold: 0.2 },
        { metric: "win_rate", op: ">=", threshold: 0.5 },
      ],
    },
    metrics: {
      sharpe_ratio: { goal: "maximize" },
      max_drawdown: { goal: "minimize" },
      win_rate: { goal: "maximize" },
    },
    status: "SUCCESS",
  });
  if (options.analysis === false) return { meta, records };
  const trajectory = JSON.parse(readFileSync(new URL("sample-trajectory.json", here), "utf8"));
  return { meta, records, trajectory, advice: SAMPLE_ADVICE };
}
