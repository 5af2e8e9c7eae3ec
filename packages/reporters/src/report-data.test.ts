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

  it("keeps the success probability and the ETA's level and horizon when well-formed", () => {
    const t = of({
      iterations_to_success: {
        estimate: 3,
        low: 2,
        high: 5,
        level: 0.8,
        horizon: 50,
        model: "predictive",
        reason: "r",
      },
      success_probability: {
        probability: 0.72,
        horizon: 6,
        horizon_source: "budget",
        basis: "criteria",
        by_criterion: { sharpe_ratio: 0.8, bad: "x", over: 1.5 },
        reason: "why",
      },
    });
    expect(t.iterations_to_success).toEqual({
      estimate: 3,
      low: 2,
      high: 5,
      level: 0.8,
      horizon: 50,
      model: "predictive",
      reason: "r",
    });
    expect(t.success_probability).toEqual({
      probability: 0.72,
      horizon: 6,
      horizon_source: "budget",
      basis: "criteria",
      by_criterion: { sharpe_ratio: 0.8 },
      reason: "why",
    });
    // No goal: a null probability is kept (the report says "n/a"), an unknown source dropped.
    const none = of({
      success_probability: { probability: null, horizon: 20, horizon_source: "someday" },
    });
    expect(none.success_probability).toEqual({ probability: null, horizon: 20 });
  });

  it("leaves both out, or the ETA without a level, for analyses written before them or malformed", () => {
    const old = of({
      iterations_to_success: { estimate: 4, low: 2, high: 12, model: "saturating", reason: "r" },
    });
    expect(old.success_probability).toBeUndefined();
    expect(old.iterations_to_success).toEqual({
      estimate: 4,
      low: 2,
      high: 12,
      model: "saturating",
      reason: "r",
    });
    const bad = of({
      iterations_to_success: { estimate: 4, low: 2, high: 5, level: 80, horizon: -1, model: null },
      success_probability: { probability: 1.2, horizon: 6 },
    });
    expect(bad.iterations_to_success).toEqual({ estimate: 4, low: 2, high: 5, model: null });
    expect(bad.success_probability).toBeUndefined();
    expect(of({ success_probability: { probability: 0.5 } }).success_probability).toBeUndefined();
    expect(of({ success_probability: "likely" }).success_probability).toBeUndefined();
  });
});
