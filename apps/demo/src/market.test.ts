import { seededRandom } from "@converge/core";
import { describe, expect, it } from "vitest";
import {
  DEFAULT_MARKET,
  gaussian,
  MARKET_DAYS,
  type Regime,
  regimeShares,
  simulateMarket,
} from "./market.js";

/** Daily log returns grouped by the regime of the day they end on, and the spells' lengths. */
function byRegime(prices: readonly number[], regimes: readonly Regime[]) {
  const returns: Record<Regime, number[]> = { trend: [], range: [], crash: [] };
  const spells: Record<Regime, number[]> = { trend: [], range: [], crash: [] };
  let length = 1;
  for (let i = 1; i < prices.length; i++) {
    const regime = regimes[i] as Regime;
    returns[regime].push(Math.log((prices[i] as number) / (prices[i - 1] as number)));
    if (regime === regimes[i - 1]) length++;
    else {
      spells[regimes[i - 1] as Regime].push(length);
      length = 1;
    }
  }
  return { returns, spells };
}

const mean = (xs: readonly number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
const sd = (xs: readonly number[]) => {
  const m = mean(xs);
  return Math.sqrt(xs.reduce((s, x) => s + (x - m) ** 2, 0) / (xs.length - 1));
};

describe("simulateMarket", () => {
  it("gives identical series for the same seed and different ones for another seed", () => {
    const a = simulateMarket({ seed: 7 });
    const b = simulateMarket({ seed: 7 });
    expect(b).toEqual(a);
    expect(a.prices).toHaveLength(MARKET_DAYS);
    expect(a.regimes).toHaveLength(MARKET_DAYS);
    expect(a.prices[0]).toBe(100);
    expect(simulateMarket({ seed: 8 }).prices).not.toEqual(a.prices);
    expect(a.prices.every((p) => Number.isFinite(p) && p > 0)).toBe(true);
  });

  it("has the statistics of each regime (20,000 simulated days)", () => {
    const market = simulateMarket({ seed: 11, days: 20_000 });
    const { returns, spells } = byRegime(market.prices, market.regimes);
    // Crash spells fall hard and swing most; trends rise; ranges have no drift.
    expect(mean(returns.crash)).toBeLessThan(-0.01);
    expect(mean(returns.trend)).toBeGreaterThan(0.001);
    expect(Math.abs(mean(returns.range))).toBeLessThan(0.001);
    expect(sd(returns.crash)).toBeGreaterThan(2 * sd(returns.trend));
    expect(sd(returns.range)).toBeLessThan(sd(returns.trend) * 1.5);
    // Crash spells are short; trends last longest.
    expect(mean(spells.crash)).toBeLessThan(8);
    expect(mean(spells.trend)).toBeGreaterThan(mean(spells.range));
    expect(mean(spells.range)).toBeGreaterThan(2 * mean(spells.crash));
    // Long-run shares close to the chain's stationary distribution (about 60/35/5).
    const shares = regimeShares(market.regimes);
    expect(shares.trend).toBeGreaterThan(0.5);
    expect(shares.range).toBeGreaterThan(0.25);
    expect(shares.crash).toBeGreaterThan(0.02);
    expect(shares.crash).toBeLessThan(0.08);
  });

  it("reverts toward the spell's line: successive moves inside a range are negatively correlated", () => {
    const market = simulateMarket({ seed: 3, days: 20_000 });
    const x: number[] = [];
    const y: number[] = [];
    for (let i = 2; i < market.prices.length; i++) {
      if (market.regimes[i] !== "range" || market.regimes[i - 1] !== "range") continue;
      x.push(Math.log((market.prices[i - 1] as number) / (market.prices[i - 2] as number)));
      y.push(Math.log((market.prices[i] as number) / (market.prices[i - 1] as number)));
    }
    const mx = mean(x);
    const my = mean(y);
    const cov = x.reduce((s, xi, i) => s + (xi - mx) * ((y[i] as number) - my), 0);
    expect(cov / (x.length - 1) / (sd(x) * sd(y))).toBeLessThan(-0.02);
  });

  it("rows of the transition matrix are probabilities", () => {
    for (const row of Object.values(DEFAULT_MARKET.transitions)) {
      expect(Object.values(row).reduce((s, p) => s + p, 0)).toBeCloseTo(1, 12);
    }
  });

  it("refuses fewer than two days", () => {
    expect(() => simulateMarket({ seed: 1, days: 1 })).toThrow(RangeError);
  });
});

describe("gaussian", () => {
  it("draws standard normals (Box–Muller over core's seeded generator)", () => {
    const normal = gaussian(seededRandom(42));
    const xs = Array.from({ length: 50_000 }, () => normal());
    expect(Math.abs(mean(xs))).toBeLessThan(0.02);
    expect(sd(xs)).toBeCloseTo(1, 1);
    const within = xs.filter((x) => Math.abs(x) < 1.96).length / xs.length;
    expect(within).toBeGreaterThan(0.94);
    expect(within).toBeLessThan(0.96);
  });
});
