import { describe, expect, it } from "vitest";
import { ValidationError } from "./errors.js";
import { BOUNDARY_DISTANCE, evaluateGate } from "./gate.js";

const sharpeGate = { criteria: [{ metric: "sharpe_ratio", op: ">=" as const, threshold: 1.0 }] };

describe("evaluateGate", () => {
  it("passes exactly at the threshold of an inclusive criterion", () => {
    const r = evaluateGate({ sharpe_ratio: 1.0 }, sharpeGate);
    expect(r.passed).toBe(true);
    expect(r.score).toBe(1);
    expect(r.criteria[0]).toMatchObject({ value: 1, margin: 0, distance: 0, passed: true });
    expect(r.failed_criteria).toEqual([]);
  });

  it("fails exactly at the threshold of a strict criterion, with the smallest distance", () => {
    const r = evaluateGate(
      { sharpe_ratio: 1.0 },
      { criteria: [{ metric: "sharpe_ratio", op: ">", threshold: 1.0 }] },
    );
    expect(r.passed).toBe(false);
    expect(r.criteria[0]?.distance).toBe(BOUNDARY_DISTANCE);
    expect(r.score).toBeLessThan(1);
    expect(r.score).toBeCloseTo(1, 6);
  });

  it("normalises the shortfall by |threshold| and scores 1 - distance", () => {
    const r = evaluateGate({ sharpe_ratio: 0.75 }, sharpeGate);
    expect(r.passed).toBe(false);
    expect(r.criteria[0]?.margin).toBeCloseTo(-0.25, 12);
    expect(r.criteria[0]?.distance).toBeCloseTo(0.25, 12);
    expect(r.score).toBeCloseTo(0.75, 12);
  });

  it("clips the distance at 1 and uses scale when given", () => {
    expect(evaluateGate({ sharpe_ratio: -5 }, sharpeGate).criteria[0]?.distance).toBe(1);
    const scaled = evaluateGate(
      { sharpe_ratio: 0.5 },
      { criteria: [{ metric: "sharpe_ratio", op: ">=", threshold: 1, scale: 2 }] },
    );
    expect(scaled.criteria[0]?.distance).toBeCloseTo(0.25, 12);
  });

  it("uses scale 1 for a zero threshold", () => {
    const r = evaluateGate(
      { pnl: -0.3 },
      { criteria: [{ metric: "pnl", op: ">=", threshold: 0 }] },
    );
    expect(r.criteria[0]?.distance).toBeCloseTo(0.3, 12);
  });

  it("treats <= with the margin t - v", () => {
    const gate = { criteria: [{ metric: "max_drawdown", op: "<=" as const, threshold: 0.2 }] };
    expect(evaluateGate({ max_drawdown: 0.2 }, gate).passed).toBe(true);
    const r = evaluateGate({ max_drawdown: 0.25 }, gate);
    expect(r.passed).toBe(false);
    expect(r.criteria[0]?.margin).toBeCloseTo(-0.05, 12);
    expect(r.criteria[0]?.distance).toBeCloseTo(0.25, 12);
  });

  it("fails a missing metric with distance 1 and says why", () => {
    const r = evaluateGate({}, sharpeGate);
    expect(r.passed).toBe(false);
    expect(r.score).toBe(0);
    expect(r.criteria[0]).toMatchObject({
      value: null,
      margin: null,
      distance: 1,
      note: "missing",
    });
  });

  it("fails a NaN metric with distance 1 and a JSON-safe result", () => {
    const r = evaluateGate({ sharpe_ratio: Number.NaN }, sharpeGate);
    expect(r.passed).toBe(false);
    expect(r.criteria[0]).toMatchObject({ value: null, distance: 1, note: "NaN" });
    expect(JSON.parse(JSON.stringify(r.failed_criteria))).toEqual(r.failed_criteria);
  });

  it("handles infinite metrics on either side", () => {
    expect(evaluateGate({ sharpe_ratio: Number.POSITIVE_INFINITY }, sharpeGate)).toMatchObject({
      passed: true,
      score: 1,
    });
    const r = evaluateGate({ sharpe_ratio: Number.NEGATIVE_INFINITY }, sharpeGate);
    expect(r.criteria[0]).toMatchObject({
      passed: false,
      distance: 1,
      value: null,
      margin: null,
      note: "-Infinity",
    });
  });

  it("treats between as inclusive on both ends and measures the distance to the nearer end", () => {
    const gate = {
      criteria: [
        { metric: "win_rate", op: "between" as const, threshold: [0.4, 0.6] as [number, number] },
      ],
    };
    expect(evaluateGate({ win_rate: 0.4 }, gate).passed).toBe(true);
    expect(evaluateGate({ win_rate: 0.6 }, gate).passed).toBe(true);
    expect(evaluateGate({ win_rate: 0.5 }, gate).criteria[0]?.margin).toBeCloseTo(0.1, 12);
    const low = evaluateGate({ win_rate: 0.35 }, gate);
    expect(low.passed).toBe(false);
    expect(low.criteria[0]?.distance).toBeCloseTo(0.25, 12); // 0.05 short over a band of 0.2
    const high = evaluateGate({ win_rate: 0.7 }, gate);
    expect(high.criteria[0]?.distance).toBeCloseTo(0.5, 12);
  });

  it("weights criteria in the score and lets optional criteria fail without failing the gate", () => {
    const gate = {
      criteria: [
        { metric: "a", op: ">=" as const, threshold: 1, weight: 3 },
        { metric: "b", op: ">=" as const, threshold: 1, required: false },
      ],
    };
    const r = evaluateGate({ a: 1, b: 0 }, gate);
    expect(r.passed).toBe(true);
    expect(r.score).toBeCloseTo(3 / 4, 12);
    expect(r.failed_criteria.map((c) => c.metric)).toEqual(["b"]);
  });

  it("scores 1 exactly when every criterion passes", () => {
    const gate = {
      criteria: [
        { metric: "sharpe_ratio", op: ">=" as const, threshold: 1 },
        { metric: "max_drawdown", op: "<=" as const, threshold: 0.2 },
      ],
    };
    expect(evaluateGate({ sharpe_ratio: 1.05, max_drawdown: 0.18 }, gate).score).toBe(1);
    expect(evaluateGate({ sharpe_ratio: 0.99, max_drawdown: 0.18 }, gate).score).toBeLessThan(1);
  });

  it("rejects a malformed gate naming the field and the fix", () => {
    expect(() =>
      evaluateGate({ a: 1 }, { criteria: [{ metric: "a", op: "between", threshold: 1 }] }),
    ).toThrow(/gate\.criteria\[0\]\.threshold: op "between" needs threshold \[low, high\]/);
    expect(() => evaluateGate({ a: 1 }, { criteria: [] })).toThrow(ValidationError);
    expect(() =>
      evaluateGate({ a: 1 }, { criteria: [{ metric: "a", op: "=>" as ">=", threshold: 1 }] }),
    ).toThrow(/gate\.criteria\[0\]\.op/);
    expect(() =>
      evaluateGate({ a: 1 }, { criteria: [{ metric: "a", op: "between", threshold: [2, 1] }] }),
    ).toThrow(/low <= high/);
  });
});

describe("parseGate caching", () => {
  it("re-validates a gate object that changed since it was last parsed", () => {
    const criterion: { metric: string; op: string; threshold: number } = {
      metric: "a",
      op: ">=",
      threshold: 1,
    };
    const gate = { criteria: [criterion] } as unknown as Parameters<typeof evaluateGate>[1];
    expect(evaluateGate({ a: 1 }, gate).passed).toBe(true);
    criterion.threshold = 2;
    expect(evaluateGate({ a: 1 }, gate).passed).toBe(false);
    criterion.op = "=>";
    expect(() => evaluateGate({ a: 1 }, gate)).toThrow(/gate\.criteria\[0\]\.op/);
  });
});
