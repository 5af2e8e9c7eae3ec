import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { kendallS, mahonian, mannKendall, mannKendallExactP } from "./mann-kendall.js";

/** O(n²) reference: S = Σ_{i<j} sgn(x_j − x_i). */
function naiveS(x: readonly number[]): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) {
    for (let j = i + 1; j < x.length; j++) s += Math.sign((x[j] as number) - (x[i] as number));
  }
  return s;
}

/** All permutations of 0..n−1 (n ≤ 6 here). */
function permutations(n: number): number[][] {
  if (n === 0) return [[]];
  const out: number[][] = [];
  for (const p of permutations(n - 1)) {
    for (let i = 0; i <= p.length; i++) out.push([...p.slice(0, i), n - 1, ...p.slice(i)]);
  }
  return out;
}

const WORKED = [12.9, 14.8, 13.2, 15.7, 13.8, 15.6, 12.9, 11.0, 17.3, 15.9, 19.0, 18.3, 20.1, 21.7];

describe("mannKendall: published vectors", () => {
  it("reproduces the Holy Cross worked example (n = 14, one tie)", () => {
    const r = mannKendall(WORKED);
    expect(r.n).toBe(14);
    expect(r.s).toBe(54);
    expect(r.varS).toBeCloseTo(332.667, 3);
    expect(r.z).toBeCloseTo(2.9058, 4);
    expect(r.exact).toBe(false); // n > 10
    // One-sided p ≈ 0.0018 is half the two-sided normal p.
    expect((r.p as number) / 2).toBeCloseTo(0.0018, 4);
    // 72 concordant, 18 discordant, 1 tied pair.
    const k = kendallS(WORKED);
    expect(k.discordant).toBe(18);
    expect(k.ties).toEqual([2]);
  });

  it("reproduces [1, 2, 3, 4, 5]: exact p = 2/120", () => {
    const r = mannKendall([1, 2, 3, 4, 5]);
    expect(r.s).toBe(10);
    expect(r.varS).toBeCloseTo(16.667, 3);
    expect(r.z).toBeCloseTo(2.2045, 4);
    expect(r.exact).toBe(true);
    expect(r.p).toBeCloseTo(2 / 120, 15);
    expect(r.tau).toBe(1);
  });

  it("reproduces [1.0, 1.2, 1.1, 1.5, 1.7, 1.6, 1.9]: tau 0.8095, exact p 0.0107", () => {
    const r = mannKendall([1.0, 1.2, 1.1, 1.5, 1.7, 1.6, 1.9]);
    expect(r.s).toBe(17);
    expect(r.tau).toBeCloseTo(0.8095, 4);
    expect(r.exact).toBe(true);
    expect(r.p).toBeCloseTo(0.0107, 4);
    expect(r.p).toBeCloseTo(54 / 5040, 15); // 2·(1 + 6 + 20)/7!
  });

  it("gives no p < 0.05 for n ≤ 4; minimum p is 1/3, 1/12, 1/60 for n = 3, 4, 5", () => {
    const expectedMin: Record<number, number> = { 2: 1, 3: 1 / 3, 4: 1 / 12, 5: 1 / 60 };
    for (const n of [2, 3, 4, 5]) {
      const ps = permutations(n).map((perm) => mannKendall(perm).p as number);
      const min = Math.min(...ps);
      expect(min).toBeCloseTo(expectedMin[n] as number, 15);
      if (n <= 4) expect(min).toBeGreaterThan(0.05);
    }
  });
});

describe("mannKendall: exact distribution", () => {
  it("Mahonian rows sum to n! and match known rows", () => {
    expect(Array.from(mahonian(4))).toEqual([1, 3, 5, 6, 5, 3, 1]);
    let factorial = 1;
    for (let n = 1; n <= 10; n++) {
      factorial *= n;
      expect(mahonian(n).reduce((a, b) => a + b, 0)).toBe(factorial);
    }
  });

  it("exact p equals brute-force enumeration of all 720 permutations for n = 6", () => {
    const all = permutations(6).map(naiveS);
    for (let s = -15; s <= 15; s += 2) {
      const brute = all.filter((v) => Math.abs(v) >= Math.abs(s)).length / all.length;
      expect(mannKendallExactP(6, s)).toBeCloseTo(brute, 14);
    }
  });

  it("uses the normal approximation with ties or n > 10", () => {
    expect(mannKendall([1, 2, 2, 3, 4]).exact).toBe(false);
    expect(mannKendall(Array.from({ length: 11 }, (_, i) => i)).exact).toBe(false);
    expect(mannKendall(Array.from({ length: 10 }, (_, i) => i)).exact).toBe(true);
  });

  it("exact and normal p agree roughly at n = 10 (sanity of both branches)", () => {
    const x = [3, 1, 4, 2, 6, 5, 8, 7, 10, 9];
    const exact = mannKendall(x);
    const z = exact.z as number;
    const normal = 2 * (1 - 0.5 * (1 + erfApprox(Math.abs(z) / Math.SQRT2)));
    expect(exact.exact).toBe(true);
    expect(Math.abs((exact.p as number) - normal)).toBeLessThan(0.01);
  });
});

/** Abramowitz–Stegun 7.1.26 (|error| < 1.5e-7): an independent erf for the sanity check. */
function erfApprox(x: number): number {
  const t = 1 / (1 + 0.3275911 * x);
  const poly =
    t *
    (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  return 1 - poly * Math.exp(-x * x);
}

describe("mannKendall: properties", () => {
  const tiedSeries = fc.array(fc.integer({ min: -4, max: 4 }), { maxLength: 80 });

  it("O(n log n) S equals the naive O(n²) S on random series with ties", () => {
    fc.assert(
      fc.property(tiedSeries, (x) => {
        expect(kendallS(x).s).toBe(naiveS(x));
      }),
      { numRuns: 500 },
    );
  });

  it("O(n log n) S equals the naive S on continuous values (incl. ±0)", () => {
    fc.assert(
      fc.property(fc.array(fc.double({ noNaN: true, noDefaultInfinity: true })), (x) => {
        expect(kendallS(x).s).toBe(naiveS(x));
      }),
      { numRuns: 300 },
    );
  });

  it("tau-b matches its definition with ties", () => {
    fc.assert(
      fc.property(tiedSeries, (x) => {
        const r = mannKendall(x);
        const n = x.length;
        const n0 = (n * (n - 1)) / 2;
        let tied = 0;
        for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) if (x[i] === x[j]) tied++;
        if (n < 2 || tied === n0) expect(r.tau).toBeNull();
        else expect(r.tau).toBeCloseTo(naiveS(x) / Math.sqrt(n0 * (n0 - tied)), 12);
      }),
      { numRuns: 300 },
    );
  });

  it("is invariant under adding a constant and any increasing transform", () => {
    fc.assert(
      fc.property(tiedSeries, fc.integer({ min: -1000, max: 1000 }), (x, c) => {
        const base = mannKendall(x);
        expect(mannKendall(x.map((v) => v + c))).toEqual(base);
        expect(mannKendall(x.map((v) => v ** 3 * 2 + 0.5))).toEqual(base);
      }),
      { numRuns: 300 },
    );
  });

  it("reversing the series flips S and Z and keeps p", () => {
    fc.assert(
      fc.property(tiedSeries, (x) => {
        const a = mannKendall(x);
        const b = mannKendall([...x].reverse());
        expect(b.s === -a.s).toBe(true);
        if (a.z !== null) expect(b.z).toBeCloseTo(-a.z, 12);
        expect(b.p).toBe(a.p);
      }),
      { numRuns: 200 },
    );
  });
});

describe("mannKendall: degenerate input", () => {
  it("n = 0 and n = 1 give nulls", () => {
    for (const x of [[], [3]]) {
      expect(mannKendall(x)).toEqual({
        n: x.length,
        s: 0,
        varS: 0,
        z: null,
        p: null,
        tau: null,
        exact: false,
      });
    }
  });

  it("n = 2 gives p = 1 exactly", () => {
    const r = mannKendall([1, 2]);
    expect(r).toMatchObject({ n: 2, s: 1, varS: 1, z: 0, p: 1, tau: 1, exact: true });
  });

  it("a constant series gives S = 0, Var = 0, z = 0, p = 1, tau null", () => {
    expect(mannKendall([5, 5, 5, 5])).toEqual({
      n: 4,
      s: 0,
      varS: 0,
      z: 0,
      p: 1,
      tau: null,
      exact: false,
    });
  });

  it("drops NaN, ±Infinity, null and undefined", () => {
    const r = mannKendall([1, Number.NaN, 2, null, 3, Number.POSITIVE_INFINITY, undefined, 4, 5]);
    expect(r).toEqual(mannKendall([1, 2, 3, 4, 5]));
    expect(mannKendall([Number.NaN, Number.NaN]).p).toBeNull();
  });

  it("runs on 100,000 points and keeps tiny p finite", () => {
    const x = Array.from({ length: 100_000 }, (_, i) => i * 0.001 + Math.sin(i * 12.9898) * 5);
    const r = mannKendall(x);
    expect(r.n).toBe(100_000);
    expect(r.s).toBeGreaterThan(0);
    expect(r.p).not.toBeNull();
    expect(r.p as number).toBeGreaterThanOrEqual(0);
    expect(r.p as number).toBeLessThan(1e-10);
    const flat = mannKendall(Array.from({ length: 100_000 }, (_, i) => Math.sin(i * 78.233)));
    expect(flat.p as number).toBeGreaterThan(1e-4);
  });
});
