import { describe, expect, it } from "vitest";
import { mulberry32 } from "./series.js";
import { turningPoints } from "./turning-points.js";

describe("turningPoints: published vectors", () => {
  it("alternating [1,3,1,3,…] of 10: T = 8, z = +2.21", () => {
    const r = turningPoints([1, 3, 1, 3, 1, 3, 1, 3, 1, 3]);
    expect(r.n).toBe(10);
    expect(r.t).toBe(8);
    expect(r.expected).toBeCloseTo(16 / 3, 14);
    expect(r.variance).toBeCloseTo(131 / 90, 14);
    expect(r.z).toBeCloseTo(2.21, 2);
  });

  it("monotone of 10: T = 0, z = −4.42", () => {
    const r = turningPoints([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(r.t).toBe(0);
    expect(r.z).toBeCloseTo(-4.42, 2);
  });
});

describe("turningPoints: null distribution", () => {
  it("mean and variance of T over i.i.d. noise match 2(n−2)/3 and (16n−29)/90", () => {
    const random = mulberry32(2024);
    for (const n of [4, 7, 20]) {
      const reps = 40_000;
      let sum = 0;
      let sumSq = 0;
      for (let k = 0; k < reps; k++) {
        const t = turningPoints(Array.from({ length: n }, random)).t;
        sum += t;
        sumSq += t * t;
      }
      const mean = sum / reps;
      const variance = sumSq / reps - mean * mean;
      const expected = turningPoints(Array.from({ length: n }, (_, i) => i));
      expect(Math.abs(mean - (expected.expected as number))).toBeLessThan(0.03);
      expect(Math.abs(variance / (expected.variance as number) - 1)).toBeLessThan(0.05);
    }
  });

  it("uses the exact variance 2/9 at n = 3", () => {
    expect(turningPoints([1, 3, 2])).toMatchObject({
      n: 3,
      t: 1,
      expected: 2 / 3,
      variance: 2 / 9,
    });
  });
});

describe("turningPoints: ties and degenerate input", () => {
  it("collapses runs of equal values (zero differences carry no direction)", () => {
    expect(turningPoints([1, 2, 2, 3])).toMatchObject({ n: 3, t: 0 });
    expect(turningPoints([1, 2, 2, 1])).toMatchObject({ n: 3, t: 1 });
    expect(turningPoints([1, 1, 3, 3, 1, 1, 3, 3])).toEqual(turningPoints([1, 3, 1, 3]));
  });

  it("n < 3 after collapsing gives T = 0 and nulls", () => {
    const nulls = { expected: null, variance: null, z: null };
    expect(turningPoints([])).toEqual({ n: 0, t: 0, ...nulls });
    expect(turningPoints([5])).toEqual({ n: 1, t: 0, ...nulls });
    expect(turningPoints([5, 6])).toEqual({ n: 2, t: 0, ...nulls });
    expect(turningPoints([5, 5, 5, 5, 5])).toEqual({ n: 1, t: 0, ...nulls });
  });

  it("drops missing values before differencing", () => {
    expect(turningPoints([1, Number.NaN, 3, null, 1, 3])).toEqual(turningPoints([1, 3, 1, 3]));
  });

  it("runs on 100,000 points", () => {
    const random = mulberry32(5);
    const r = turningPoints(Array.from({ length: 100_000 }, random));
    expect(r.n).toBe(100_000);
    expect(Math.abs(r.z as number)).toBeLessThan(5);
  });
});
