import { type ConvergenceStatus, seededRandom } from "@converge/core";
import { describe, expect, it } from "vitest";
import { classifySeries, gradientDirection } from "./classify.js";

type Label = Exclude<ConvergenceStatus, "INSUFFICIENT_DATA">;

function normal(rnd: () => number): () => number {
  return () => Math.sqrt(-2 * Math.log(1 - rnd())) * Math.cos(2 * Math.PI * rnd());
}

/**
 * A labelled series on the gate-score scale. "Clear" means the signal is well
 * above the noise for the length: total change at least 5 noise sd for a
 * trend (10 below 8 points, where one reversed step already hides a trend),
 * oscillation amplitude at least 4 noise sd, plateau noise under a quarter of
 * the 0.02 practical effect.
 */
function makeSeries(kind: Label | "SATURATING", n: number, rnd: () => number): number[] {
  const z = normal(rnd);
  const u = (a: number, b: number) => a + (b - a) * rnd();
  const start = u(0.2, 0.5);
  switch (kind) {
    case "CONVERGING":
    case "DIVERGING": {
      const sign = kind === "CONVERGING" ? 1 : -1;
      const slope = u(0.01, 0.04);
      const sd = (slope * (n - 1)) / (n < 8 ? u(10, 20) : u(5, 12));
      return Array.from({ length: n }, (_, t) => start + sign * slope * t + sd * z());
    }
    case "SATURATING": {
      const gain = u(0.2, 0.5);
      const tau = u(n / 4, n / 1.5);
      const total = gain * (1 - Math.exp(-(n - 1) / tau));
      const sd = total / (n < 8 ? u(10, 20) : u(5, 12));
      return Array.from(
        { length: n },
        (_, t) => start + gain * (1 - Math.exp(-t / tau)) + sd * z(),
      );
    }
    case "OSCILLATING": {
      const amplitude = u(0.03, 0.15);
      const sd = amplitude / u(4, 8);
      return Array.from({ length: n }, (_, t) => start + amplitude * (t % 2 ? 1 : -1) + sd * z());
    }
    case "STAGNANT": {
      const sd = u(0, 0.005);
      return Array.from({ length: n }, () => start + sd * z());
    }
  }
}

describe("classifySeries on a labelled synthetic corpus", () => {
  it("is right on at least 95% of clear cases overall and per class, lengths 5 to 30", () => {
    const rnd = seededRandom(20261128);
    const kinds = ["CONVERGING", "SATURATING", "DIVERGING", "OSCILLATING", "STAGNANT"] as const;
    const tally: Record<string, { right: number; total: number; wrongAs: Record<string, number> }> =
      {};
    for (const kind of kinds) {
      tally[kind] = { right: 0, total: 0, wrongAs: {} };
      for (let n = 5; n <= 30; n++) {
        for (let rep = 0; rep < 20; rep++) {
          const expected: Label = kind === "SATURATING" ? "CONVERGING" : kind;
          const got = classifySeries(makeSeries(kind, n, rnd)).status;
          const t = tally[kind] as (typeof tally)[string];
          t.total++;
          if (got === expected) t.right++;
          else t.wrongAs[got] = (t.wrongAs[got] ?? 0) + 1;
        }
      }
    }
    const rows = Object.entries(tally).map(([kind, t]) => ({
      kind,
      accuracy: t.right / t.total,
      n: t.total,
      wrongAs: JSON.stringify(t.wrongAs),
    }));
    const overall =
      rows.reduce((s, r) => s + r.accuracy * r.n, 0) / rows.reduce((s, r) => s + r.n, 0);
    console.info(`classifier accuracy on clear cases: ${(overall * 100).toFixed(1)}% overall`);
    console.table(rows.map((r) => ({ ...r, accuracy: `${(r.accuracy * 100).toFixed(1)}%` })));
    expect(overall).toBeGreaterThanOrEqual(0.95);
    for (const r of rows) expect(r.accuracy, r.kind).toBeGreaterThanOrEqual(0.95);
  });

  it("calls the sample log's own series 0.65 → 0.75 → 0.92 CONVERGING (the original classifier says OSCILLATING)", () => {
    const c = classifySeries([0.65, 0.75, 0.92]);
    expect(c.status).toBe("CONVERGING");
    expect(c.slope).toBeCloseTo(0.135, 10);
    expect(c.reason).toMatch(/every step goes the same way/);
    expect(gradientDirection(c, [0.65, 0.75, 0.92])).toBe("ASCENDING");
  });

  it("calls a clean improving series CONVERGING (the original classifier often says DIVERGING)", () => {
    const ys = [0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7, 0.75];
    const c = classifySeries(ys);
    expect(c.status).toBe("CONVERGING");
    expect(c.p).toBeLessThan(0.01);
    expect(gradientDirection(c, ys)).toBe("ASCENDING");
  });

  it("treats a series at the goal for two iterations as converged", () => {
    expect(classifySeries([0.5, 0.8, 1, 1], { goal: 1 }).status).toBe("CONVERGING");
    expect(classifySeries([1, 1, 1, 1, 1], { goal: 1 }).status).toBe("CONVERGING");
    expect(classifySeries([1, 1, 1, 1, 1]).status).toBe("STAGNANT");
  });

  it("tells a trend too small to matter from a real one", () => {
    const tiny = [0.5, 0.501, 0.502, 0.503, 0.504, 0.505, 0.506];
    const c = classifySeries(tiny);
    expect(c.status).toBe("STAGNANT");
    expect(c.reason).toMatch(/too small to matter/);
    expect(classifySeries(tiny, { minEffect: 0.001 }).status).toBe("CONVERGING");
  });

  it("handles degenerate input without throwing", () => {
    expect(classifySeries([]).status).toBe("INSUFFICIENT_DATA");
    expect(classifySeries([0.5]).status).toBe("INSUFFICIENT_DATA");
    const two = classifySeries([0.5, 0.6]);
    expect(two.status).toBe("INSUFFICIENT_DATA");
    // Two points cannot show a real trend: the gradient uses the convergence test, so FLAT.
    expect(gradientDirection(two)).toBe("FLAT");
    expect(classifySeries([Number.NaN, Number.NaN, Number.NaN, 0.5]).status).toBe(
      "INSUFFICIENT_DATA",
    );
    expect(classifySeries([0.5, 0.5, 0.5, 0.5]).status).toBe("STAGNANT");
    expect(gradientDirection(classifySeries([0.5, 0.5, 0.5]))).toBe("FLAT");
  });

  it("works on 100,000 points", () => {
    const rnd = seededRandom(1);
    const z = normal(rnd);
    const ys = Array.from({ length: 100_000 }, (_, t) => 0.2 + 0.000005 * t + 0.01 * z());
    const c = classifySeries(ys);
    expect(c.status).toBe("CONVERGING");
    expect(c.slope).toBeCloseTo(0.000005, 6);
  });
});
