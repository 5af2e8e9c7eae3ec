import { describe, expect, it } from "vitest";
import { baseTrajectory } from "./base-trajectory.js";
import { ExperimentMetaSchema } from "./meta.js";
import { type ExperimentRecord, parseRecord } from "./record.js";
import { summarize } from "./summary.js";

/** Past the argument-count limit of a spread call (about 120,000 on V8). */
const N = 200_000;

function records(): ExperimentRecord[] {
  const out: ExperimentRecord[] = [];
  for (let i = 1; i <= N; i++) {
    out.push(
      parseRecord({
        experiment_id: "exp_large",
        iteration: i,
        metrics: { score: (i % 1000) / 1000 },
        gate_score: i === 150_000 ? 1 : (i % 1000) / 1001,
        gate_passed: i === 150_000,
        cost: 0.5,
        failure_analysis: { root_cause: `cause ${i % 7}` },
      }),
    );
  }
  return out;
}

describe("an experiment of 200,000 iterations", () => {
  const all = records();

  it("is summarised, in any order", () => {
    const summary = summarize(all);
    expect(summary.total_iterations).toBe(N);
    expect(summary.best_iteration).toBe(150_000);
    expect(summary.status).toBe("SUCCESS");
    expect(summary.total_cost).toBe(N * 0.5);
    expect(summary.lessons_learned).toHaveLength(7);
    const reversed = all.slice().reverse();
    expect(summarize(reversed)).toEqual(summary);
  });

  it("gets its base trajectory", () => {
    const meta = ExperimentMetaSchema.parse({
      experiment_id: "exp_large",
      gate: { criteria: [{ metric: "score", op: ">=", threshold: 1 }] },
    });
    const t = baseTrajectory(all, meta);
    expect(t.total_iterations).toBe(N);
    expect(t.metric_history.score).toHaveLength(N);
    expect(t.metric_history.score?.[999]).toBe(0);
    expect(t.distance_to_goal).toBe(1);
  });
});
