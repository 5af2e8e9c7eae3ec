import { seededRandom } from "@converge/core";
import { describe, expect, it } from "vitest";
import { classifySeries } from "./classify.js";
import { estimateIterationsToSuccess } from "./eta.js";

const eta = (ys: number[], goal = 1) =>
  estimateIterationsToSuccess(ys, classifySeries(ys, { goal }), goal);

describe("estimateIterationsToSuccess", () => {
  it("extrapolates a straight line and brackets it with Sen's interval", () => {
    const r = eta([0.5, 0.55, 0.6, 0.65, 0.7, 0.75]); // 0.05 a step, 0.25 to go
    expect(r).toMatchObject({ estimate: 5, model: "linear" });
    const rnd = seededRandom(3);
    const noisy = Array.from({ length: 12 }, (_, t) => 0.3 + 0.03 * t + 0.01 * (rnd() - 0.5));
    const n = eta(noisy);
    expect(n.model).toBe("linear");
    expect(n.estimate).toBeGreaterThanOrEqual(12);
    expect(n.estimate).toBeLessThanOrEqual(14); // 1 − 0.63 = 0.37 at 0.03
    expect(n.low as number).toBeLessThanOrEqual(n.estimate as number);
    expect(n.high as number).toBeGreaterThanOrEqual(n.estimate as number);
  });

  it("follows a saturating curve to its crossing instead of the straight line", () => {
    // y = 1.2 − 0.8·e^(−t/5): crosses 1 at t = 5·ln(4) ≈ 6.93, i.e. iteration index 7.
    const ys = Array.from({ length: 6 }, (_, t) => 1.2 - 0.8 * Math.exp(-t / 5));
    const r = eta(ys);
    expect(r.model).toBe("saturating");
    expect(r.estimate).toBe(2); // from the last index 5 to 6.93
    expect(r.low as number).toBeLessThanOrEqual(2);
    expect(r.high as number).toBeGreaterThanOrEqual(2);
  });

  it("says when progress levels off below the goal", () => {
    const ys = Array.from({ length: 10 }, (_, t) => 0.9 - 0.5 * Math.exp(-t / 2));
    const r = eta(ys);
    expect(r).toMatchObject({ estimate: null, model: "saturating" });
    expect(r.reason).toMatch(/levelling off near 0\.89/);
  });

  it("is 0 at the goal and null when not converging", () => {
    expect(eta([0.5, 0.9, 1]).estimate).toBe(0);
    expect(eta([0.6, 0.5, 0.4, 0.3]).estimate).toBeNull();
    expect(eta([0.5]).estimate).toBeNull();
    expect(eta([]).estimate).toBeNull();
  });
});
