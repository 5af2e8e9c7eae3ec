import { describe, expect, it } from "vitest";
import { parseRecord } from "./record.js";
import { summarize } from "./summary.js";

const rec = (iteration: number, extra: Record<string, unknown>) =>
  parseRecord({ experiment_id: "s", iteration, metrics: { m: iteration }, ...extra });

describe("summarize", () => {
  it("summarises nothing without throwing", () => {
    expect(summarize([])).toMatchObject({
      total_iterations: 0,
      best_iteration: null,
      best_metrics: {},
      status: "IN_PROGRESS",
      final_recommendation: "",
    });
  });

  it("picks the highest gate score, the first of equals, never NaN", () => {
    const records = [
      rec(1, { gate_score: 0.5 }),
      rec(2, { gate_score: 0.8, failure_analysis: { root_cause: "" } }),
      rec(3, { gate_score: 0.8, failure_analysis: { root_cause: "stop too wide" } }),
      rec(4, {
        gate_score: null,
        failure_analysis: { root_cause: "stop too wide" },
        action_taken: "TUNE_PARAMETERS",
        compute_time: 2,
        cost: 0.1,
      }),
    ];
    const s = summarize(records);
    expect(s).toMatchObject({
      best_iteration: 2,
      best_gate_score: 0.8,
      best_metrics: { m: 2 },
      final_recommendation: "TUNE_PARAMETERS",
      lessons_learned: ["stop too wide"],
      total_compute_time: 2,
      total_cost: 0.1,
    });
  });

  it("uses SUCCESS when an iteration passed, and the status given otherwise", () => {
    expect(summarize([rec(1, { gate_passed: true, gate_score: 1 })]).status).toBe("SUCCESS");
    expect(summarize([rec(1, {})], "ABANDONED").status).toBe("ABANDONED");
  });

  it("falls back to the last passing iteration when no score was recorded", () => {
    expect(summarize([rec(1, { gate_passed: true }), rec(2, {})]).best_iteration).toBe(1);
    expect(summarize([rec(1, {}), rec(2, {})]).best_iteration).toBe(2);
  });
});
