import { seededRandom } from "@converge/core";
import { describe, expect, it } from "vitest";
import { downsampleIndices, lttbIndices } from "./lttb.js";

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

describe("lttbIndices", () => {
  it("keeps every point when the threshold is not below the length", () => {
    expect(lttbIndices([0, 1, 2, 3], [5, 1, 4, 2], 4)).toEqual([0, 1, 2, 3]);
    expect(lttbIndices([0, 1], [1, 2], 10)).toEqual([0, 1]);
  });

  it("keeps the ends and picks the point making the largest triangle in each bucket", () => {
    // Buckets of 2 between the ends: [1,2], [3,4], [5,6], [7,8]; the spikes at 2 and 7 win.
    const ys = [0, 0, 10, 0, 0, 0, 0, -10, 0, 0];
    const picked = lttbIndices(range(10), ys, 6);
    expect(picked).toHaveLength(6);
    expect(picked[0]).toBe(0);
    expect(picked.at(-1)).toBe(9);
    expect(picked).toContain(2);
    expect(picked).toContain(7);
    expect([...picked].sort((a, b) => a - b)).toEqual(picked);
  });
});

describe("downsampleIndices", () => {
  it("returns every index of a short series", () => {
    expect(downsampleIndices(range(5), [1, 2, 3, 4, 5], 10)).toEqual(range(5));
  });

  it("keeps at most maxPoints points, and the global minimum and maximum", () => {
    const rnd = seededRandom(7);
    const n = 10_000;
    const ys = range(n).map((i) => Math.sin(i / 300) + 0.3 * rnd());
    // Spikes next to a bigger neighbour in the same bucket: LTTB alone prefers the neighbour.
    ys[4321] = 50;
    ys[4322] = 49.9;
    ys[7777] = -50;
    const picked = downsampleIndices(range(n), ys, 2000);
    expect(picked.length).toBeLessThanOrEqual(2000);
    expect(picked.length).toBeGreaterThan(1900);
    expect(picked).toContain(4321);
    expect(picked).toContain(7777);
    expect(picked[0]).toBe(0);
    expect(picked.at(-1)).toBe(n - 1);
    expect(new Set(picked).size).toBe(picked.length);
  });

  it("adds back an extreme that LTTB drops", () => {
    // A flat series with a slight dip: the bucket's largest triangle is elsewhere.
    const n = 100;
    const ys: number[] = range(n).map((i) => (i % 2 ? 1 : -1));
    ys[50] = -1.0001; // the global minimum, in a bucket of equal-area alternatives
    const plain = lttbIndices(range(n), ys, 10);
    expect(plain).not.toContain(50);
    expect(downsampleIndices(range(n), ys, 12)).toContain(50);
  });

  it("keeps a gap where values are missing so a line still breaks", () => {
    const n = 5000;
    const ys = range(n).map((i) => (i >= 2000 && i < 2100 ? Number.NaN : Math.cos(i / 50)));
    const picked = downsampleIndices(range(n), ys, 500);
    const gaps = picked.filter((i) => Number.isNaN(ys[i] as number));
    expect(gaps).toHaveLength(1);
    expect(gaps[0]).toBe(2000);
    expect(picked.filter((i) => !Number.isNaN(ys[i] as number)).length).toBeLessThanOrEqual(500);
  });
});
