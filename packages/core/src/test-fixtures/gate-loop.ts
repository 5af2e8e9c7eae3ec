import type { TrajectoryAssessment } from "../assessment.js";
import type { Advisor, StrategyLike } from "../contracts.js";

/** The gate-loop tests' strategy: its one parameter is all the backtest reads. */
export interface Toy extends StrategyLike {
  parameters: { size: number };
}

/** Passes at a score of 1. */
export const gate = { criteria: [{ metric: "score", op: ">=" as const, threshold: 1 }] };
export const start: Toy = { name: "toy", code: "buy()", parameters: { size: 1 } };
// score = size / 4: passes at size 4.
export const backtest = (s: Toy) => ({ score: s.parameters.size / 4 });
/** Grows the size by one. */
export const refine = ({ strategy }: { strategy: Toy }): Toy => ({
  ...strategy,
  parameters: { size: strategy.parameters.size + 1 },
});

/** An assessment that says `next_action` and nothing of note. */
export function assessment(next_action: TrajectoryAssessment["next_action"]): TrajectoryAssessment {
  return {
    convergence_assessment: "STAGNANT",
    gradient_effectiveness: "INEFFECTIVE",
    likelihood_of_success: "LOW",
    estimated_iterations_needed: null,
    key_findings: [],
    parameter_recommendations: {},
    next_action,
    specific_recommendations: [],
    confidence: 0.5,
    reasoning: "test",
  };
}

/** An advisor that always says `next`, each call costing `costUsd`; counts its calls. */
export function advisorSaying(
  next: TrajectoryAssessment["next_action"],
  costUsd = 0,
): Advisor & { calls: number } {
  const advisor = {
    specificationVersion: "v1" as const,
    name: `says-${next}`,
    calls: 0,
    async advise() {
      advisor.calls++;
      return {
        assessment: assessment(next),
        source: "test",
        usage: [{ provider: "p", model: "m", inputTokens: 10, outputTokens: 2, costUsd }],
        model: "p/m",
        promptVersion: "test-v1",
      };
    },
  };
  return advisor;
}
