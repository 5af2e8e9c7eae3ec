import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { pettitt } from "./pettitt.js";
import { mulberry32 } from "./series.js";

/** O(n²) reference straight from the definition: U_t = Σ_{i≤t} Σ_{j>t} sgn(x_j − x_i). */
function naivePettitt(x: number[]): { index: number | null; k: number; u: number } {
  let k = 0;
  let index: number | null = null;
  let uBest = 0;
  for (let t = 0; t < x.length - 1; t++) {
    let u = 0;
    for (let i = 0; i <= t; i++) {
      for (let j = t + 1; j < x.length; j++) u += Math.sign((x[j] as number) - (x[i] as number));
    }
    if (Math.abs(u) > k) {
      k = Math.abs(u);
      index = t;
      uBest = u;
    }
  }
  return { index, k, u: uBest };
}

describe("pettitt", () => {
  it("reproduces the published vector: change after index 4, K = 25, p = 0.066", () => {
    const r = pettitt([1.0, 1.1, 0.9, 1.05, 0.95, 2.0, 2.1, 1.9, 2.05, 1.95]);
    expect(r.index).toBe(4);
    expect(r.k).toBe(25);
    expect(r.u).toBe(25);
    expect(r.p).toBeCloseTo(0.066, 3);
    expect(r.p).toBeCloseTo(2 * Math.exp((-6 * 625) / 1100), 14);
  });

  it("equals the naive O(n²) statistic on random series with ties", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: -3, max: 3 }), { minLength: 2, maxLength: 60 }),
        (x) => {
          const fast = pettitt(x);
          const slow = naivePettitt(x);
          expect(fast.k).toBe(slow.k);
          expect(fast.index).toBe(slow.index);
          if (slow.index !== null) expect(fast.u).toBe(slow.u);
        },
      ),
      { numRuns: 400 },
    );
  });

  it("a downward shift gives a negative U", () => {
    const r = pettitt([5, 5.1, 4.9, 5.2, 1, 1.1, 0.9]);
    expect(r.index).toBe(3);
    expect(r.u as number).toBeLessThan(0);
  });

  it("maps the index back to the caller's positions when values are dropped", () => {
    const r = pettitt([1.0, Number.NaN, 1.1, 0.9, 1.05, 0.95, null, 2.0, 2.1, 1.9, 2.05, 1.95]);
    expect(r.n).toBe(10);
    expect(r.index).toBe(5); // the 0.95 that ends the first segment sits at position 5
    expect(r.k).toBe(25);
  });

  it("degenerate input: n < 2 nulls, constant series has no change (p = 1)", () => {
    expect(pettitt([])).toEqual({ n: 0, index: null, k: null, u: null, p: null });
    expect(pettitt([3])).toEqual({ n: 1, index: null, k: null, u: null, p: null });
    expect(pettitt([2, 2, 2, 2])).toEqual({ n: 4, index: null, k: 0, u: 0, p: 1 });
    expect(pettitt([1, 2])).toEqual({ n: 2, index: 0, k: 1, u: 1, p: 1 });
  });

  it("runs on 100,000 points and finds a planted shift", () => {
    const random = mulberry32(11);
    const x = Array.from({ length: 100_000 }, (_, i) => random() + (i > 61_234 ? 0.2 : 0));
    const r = pettitt(x);
    expect(Math.abs((r.index as number) - 61_234)).toBeLessThan(500);
    expect(r.p as number).toBeLessThan(1e-6);
  });
});
