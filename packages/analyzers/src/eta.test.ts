import { seededRandom } from "@converge/core";
import { describe, expect, it } from "vitest";
import { classifySeries } from "./classify.js";
import { estimateIterationsToSuccess } from "./eta.js";
import { ETA_LEVEL } from "./success-probability.js";

const eta = (ys: number[], goal = 1) =>
  estimateIterationsToSuccess(ys, classifySeries(ys, { goal }), goal);

describe("estimateIterationsToSuccess", () => {
  it("brackets a straight line's crossing, and states its level and horizon", () => {
    const r = eta([0.5, 0.55, 0.6, 0.65, 0.7, 0.75]); // 0.05 a step, 0.25 to go: 5
    expect(r).toMatchObject({ model: "predictive", level: ETA_LEVEL });
    expect(r.horizon).toBeGreaterThanOrEqual(50);
    expect(r.low as number).toBeLessThanOrEqual(5);
    expect(r.high as number).toBeGreaterThanOrEqual(5);
    expect(r.estimate).toBeGreaterThanOrEqual(5);
    expect(r.estimate).toBeLessThanOrEqual(6);
    const rnd = seededRandom(3);
    const noisy = Array.from({ length: 12 }, (_, t) => 0.3 + 0.03 * t + 0.01 * (rnd() - 0.5));
    const n = eta(noisy); // 1 − 0.63 = 0.37 at 0.03: about 12
    expect(n.low as number).toBeLessThanOrEqual(12);
    expect(n.high as number).toBeGreaterThanOrEqual(12);
    expect(n.low as number).toBeLessThanOrEqual(n.estimate as number);
    expect(n.high as number).toBeGreaterThanOrEqual(n.estimate as number);
  });

  it("follows a saturating curve to its crossing, later than the straight line would", () => {
    // y = 1.2 − 0.8·e^(−t/5): crosses 1 at t = 5·ln(4) ≈ 6.93, 2 iterations after index 5.
    const ys = Array.from({ length: 6 }, (_, t) => 1.2 - 0.8 * Math.exp(-t / 5));
    const r = eta(ys);
    expect(r.low as number).toBeLessThanOrEqual(2);
    expect(r.high as number).toBeGreaterThanOrEqual(2);
    expect(r.high as number).toBeLessThanOrEqual(5);
  });

  it("widens when progress levels off below the goal, and says how likely a pass is", () => {
    const ys = Array.from({ length: 10 }, (_, t) => 0.9 - 0.5 * Math.exp(-t / 2));
    const r = eta(ys);
    // Improving, so it always gets an estimate: only a breakthrough can pass, so late and wide.
    expect(r.estimate).not.toBeNull();
    expect((r.high as number) - (r.low as number)).toBeGreaterThan(10);
    expect(r.reason).toMatch(
      /^if it passes within \d+ iterations \(P 0\.\d+\): median \d+, 80% range/,
    );
  });

  it("is 0 at the goal; for a falling series only a breakthrough passes; null without data", () => {
    expect(eta([0.5, 0.9, 1])).toMatchObject({ estimate: 0, low: 0, high: 0 });
    const falling = eta(Array.from({ length: 15 }, (_, t) => 0.6 - 0.03 * t));
    expect(falling.reason).toMatch(/\(P 0\.[01]\d+\)|unlikely/);
    expect(eta([])).toMatchObject({ estimate: null, reason: "no finite value yet of score" });
  });
});
