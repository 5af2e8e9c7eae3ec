import { describe, expect, it } from "vitest";
import {
  clampParameter,
  entrySignals,
  exitSignals,
  INITIAL_PARAMETERS,
  momentum,
  momentumStrategy,
  PARAMETER_BOUNDS,
  rsi,
  strategyCode,
} from "./strategy.js";

describe("indicators", () => {
  it("RSI with Wilder's smoothing, by hand (period 2)", () => {
    // Changes +1, -1, +1, +1. First averages: gain 0.5, loss 0.5 → 50.
    // Then gain (0.5 + 1) / 2 = 0.75, loss 0.25 → RS 3 → 75; gain 0.875, loss 0.125 → RS 7 → 87.5.
    const out = rsi([1, 2, 1, 2, 3], 2);
    expect(out.slice(0, 2).every(Number.isNaN)).toBe(true);
    expect(out.slice(2)).toEqual([50, 75, 87.5]);
  });

  it("RSI is 100 without losses, 50 without any move, NaN while too short", () => {
    expect(rsi([1, 2, 3, 4], 2).slice(2)).toEqual([100, 100]);
    expect(rsi([5, 5, 5, 5], 2).slice(2)).toEqual([50, 50]);
    expect(rsi([1, 2], 14).every(Number.isNaN)).toBe(true);
  });

  it("momentum is the close over the close `lookback` days earlier", () => {
    const out = momentum([100, 110, 121, 100], 2);
    expect(out.slice(0, 2).every(Number.isNaN)).toBe(true);
    expect(out[2]).toBeCloseTo(0.21, 12);
    expect(out[3]).toBeCloseTo(100 / 110 - 1, 12);
  });

  it("enters on positive momentum below the RSI threshold, exits when momentum is gone", () => {
    const prices = [...Array<number>(15).fill(100), 101, 99];
    const loose = { ...INITIAL_PARAMETERS, lookback: 2, rsi_threshold: 100.1 };
    expect(
      entrySignals(prices, loose)
        .map((s, i) => (s ? i : -1))
        .filter((i) => i >= 0),
    ).toEqual([15]);
    // RSI is 100 at day 15 (only gains): a threshold of 90 blocks the entry.
    expect(entrySignals(prices, { ...loose, rsi_threshold: 90 })[15]).toBe(false);
    expect(exitSignals(prices, loose).slice(14)).toEqual([true, false, true]);
  });
});

describe("parameters and code", () => {
  it("clamps to the bounds and rounds to the granularity", () => {
    expect(clampParameter("position_size", 1.7)).toBe(1);
    expect(clampParameter("position_size", 0.123)).toBe(0.12);
    expect(clampParameter("stop_loss", 0.001)).toBe(PARAMETER_BOUNDS.stop_loss.min);
    expect(clampParameter("rsi_threshold", 71.3)).toBe(71.5);
    expect(clampParameter("lookback", 63.4)).toBe(63);
    expect(clampParameter("lookback", 500)).toBe(120);
  });

  it("the strategy code inlines the parameter values, so iterations differ as a diff", () => {
    const code = strategyCode({
      position_size: 0.6,
      rsi_threshold: 62.5,
      stop_loss: 0.08,
      lookback: 42,
    });
    expect(code).toContain("const POSITION_SIZE = 0.6;");
    expect(code).toContain("const RSI_THRESHOLD = 62.5;");
    expect(code).toContain("const STOP_LOSS = 0.08;");
    expect(code).toContain("const LOOKBACK = 42;");
    const strategy = momentumStrategy({ ...INITIAL_PARAMETERS });
    expect(strategy.code).toBe(strategyCode(INITIAL_PARAMETERS));
    expect(strategy.parameters).toEqual(INITIAL_PARAMETERS);
    expect(strategy.parameters).not.toBe(INITIAL_PARAMETERS);
  });
});
