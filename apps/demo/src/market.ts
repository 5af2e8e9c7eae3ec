/**
 * A seeded simulated market: daily closing prices whose behaviour switches
 * between three regimes by a Markov chain:
 *
 * - trend: positive drift, moderate volatility, long spells;
 * - range: no drift, low volatility, mean-reverting toward the price at which
 *   the range began;
 * - crash: strong negative drift, high volatility, short spells.
 *
 * Gaussian shocks come from core's `seededRandom` through Box–Muller, so the
 * same seed gives the same series on every machine.
 */
import { seededRandom } from "@converge/core";

export type Regime = "trend" | "range" | "crash";

export const REGIMES: readonly Regime[] = ["trend", "range", "crash"];

/** How one regime moves the log price each day. */
export interface RegimeDynamics {
  /** Mean daily log return. */
  drift: number;
  /** Standard deviation of the daily log return. */
  volatility: number;
  /** Pull per day toward the log price at which the spell began (0: none). */
  meanReversion: number;
}

export interface MarketModel {
  regimes: Readonly<Record<Regime, RegimeDynamics>>;
  /** transitions[from][to]: the probability of moving from one regime to another the next day. */
  transitions: Readonly<Record<Regime, Readonly<Record<Regime, number>>>>;
  /** Probabilities of the first day's regime. */
  initial: Readonly<Record<Regime, number>>;
}

/**
 * The demo's market. Expected spell lengths: trend ~50 days, range ~33 days,
 * crash ~8 days; over the long run about 60% trend, 35% range, 5% crash days.
 */
export const DEFAULT_MARKET: MarketModel = {
  regimes: {
    trend: { drift: 0.0025, volatility: 0.014, meanReversion: 0.15 },
    range: { drift: 0, volatility: 0.012, meanReversion: 0.1 },
    crash: { drift: -0.02, volatility: 0.04, meanReversion: 0 },
  },
  transitions: {
    trend: { trend: 0.985, range: 0.011, crash: 0.004 },
    range: { trend: 0.02, range: 0.97, crash: 0.01 },
    crash: { trend: 0.08, range: 0.12, crash: 0.8 },
  },
  initial: { trend: 0.5, range: 0.45, crash: 0.05 },
};

/** About three years of trading days. */
export const MARKET_DAYS = 756;

export interface MarketOptions {
  seed: number;
  /** Number of daily closes. Default 756 (about three years). */
  days?: number;
  /** The first close. Default 100. */
  startPrice?: number;
  model?: MarketModel;
}

export interface Market {
  seed: number;
  /** Daily closes, `days` of them. */
  prices: number[];
  /** The regime of each day (the regime that produced the move into that close). */
  regimes: Regime[];
}

/** Standard normal draws from a uniform generator (Box–Muller, both outputs used). */
export function gaussian(random: () => number): () => number {
  let spare: number | null = null;
  return () => {
    if (spare !== null) {
      const z = spare;
      spare = null;
      return z;
    }
    const u1 = 1 - random(); // (0, 1]: log(u1) is finite
    const u2 = random();
    const r = Math.sqrt(-2 * Math.log(u1));
    spare = r * Math.sin(2 * Math.PI * u2);
    return r * Math.cos(2 * Math.PI * u2);
  };
}

function draw(random: () => number, probabilities: Readonly<Record<Regime, number>>): Regime {
  const u = random();
  let cumulative = 0;
  for (const regime of REGIMES) {
    cumulative += probabilities[regime];
    if (u < cumulative) return regime;
  }
  return REGIMES[REGIMES.length - 1] as Regime;
}

/** Simulates the market for a seed: the same seed gives an identical series. */
export function simulateMarket(options: MarketOptions): Market {
  const { seed, days = MARKET_DAYS, startPrice = 100, model = DEFAULT_MARKET } = options;
  if (!Number.isInteger(days) || days < 2) {
    throw new RangeError(`days must be a whole number >= 2, got ${days}`);
  }
  // One stream for the regime chain, another for the price shocks, so that
  // changing the dynamics of a regime does not reshuffle the regimes.
  const chain = seededRandom(seed);
  const normal = gaussian(seededRandom(seed ^ 0x5f3759df));
  const prices = [startPrice];
  let regime = draw(chain, model.initial);
  const regimes: Regime[] = [regime];
  let logPrice = Math.log(startPrice);
  let anchor = logPrice;
  for (let day = 1; day < days; day++) {
    const next = draw(chain, model.transitions[regime]);
    if (next !== regime) anchor = logPrice;
    regime = next;
    const d = model.regimes[regime];
    // The price reverts toward a line that moves with the drift: pullbacks in a trend are temporary.
    anchor += d.drift;
    logPrice += d.drift + d.meanReversion * (anchor - logPrice) + d.volatility * normal();
    prices.push(Math.exp(logPrice));
    regimes.push(regime);
  }
  return { seed, prices, regimes };
}

/** Share of days in each regime. */
export function regimeShares(regimes: readonly Regime[]): Record<Regime, number> {
  const counts: Record<Regime, number> = { trend: 0, range: 0, crash: 0 };
  for (const r of regimes) counts[r]++;
  const n = Math.max(1, regimes.length);
  return { trend: counts.trend / n, range: counts.range / n, crash: counts.crash / n };
}
