import { describe, expect, it } from "vitest";
import { parseGate } from "./gate.js";
import { directionText, metricRole, metricSpan } from "./metric-role.js";

const gate = parseGate({
  criteria: [
    { metric: "sharpe", op: ">=", threshold: 1 },
    { metric: "drawdown", op: "<=", threshold: 0.2 },
    { metric: "ratio", op: "between", threshold: [0.1, 0.3] },
    { metric: "band", op: ">=", threshold: 1 },
    { metric: "band", op: "<=", threshold: 5 },
  ],
});

describe("metricRole", () => {
  it("a metric with no stated goal is informational: no direction", () => {
    expect(metricRole("trade_count", { gate })).toEqual({
      role: "informational",
      goal: null,
      source: null,
    });
    // The name alone states nothing: "loss" without a spec or a criterion is informational.
    expect(metricRole("loss", {})).toMatchObject({ role: "informational", goal: null });
    expect(directionText(null)).toBe("no goal");
  });

  it("a maximize / minimize spec makes an objective with that direction, over the gate and the name", () => {
    const metrics = { loss: { goal: "maximize" as const }, sharpe: { goal: "minimize" as const } };
    expect(metricRole("loss", { metrics })).toEqual({
      role: "objective",
      goal: "maximize",
      source: "spec",
    });
    expect(metricRole("sharpe", { metrics, gate })).toMatchObject({ goal: "minimize" });
    expect(directionText("maximize")).toBe("higher is better");
    expect(directionText("minimize")).toBe("lower is better");
  });

  it("a gated metric takes its direction from its one-sided criteria, else from its name", () => {
    expect(metricRole("sharpe", { gate })).toEqual({
      role: "objective",
      goal: "maximize",
      source: "gate",
    });
    expect(metricRole("drawdown", { gate })).toMatchObject({ goal: "minimize", source: "gate" });
    // A band, or criteria that disagree, say no direction: the name decides (as metricGoal does).
    expect(metricRole("ratio", { gate })).toMatchObject({ role: "objective", goal: "maximize" });
    expect(metricRole("band", { gate })).toMatchObject({ role: "objective", goal: "maximize" });
  });

  it("the metric the score is (no gate) is an objective", () => {
    expect(metricRole("val_loss", { scoreMetric: "val_loss" })).toEqual({
      role: "objective",
      goal: "minimize",
      source: "score",
    });
  });

  it("reads specs by own name only", () => {
    expect(metricRole("toString", { metrics: {} })).toMatchObject({ role: "informational" });
    expect(metricRole("__proto__", { metrics: {} })).toMatchObject({ role: "informational" });
  });
});

describe("metricSpan", () => {
  it("a metric constant over the experiment is one value", () => {
    expect(metricSpan([252, 252, Number.NaN, 252])).toEqual({
      n: 3,
      first: 252,
      last: 252,
      min: 252,
      max: 252,
      constant: true,
    });
  });

  it("first → last with the range; one value or none is not constant", () => {
    expect(metricSpan([62, 5, 40, 11])).toEqual({
      n: 4,
      first: 62,
      last: 11,
      min: 5,
      max: 62,
      constant: false,
    });
    expect(metricSpan([7]).constant).toBe(false);
    expect(metricSpan([]).first).toBeNull();
    expect(metricSpan([Number.NaN, "x", null, Number.POSITIVE_INFINITY]).n).toBe(0);
  });
});
