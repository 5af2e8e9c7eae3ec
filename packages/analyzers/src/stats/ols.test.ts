import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { olsSlope } from "./ols.js";

describe("olsSlope", () => {
  it("matches linregress on the Mann–Kendall worked example (exact rational reference)", () => {
    const y = [12.9, 14.8, 13.2, 15.7, 13.8, 15.6, 12.9, 11.0, 17.3, 15.9, 19.0, 18.3, 20.1, 21.7];
    const r = olsSlope(y);
    // Reference computed with Python fractions: slope = 1277/2275.
    expect(r.n).toBe(14);
    expect(r.slope).toBeCloseTo(1277 / 2275, 13);
    expect(r.intercept).toBeCloseTo(12.222857142857142, 12);
    expect(r.r2).toBeCloseTo(0.5797106652849888, 12);
    expect(r.stderr).toBeCloseTo(0.1379708731593645, 12);
  });

  it("recovers an exact line: r² = 1, stderr 0", () => {
    const r = olsSlope([3, 5, 7, 9, 11]);
    expect(r.slope).toBeCloseTo(2, 14);
    expect(r.intercept).toBeCloseTo(3, 14);
    expect(r.r2).toBeCloseTo(1, 14);
    expect(r.stderr).toBeCloseTo(0, 7);
  });

  it("uses given x values", () => {
    const r = olsSlope([1, 3, 7], [0, 1, 3]);
    expect(r.slope).toBeCloseTo(2, 14);
    expect(r.intercept).toBeCloseTo(1, 14);
  });

  it("is equivariant: y → a + b·y scales the slope by b and keeps r²", () => {
    fc.assert(
      fc.property(
        // Quarter steps: a + b·y cannot collapse distinct values by rounding.
        fc.array(
          fc.integer({ min: -4000, max: 4000 }).map((v) => v / 4),
          { minLength: 3, maxLength: 50 },
        ),
        fc.double({ min: 0.1, max: 10, noNaN: true }),
        fc.double({ min: -100, max: 100, noNaN: true }),
        (y, b, a) => {
          const base = olsSlope(y);
          const moved = olsSlope(y.map((v) => a + b * v));
          const scale = Math.max(1, Math.abs(b * (base.slope as number)));
          expect(Math.abs((moved.slope as number) - b * (base.slope as number))).toBeLessThan(
            1e-9 * scale,
          );
          if (base.r2 !== null && base.r2 > 1e-9) {
            expect(moved.r2 as number).toBeCloseTo(base.r2, 6);
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it("degenerate: 0/1 point and constant x give nulls; 2 points give no stderr", () => {
    const nulls = { slope: null, intercept: null, r2: null, stderr: null };
    expect(olsSlope([])).toEqual({ n: 0, ...nulls });
    expect(olsSlope([Number.NaN, 2])).toEqual({ n: 1, ...nulls });
    expect(olsSlope([1, 2, 3], [4, 4, 4])).toEqual({ n: 3, ...nulls });
    expect(olsSlope([1, 3])).toEqual({ n: 2, slope: 2, intercept: 1, r2: 1, stderr: null });
  });

  it("constant y: slope 0, stderr 0, r² null", () => {
    expect(olsSlope([4, 4, 4, 4])).toEqual({ n: 4, slope: 0, intercept: 4, r2: null, stderr: 0 });
  });

  it("drops missing values and keeps original positions", () => {
    const r = olsSlope([0, null, 2, Number.NaN, 4]);
    expect(r.n).toBe(3);
    expect(r.slope).toBeCloseTo(1, 14);
    expect(r.intercept).toBeCloseTo(0, 14);
  });

  it("runs on 100,000 points", () => {
    const y = Array.from({ length: 100_000 }, (_, i) => 5 + 0.25 * i + Math.sin(i));
    const r = olsSlope(y);
    expect(r.slope as number).toBeCloseTo(0.25, 6);
    expect(r.r2 as number).toBeGreaterThan(0.999);
  });
});
