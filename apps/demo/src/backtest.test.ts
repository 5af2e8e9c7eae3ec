import { describe, expect, it } from "vitest";
import { backtest, computeMetrics, maxDrawdown, PERIODS_PER_YEAR, type Trade } from "./backtest.js";
import { simulateMarket } from "./market.js";
import { COST_PER_TRADE, INITIAL_PARAMETERS, type MomentumParameters } from "./strategy.js";

/**
 * A hand-made series with a known trade sequence (lookback 2; the RSI filter
 * never blocks at 100.1):
 * - flat at 100 until day 14: no momentum, no signal;
 * - day 15 rises: signal, bought at day 16's close (102); day 19's close is
 *   below day 17's: exit signal, sold at day 20's close (100);
 * - day 23 rises: bought at day 24's close (110); day 25 closes at 95, below
 *   the 10% stop (99): sold at that close;
 * - momentum is back on day 27, but the stop's 5-day cooldown holds entries
 *   until the signal of day 30: bought at day 31's close (101), still open.
 */
const PRICES = [
  ...Array<number>(15).fill(100), // days 0-14
  101,
  102,
  104,
  103,
  101,
  100,
  100,
  100, // days 15-22
  102,
  110,
  95, // days 23-25
  96,
  97,
  98,
  99,
  100,
  101,
  103, // days 26-32
];
const PARAMS: MomentumParameters = {
  position_size: 0.5,
  rsi_threshold: 100.1,
  stop_loss: 0.1,
  lookback: 2,
};

describe("backtest on a hand-made series", () => {
  const result = backtest(PRICES, PARAMS);
  const size = PARAMS.position_size;
  const cost = COST_PER_TRADE;
  /** The strategy return of day `d` (returns[0] is day 1). */
  const day = (d: number) => result.returns[d - 1] as number;

  it("makes the known trades, fills at the next close, and stops at the breaching close", () => {
    expect(result.trades.map(({ netReturn, ...t }) => t)).toEqual([
      { entryDay: 16, exitDay: 20, entryPrice: 102, exitPrice: 100, exitReason: "signal" },
      { entryDay: 24, exitDay: 25, entryPrice: 110, exitPrice: 95, exitReason: "stop" },
    ]);
    expect(result.openTrade).toEqual({ entryDay: 31, entryPrice: 101 });
    expect(result.trades[0]?.netReturn).toBeCloseTo(
      ((1 - cost) * 100) / ((1 + cost) * 102) - 1,
      12,
    );
    expect(result.metrics.trade_count).toBe(3);
    expect(result.metrics.win_rate).toBe(0);
  });

  it("gives the exact daily returns: exposure, price moves and costs", () => {
    expect(result.returns).toHaveLength(PRICES.length - 1);
    for (const d of [1, 14, 15, 21, 22, 23, 26, 30]) expect(day(d)).toBe(0); // flat
    expect(day(16)).toBeCloseTo(-size * cost, 15); // bought at this close
    expect(day(17)).toBeCloseTo(size * (104 / 102 - 1), 15);
    expect(day(18)).toBeCloseTo(size * (103 / 104 - 1), 15);
    expect(day(19)).toBeCloseTo(size * (101 / 103 - 1), 15);
    expect(day(20)).toBeCloseTo(size * (100 / 101 - 1) - size * cost, 15); // sold at this close
    expect(day(24)).toBeCloseTo(-size * cost, 15);
    expect(day(25)).toBeCloseTo(size * (95 / 110 - 1) - size * cost, 15); // the stop
    expect(day(31)).toBeCloseTo(-size * cost, 15);
    expect(day(32)).toBeCloseTo(size * (103 / 101 - 1), 15);
    expect(result.exposure.filter((e) => e > 0)).toHaveLength(4 + 1 + 1); // days 17-20, 25, 32
  });

  it("derives total return and drawdown from those returns", () => {
    const equity = result.returns.reduce((e, r) => e * (1 + r), 1);
    expect(result.metrics.total_return).toBeCloseTo(equity - 1, 15);
    expect(result.metrics.max_drawdown).toBeCloseTo(maxDrawdown(result.returns), 15);
    expect(result.metrics.num_observations).toBe(PRICES.length - 1);
    expect(result.metrics.periods_per_year).toBe(252);
  });

  it("charges nothing when the cost is zero", () => {
    const free = backtest(PRICES, PARAMS, { costPerTrade: 0 });
    expect(free.returns[16 - 1]).toBe(0);
    expect(free.trades[0]?.netReturn).toBeCloseTo(100 / 102 - 1, 15);
  });
});

describe("no look-ahead", () => {
  it("changing future prices changes no earlier position or return", () => {
    const { prices } = simulateMarket({ seed: 5 });
    const params = { ...INITIAL_PARAMETERS, lookback: 20, rsi_threshold: 65 };
    const base = backtest(prices, params);
    for (const k of [100, 300, 600]) {
      // Rewrite everything after day k: a crash, then a boom.
      const altered = prices.map((p, i) => (i <= k ? p : p * (i % 2 ? 0.7 : 1.6)));
      const other = backtest(altered, params);
      expect(other.returns.slice(k)).not.toEqual(base.returns.slice(k)); // the future did change
      // Exposure on day t is decided at close t-1; the return of day t uses close t.
      expect(other.exposure.slice(0, k + 2)).toEqual(base.exposure.slice(0, k + 2));
      expect(other.returns.slice(0, k)).toEqual(base.returns.slice(0, k));
      expect(other.trades.filter((t) => t.exitDay <= k)).toEqual(
        base.trades.filter((t) => t.exitDay <= k),
      );
    }
  });
});

describe("computeMetrics against hand computation", () => {
  const trade = (netReturn: number): Trade => ({
    entryDay: 0,
    exitDay: 1,
    entryPrice: 1,
    exitPrice: 1 + netReturn,
    netReturn,
    exitReason: "signal",
  });

  it("Sharpe, drawdown, total return, symmetric moments", () => {
    // mean 0.005; sample sd sqrt(0.0017 / 3); population m2 0.000425, m3 0, m4 2.20625e-7.
    const m = computeMetrics([0.02, -0.01, 0.03, -0.02], [trade(0.1), trade(-0.05), trade(0.02)]);
    expect(m.sharpe_ratio).toBeCloseTo(3.334313581357268, 12);
    expect(m.sharpe_ratio).toBeCloseTo((0.005 / Math.sqrt(0.0017 / 3)) * Math.sqrt(252), 12);
    expect(m.max_drawdown).toBeCloseTo(0.02, 12); // from 1.040094 down to 1.04009400 * 0.98
    expect(m.total_return).toBeCloseTo(1.02 * 0.99 * 1.03 * 0.98 - 1, 15);
    expect(m.returns_skew).toBeCloseTo(0, 12);
    expect(m.returns_kurtosis).toBeCloseTo(2.20625e-7 / 0.000425 ** 2, 12); // 1.2214...
    expect(m.win_rate).toBeCloseTo(2 / 3, 15);
    expect(m.trade_count).toBe(3);
    expect(m.num_observations).toBe(4);
    expect(m.periods_per_year).toBe(PERIODS_PER_YEAR);
  });

  it("skewness and non-excess kurtosis of a skewed series", () => {
    // mean 0.01; m2 2e-4, m3 2e-6, m4 6e-8: skew 1/sqrt(2), kurtosis 1.5.
    const m = computeMetrics([0, 0, 0.03], [trade(0.03)]);
    expect(m.returns_skew).toBeCloseTo(1 / Math.SQRT2, 12);
    expect(m.returns_kurtosis).toBeCloseTo(1.5, 12);
    expect(m.max_drawdown).toBe(0);
  });

  it("a backtest without trades has no Sharpe (NaN), no win rate, no moments", () => {
    const flat = backtest(Array<number>(40).fill(100), PARAMS);
    expect(flat.trades).toEqual([]);
    expect(flat.metrics.trade_count).toBe(0);
    expect(flat.metrics.sharpe_ratio).toBeNaN();
    expect(flat.metrics.win_rate).toBeNaN();
    expect(flat.metrics.returns_skew).toBeNaN();
    expect(flat.metrics.max_drawdown).toBe(0);
    expect(flat.metrics.total_return).toBe(0);
  });
});
