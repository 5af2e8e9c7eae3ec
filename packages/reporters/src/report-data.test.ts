import { describe, expect, it } from "vitest";
import { reportTrajectory } from "./report-data.js";

const of = (trajectory: unknown) => reportTrajectory({ trajectory: trajectory as never });

describe("reportTrajectory", () => {
  it("is empty without a trajectory or with one that is not an object", () => {
    expect(reportTrajectory({})).toEqual({});
    expect(of(null)).toEqual({});
    expect(of([1, 2])).toEqual({});
  });

  it("keeps the well-formed analysis fields", () => {
    const t = of({
      experiment_id: "x",
      convergence_status: "CONVERGING",
      distance_to_goal: 0.2,
      estimated_iterations_to_success: null,
      score_trend: { source: "gate_score", status: "STAGNANT", slope: 0.01, history: [1] },
      metric_trends: { loss: { goal: "minimize", improvement_rate: 0.3, status: "CONVERGING" } },
      distance_by_criterion: { loss: 0.5 },
      iterations_to_success: { estimate: 4, low: 2, high: null, model: "linear", reason: "r" },
      efficiency: {
        best_so_far: [0.1, 0.4],
        change_points: [{ after_iteration: 3, mean_before: 0.1, mean_after: 0.5, p: 0.01 }],
        best_iteration: 2,
      },
      parameter_effects: {
        method: "ridge",
        skipped: { nested: "nested value" },
        parameters: {
          lr: {
            kind: "numeric",
            impact: 0.2,
            stderr: 0.05,
            importance: 0.7,
            changes: 4,
            direction: "DECREASE",
          },
          model: {
            kind: "categorical",
            impact: 0.1,
            stderr: null,
            importance: null,
            changes: 1,
            direction: "INCREASE",
            current: "a",
            best: "b",
            levels: { b: 0.1 },
          },
        },
      },
    });
    expect(t).toEqual({
      convergence_status: "CONVERGING",
      distance_to_goal: 0.2,
      estimated_iterations_to_success: null,
      score_trend: { source: "gate_score", status: "STAGNANT", slope: 0.01 },
      metric_trends: { loss: { goal: "minimize", improvement_rate: 0.3, status: "CONVERGING" } },
      distance_by_criterion: { loss: 0.5 },
      iterations_to_success: { estimate: 4, low: 2, high: null, model: "linear", reason: "r" },
      efficiency: {
        best_so_far: [0.1, 0.4],
        change_points: [{ after_iteration: 3, mean_before: 0.1, mean_after: 0.5, p: 0.01 }],
        best_iteration: 2,
      },
      parameter_effects: {
        method: "ridge",
        skipped: { nested: "nested value" },
        parameters: {
          lr: {
            kind: "numeric",
            impact: 0.2,
            stderr: 0.05,
            importance: 0.7,
            changes: 4,
            direction: "DECREASE",
          },
          model: {
            kind: "categorical",
            impact: 0.1,
            stderr: null,
            importance: null,
            changes: 1,
            direction: "INCREASE",
            current: "a",
            best: "b",
          },
        },
      },
    });
  });

  it("drops or neutralises malformed fields instead of throwing", () => {
    const t = of({
      convergence_status: "WINNING",
      distance_to_goal: "far",
      score_trend: "up",
      iterations_to_success: { estimate: "soon" },
      efficiency: {
        best_so_far: [0.1, null, "x"],
        change_points: [{ after_iteration: "3" }, null, { after_iteration: 7 }],
      },
      parameter_effects: {
        parameters: { lr: { impact: Number.POSITIVE_INFINITY, direction: "SIDEWAYS" }, bad: 3 },
      },
      distance_by_criterion: { a: 0.1, b: "x" },
    });
    expect(t.convergence_status).toBeUndefined();
    expect(t.distance_to_goal).toBeUndefined();
    expect(t.score_trend).toBeUndefined();
    expect(t.iterations_to_success).toBeUndefined();
    expect(t.efficiency?.best_so_far).toEqual([0.1, Number.NaN, Number.NaN]);
    expect(t.efficiency?.change_points).toEqual([{ after_iteration: 7 }]);
    expect(t.parameter_effects?.parameters).toEqual({
      lr: {
        kind: "numeric",
        impact: null,
        stderr: null,
        importance: null,
        changes: 0,
        direction: "UNCLEAR",
      },
    });
    expect(t.parameter_effects?.method).toBeNull();
    expect(t.distance_by_criterion).toEqual({ a: 0.1 });
  });
});
