import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  mulberry32,
  observed,
  observedPairs,
  orderStatistics,
  roundHalfEven,
  sortedMedian,
  tieGroups,
  tieVarianceTerm,
} from "./series.js";

describe("series helpers", () => {
  it("observed drops non-finite values and keeps positions", () => {
    const { ys, positions } = observed([1, Number.NaN, null, 4, undefined, -Infinity, 7]);
    expect(Array.from(ys)).toEqual([1, 4, 7]);
    expect(Array.from(positions)).toEqual([0, 3, 6]);
  });

  it("observedPairs drops rows with a missing side and truncates to the shorter input", () => {
    const r = observedPairs([1, 2, Number.NaN, 4, 5], [0, null, 2, 3]);
    expect(Array.from(r.xs)).toEqual([0, 3]);
    expect(Array.from(r.ys)).toEqual([1, 4]);
  });

  it("tieGroups and the variance term", () => {
    const groups = tieGroups(Float64Array.from([1, 1, 2, 3, 3, 3, 4]));
    expect(groups).toEqual([2, 3]);
    expect(tieVarianceTerm(groups)).toBe(2 * 1 * 9 + 3 * 2 * 11);
    expect(tieGroups(new Float64Array(0))).toEqual([]);
  });

  it("roundHalfEven rounds halves to even like np.round", () => {
    expect([0.5, 1.5, 2.5, 3.5, -0.5, -1.5, 2.4999, 2.5001].map(roundHalfEven)).toEqual([
      0, 2, 2, 4, 0, -2, 2, 3,
    ]);
  });

  it("sortedMedian averages the middle pair when even", () => {
    expect(sortedMedian(Float64Array.from([1, 2, 3, 10]))).toBe(2.5);
    expect(sortedMedian(Float64Array.from([1, 2, 10]))).toBe(2);
  });

  it("orderStatistics equals sorting, with duplicates and large arrays", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: -20, max: 20 }), { minLength: 1, maxLength: 3000 }),
        fc.array(fc.nat(), { minLength: 1, maxLength: 5 }),
        (values, rawRanks) => {
          const sorted = Float64Array.from(values).sort();
          const ranks = rawRanks.map((r) => r % values.length);
          const got = orderStatistics(Float64Array.from(values), ranks);
          for (const r of ranks) expect(got.get(r)).toBe(sorted[r]);
        },
      ),
      { numRuns: 200 },
    );
  });

  it("mulberry32 is deterministic and in [0, 1)", () => {
    const a = mulberry32(42);
    const b = mulberry32(42);
    for (let i = 0; i < 1000; i++) {
      const v = a();
      expect(v).toBe(b());
      expect(v).toBeGreaterThanOrEqual(0);
      expect(v).toBeLessThan(1);
    }
  });
});
