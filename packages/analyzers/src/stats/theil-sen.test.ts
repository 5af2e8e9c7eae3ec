import { median } from "@converge/core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { mulberry32 } from "./series.js";
import { theilSen } from "./theil-sen.js";

/** Round half to even (np.round), written independently of the implementation. */
function npRound(v: number): number {
  const r = Math.round(v);
  return Math.abs(v % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/**
 * Line-by-line transcription of `scipy.stats.theilslopes` (method "separate", alpha 0.95):
 * full sort, z = norm.ppf(0.025) < 0, Ru = min(round((nt − zσ)/2), nt − 1),
 * Rl = max(round((nt + zσ)/2) − 1, 0).
 */
function scipyTheilslopes(y: number[], x: number[]) {
  const slopes: number[] = [];
  for (let i = 0; i < x.length; i++) {
    for (let j = 0; j < x.length; j++) {
      const dx = (x[i] as number) - (x[j] as number);
      if (dx > 0) slopes.push(((y[i] as number) - (y[j] as number)) / dx);
    }
  }
  slopes.sort((a, b) => a - b);
  const medslope = median(slopes);
  const medinter = median(y) - medslope * median(x);
  const z = -1.959963984540054;
  const reps = (a: number[]) => {
    const counts = new Map<number, number>();
    for (const v of a) counts.set(v, (counts.get(v) ?? 0) + 1);
    return [...counts.values()].reduce((acc, k) => acc + k * (k - 1) * (2 * k + 5), 0);
  };
  const ny = y.length;
  const nt = slopes.length;
  const sigma = Math.sqrt((ny * (ny - 1) * (2 * ny + 5) - reps(x) - reps(y)) / 18);
  const ru = Math.min(npRound((nt - z * sigma) / 2), nt - 1);
  const rl = Math.max(npRound((nt + z * sigma) / 2) - 1, 0);
  return { slope: medslope, intercept: medinter, low: slopes[rl], high: slopes[ru] };
}

describe("theilSen: published vectors", () => {
  it("worked example: slope 0.56667, CI [0.325, 0.8667]", () => {
    const y = [12.9, 14.8, 13.2, 15.7, 13.8, 15.6, 12.9, 11.0, 17.3, 15.9, 19.0, 18.3, 20.1, 21.7];
    const r = theilSen(y);
    expect(r.method).toBe("exact");
    expect(r.slope).toBeCloseTo(0.56667, 5);
    expect(r.low).toBeCloseTo(0.325, 10);
    expect(r.high).toBeCloseTo(0.8667, 4);
    expect(r.intercept).toBeCloseTo(15.65 - 6.5 * (17 / 30), 10); // median(y) − slope·median(x)
  });

  it("[1.0, 1.2, 1.1, 1.5, 1.7, 1.6, 1.9]: slope 0.15, intercept 1.05, CI [0.05, 0.20]", () => {
    const r = theilSen([1.0, 1.2, 1.1, 1.5, 1.7, 1.6, 1.9]);
    expect(r.slope).toBeCloseTo(0.15, 12);
    expect(r.intercept).toBeCloseTo(1.05, 12);
    expect(r.low).toBeCloseTo(0.05, 12);
    expect(r.high).toBeCloseTo(0.2, 12);
  });
});

describe("theilSen: agrees with a transcription of scipy", () => {
  it("on random series with ties in y and in x", () => {
    const small = fc.integer({ min: -5, max: 5 });
    fc.assert(
      fc.property(fc.array(fc.tuple(small, small), { minLength: 2, maxLength: 40 }), (rows) => {
        const x = rows.map(([a]) => a);
        const y = rows.map(([, b]) => b * 0.5);
        const got = theilSen(y, x);
        if (new Set(x).size < 2) {
          expect(got.slope).toBeNull();
          return;
        }
        const want = scipyTheilslopes(y, x);
        expect(got.method).toBe("exact");
        expect(got.slope).toBeCloseTo(want.slope, 12);
        expect(got.intercept).toBeCloseTo(want.intercept, 12);
        // σ² < 0 makes scipy's indices NaN (its bounds NaN); we give null.
        if (want.low === undefined) expect(got.low).toBeNull();
        else {
          expect(got.low).toBeCloseTo(want.low as number, 12);
          expect(got.high).toBeCloseTo(want.high as number, 12);
        }
      }),
      { numRuns: 400 },
    );
  });

  it("on random continuous series with the default x", () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -100, max: 100, noNaN: true }), { minLength: 2, maxLength: 60 }),
        (y) => {
          const want = scipyTheilslopes(
            y,
            y.map((_, i) => i),
          );
          const got = theilSen(y);
          expect(got.slope).toBeCloseTo(want.slope, 9);
          expect(got.low).toBeCloseTo(want.low as number, 9);
          expect(got.high).toBeCloseTo(want.high as number, 9);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe("theilSen: large n", () => {
  /** A noisy line from a seeded PRNG. */
  function noisyLine(n: number, slope: number, noise: number, seed: number): number[] {
    const r = mulberry32(seed);
    return Array.from({ length: n }, (_, i) => slope * i + noise * (r() + r() + r() - 1.5));
  }

  // Sampling error: a quantile of 10⁶ sampled slopes has a rank sd of √(q(1−q)/10⁶) ≈ 5e-4 of N′,
  // while the interval spans z·σ/N′ ≈ 2.9% of N′ at n = 2,000: sd ≈ 1.7% of the width. 10% is
  // ~6 sd (no flakes), yet any wrong rank mapping or biased sampling misses it by far.
  it("sampled is within 10% of the interval width of exact at n = 2,000", () => {
    fc.assert(
      fc.property(
        fc.double({ min: -0.01, max: 0.01, noNaN: true }),
        fc.double({ min: 0.1, max: 5, noNaN: true }),
        fc.integer({ min: 1, max: 1_000_000 }),
        (slope, noise, seed) => {
          const y = noisyLine(2000, slope, noise, seed);
          const exact = theilSen(y, undefined, { method: "exact" });
          const sampled = theilSen(y, undefined, { method: "sampled" });
          expect(exact.method).toBe("exact");
          expect(sampled.method).toBe("sampled");
          const width = (exact.high as number) - (exact.low as number);
          expect(width).toBeGreaterThan(0);
          for (const key of ["slope", "low", "high"] as const) {
            const diff = Math.abs((sampled[key] as number) - (exact[key] as number));
            expect(diff / width).toBeLessThan(0.1);
          }
        },
      ),
      { numRuns: 4 },
    );
  });

  it("switches to sampling above 1,500 points, deterministically", () => {
    const y = noisyLine(1600, 0.002, 1, 7);
    const a = theilSen(y);
    expect(a.method).toBe("sampled");
    expect(theilSen(y)).toEqual(a);
    expect(theilSen(noisyLine(1500, 0.002, 1, 7)).method).toBe("exact");
    // A different seed gives a (slightly) different estimate: the sample really is random.
    expect(theilSen(y, undefined, { seed: 99 }).slope).not.toBe(a.slope);
  });

  it("runs on 100,000 points and recovers the slope", () => {
    const r = theilSen(noisyLine(100_000, 0.001, 2, 3));
    expect(r.method).toBe("sampled");
    expect(r.n).toBe(100_000);
    expect(r.slope as number).toBeCloseTo(0.001, 5);
    expect(r.low as number).toBeLessThan(r.slope as number);
    expect(r.high as number).toBeGreaterThan(r.slope as number);
    expect(r.low as number).toBeLessThan(0.001);
    expect(r.high as number).toBeGreaterThan(0.001);
  });
});

describe("theilSen: degenerate input", () => {
  it("0 and 1 points, or all x equal: nulls", () => {
    const nulls = { slope: null, intercept: null, low: null, high: null, method: "exact" };
    expect(theilSen([])).toEqual({ n: 0, ...nulls });
    expect(theilSen([4])).toEqual({ n: 1, ...nulls });
    expect(theilSen([1, 2, 3], [5, 5, 5])).toEqual({ n: 3, ...nulls });
  });

  it("2 points: the slope with a degenerate [slope, slope] interval", () => {
    expect(theilSen([1, 3])).toEqual({
      n: 2,
      slope: 2,
      intercept: 1,
      low: 2,
      high: 2,
      method: "exact",
    });
  });

  it("a constant series: slope 0 and interval [0, 0]", () => {
    expect(theilSen([7, 7, 7, 7, 7])).toMatchObject({ slope: 0, intercept: 7, low: 0, high: 0 });
  });

  it("drops missing values but keeps the original positions as x", () => {
    const r = theilSen([0, Number.NaN, 2, null, 4]);
    expect(r.n).toBe(3);
    expect(r.slope).toBe(1);
    expect(r.intercept).toBe(0);
    expect(theilSen([Number.NaN, Number.NaN]).slope).toBeNull();
  });

  it("with xs: drops rows with a missing side and ignores extra rows", () => {
    const r = theilSen([1, 2, 3, 100], [0, Number.NaN, 2]);
    expect(r.n).toBe(2);
    expect(r.slope).toBe(1);
  });
});
