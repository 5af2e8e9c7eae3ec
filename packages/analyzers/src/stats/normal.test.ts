import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { normalCdf, normalQuantile } from "./normal.js";

/** |a − b| ≤ tol·|b| (relative), for references far from 0. */
function expectRelative(actual: number | null, expected: number, tol: number): void {
  expect(actual).not.toBeNull();
  const err = Math.abs((actual as number) - expected) / Math.abs(expected);
  expect(err, `${actual} vs ${expected}`).toBeLessThanOrEqual(tol);
}

// Reference values from mpmath (40 significant digits), rounded to 17.
const CDF: [number, number][] = [
  [-37, 5.725571222524577e-300],
  [-20, 2.7536241186062337e-89],
  [-10, 7.619853024160525e-24],
  [-8.3, 5.205569744890254e-17],
  [-8, 6.220960574271784e-16],
  [-5, 2.866515718791939e-7],
  [-3.5, 0.00023262907903552504],
  [-3, 0.0013498980316300946],
  [-2.999, 0.0013543365337271062],
  [-1.5, 0.06680720126885807],
  [-0.5, 0.3085375387259869],
  [0, 0.5],
  [0.3, 0.6179114221889527],
  [1, 0.8413447460685429],
  [2.5, 0.9937903346742238],
  [2.999, 0.9986456634662729],
  [3, 0.9986501019683699],
  [4, 0.9999683287581669],
  [5, 0.9999997133484281],
  [8, 0.9999999999999993],
];

const QUANTILE: [number, number][] = [
  [1e-300, -37.0470962993612],
  [1e-100, -21.273453560965326],
  [1e-20, -9.262340089798407],
  [1e-12, -7.034483825301132],
  [1e-9, -5.9978070150076865],
  [1e-6, -4.753424308822899],
  [0.001, -3.0902323061678136],
  [0.01, -2.326347874040841],
  [0.025, -1.9599639845400543],
  [0.05, -1.6448536269514726],
  [0.075, -1.439531470938456],
  [0.0751, -1.43882539275254],
  [0.1, -1.2815515655446004],
  [0.3, -0.5244005127080408],
  [0.7, 0.5244005127080407],
  [0.924, 1.4325027208258119],
  [0.925, 1.4395314709384561],
  [0.975, 1.9599639845400538],
  [0.99, 2.3263478740408408],
  [1 - 1e-6, 4.753424308817088],
  [1 - 1e-9, 5.9978070196016375],
  [1 - 1e-12, 7.0344869100478356],
];

describe("normalCdf", () => {
  it.each(CDF)("Φ(%d) matches mpmath to 1e-13 relative, tails included", (x, expected) => {
    expectRelative(normalCdf(x), expected, 1e-13);
  });

  it("is continuous where the method switches at |x| = 3", () => {
    for (const x of [-3, 3]) {
      const below = normalCdf(x - 1e-12) as number;
      const at = normalCdf(x) as number;
      expect(Math.abs(at - below) / at).toBeLessThan(1e-11);
    }
  });

  it("handles infinities and NaN", () => {
    expect(normalCdf(Number.NEGATIVE_INFINITY)).toBe(0);
    expect(normalCdf(Number.POSITIVE_INFINITY)).toBe(1);
    expect(normalCdf(-1e6)).toBe(0);
    expect(normalCdf(1e6)).toBe(1);
    expect(normalCdf(Number.NaN)).toBeNull();
  });

  it("is monotone and symmetric: Φ(−x) = 1 − Φ(x)", () => {
    fc.assert(
      fc.property(fc.double({ min: -8, max: 8, noNaN: true }), (x) => {
        const a = normalCdf(x) as number;
        const b = normalCdf(-x) as number;
        expect(Math.abs(a + b - 1)).toBeLessThan(1e-15);
        expect(normalCdf(x + 1e-3) as number).toBeGreaterThanOrEqual(a);
      }),
    );
  });
});

describe("normalQuantile", () => {
  it.each(QUANTILE)("Φ⁻¹(%d) matches mpmath to 1e-12 relative", (p, expected) => {
    expectRelative(normalQuantile(p), expected, 1e-12);
  });

  it("is exactly 0 at p = 0.5", () => {
    expect(normalQuantile(0.5)).toBe(0);
  });

  it("inverts normalCdf to ~1e-9 over (1e-12, 1 − 1e-12)", () => {
    fc.assert(
      fc.property(fc.double({ min: 1e-12, max: 1 - 1e-12, noNaN: true }), (p) => {
        const x = normalQuantile(p) as number;
        const back = normalCdf(x) as number;
        // Compare in the smaller tail, where the relative error is meaningful.
        const err = p < 0.5 ? Math.abs(back - p) / p : Math.abs(1 - back - (1 - p)) / (1 - p);
        expect(err).toBeLessThan(1e-9);
      }),
      { numRuns: 2000 },
    );
  });

  it("returns the limits at 0 and 1 and null outside [0, 1]", () => {
    expect(normalQuantile(0)).toBe(Number.NEGATIVE_INFINITY);
    expect(normalQuantile(1)).toBe(Number.POSITIVE_INFINITY);
    expect(normalQuantile(-0.1)).toBeNull();
    expect(normalQuantile(1.1)).toBeNull();
    expect(normalQuantile(Number.NaN)).toBeNull();
  });
});
