import { ExperimentMetaSchema, type ExperimentRecord, parseRecord } from "@converge/core";
import { describe, expect, it } from "vitest";
import { analyzeTrajectory } from "./analyze-trajectory.js";
import { ruleAdvisor } from "./rule-advisor.js";

/** Past the argument-count limit of a spread call (about 120,000 on V8). */
const N = 200_000;
const gate = { criteria: [{ metric: "score", op: ">=" as const, threshold: 1 }] };

describe("an experiment of 200,000 iterations", () => {
  const records: ExperimentRecord[] = [];
  for (let i = 1; i <= N; i++) {
    // A slow rise with a wobble, and a parameter that moves with it.
    const score = 0.2 + (0.5 * i) / N + 0.01 * Math.sin(i);
    records.push(
      parseRecord({
        experiment_id: "exp_large",
        iteration: i,
        metrics: { score, loss: 1 - score },
        parameters: { k: i % 10 },
        cost: 0.001,
      }),
    );
  }

  it("is analysed and advised on", { timeout: 30_000 }, async () => {
    // loss is given its goal: a metric without one would be informational (not judged).
    const a = analyzeTrajectory(records, {
      gate,
      maxIterations: N + 10,
      metrics: { loss: "minimize" },
    });
    expect(a.total_iterations).toBe(N);
    expect(a.metric_history.score).toHaveLength(N);
    expect(a.score_trend.status).toBe("CONVERGING");
    expect(a.metric_trends.loss).toMatchObject({ role: "objective", goal: "minimize" });
    expect(a.efficiency.best_so_far).toHaveLength(N);
    expect(a.success_probability.horizon).toBe(10);
    const meta = ExperimentMetaSchema.parse({
      experiment_id: "exp_large",
      gate,
      max_iterations: N + 10,
    });
    const advice = await ruleAdvisor().advise({ records, trajectory: a, meta });
    expect(advice.assessment.convergence_assessment).toBe("CONVERGING");
  });
});
