/**
 * The strategy the demo tunes: long-only momentum with an RSI filter and a
 * stop loss, on daily closes.
 *
 * - Enter (at the next day's close) when the price is above its close
 *   `lookback` days ago and RSI(14) is below `rsi_threshold` (not overbought).
 * - Exit (at the next day's close) when momentum turns negative, or at the
 *   close that falls `stop_loss` below the entry price; after a stop, wait
 *   `STOP_COOLDOWN_DAYS` before entering again.
 * - While in the market, hold `position_size` of equity (the rest in cash).
 */
import type { StrategyLike } from "@converge/core";

// A type alias (not an interface) so that it is assignable to Record<string, unknown>.
export type MomentumParameters = {
  /** Fraction of equity held while in the market. */
  position_size: number;
  /** Enter only while RSI(14) is below this (avoid overbought entries). */
  rsi_threshold: number;
  /** Fractional drop from the entry price that exits the trade. */
  stop_loss: number;
  /** Momentum window in days. */
  lookback: number;
};

export type ParameterName = keyof MomentumParameters;

/** A parameter's allowed range and the granularity its values are rounded to. */
export interface ParameterBounds {
  min: number;
  max: number;
  /** Values are rounded to a multiple of this. */
  step: number;
}

export const PARAMETER_BOUNDS: Readonly<Record<ParameterName, ParameterBounds>> = {
  position_size: { min: 0.05, max: 1, step: 0.01 },
  rsi_threshold: { min: 50, max: 90, step: 0.5 },
  stop_loss: { min: 0.02, max: 0.3, step: 0.005 },
  lookback: { min: 5, max: 120, step: 1 },
};

export const PARAMETER_NAMES = Object.keys(PARAMETER_BOUNDS) as ParameterName[];

/** Where the loop starts: aggressive sizing, a loose filter, a wide stop, a short window. */
export const INITIAL_PARAMETERS: Readonly<MomentumParameters> = {
  position_size: 1,
  rsi_threshold: 75,
  stop_loss: 0.25,
  lookback: 8,
};

export const RSI_PERIOD = 14;
/** Days to stay out after a stop loss. */
export const STOP_COOLDOWN_DAYS = 5;
/** Cost of each entry and each exit, as a fraction of the traded amount (10 bp). */
export const COST_PER_TRADE = 0.001;

/** The strategy object the gate loop evolves. */
export interface MomentumStrategy extends StrategyLike {
  parameters: MomentumParameters;
  code: string;
}

export const STRATEGY_NAME = "Momentum_RSI_StopLoss";

/** Clamps a value into its parameter's range and rounds it to the parameter's granularity. */
export function clampParameter(name: ParameterName, value: number): number {
  const { min, max, step } = PARAMETER_BOUNDS[name];
  const rounded = Math.round(value / step) * step;
  const clamped = Math.min(max, Math.max(min, rounded));
  // Strip floating-point dust (0.15000000000000002).
  return Number(clamped.toFixed(6));
}

/** The strategy for a set of parameters, with its code text. */
export function momentumStrategy(parameters: MomentumParameters): MomentumStrategy {
  return {
    name: STRATEGY_NAME,
    description:
      "Long-only momentum: enter when the price beats its close `lookback` days ago and RSI(14) is below the threshold; exit on negative momentum or the stop loss.",
    parameters: { ...parameters },
    code: strategyCode(parameters),
  };
}

/**
 * RSI with Wilder's smoothing: NaN for the first `period` closes, then in
 * [0, 100] (100 when there was no loss in the window, 50 when no move at all).
 */
export function rsi(prices: readonly number[], period = RSI_PERIOD): number[] {
  const out = new Array<number>(prices.length).fill(Number.NaN);
  if (prices.length <= period) return out;
  let gain = 0;
  let loss = 0;
  for (let i = 1; i <= period; i++) {
    const change = (prices[i] as number) - (prices[i - 1] as number);
    if (change > 0) gain += change;
    else loss -= change;
  }
  gain /= period;
  loss /= period;
  const value = () => (gain + loss === 0 ? 50 : loss === 0 ? 100 : 100 - 100 / (1 + gain / loss));
  out[period] = value();
  for (let i = period + 1; i < prices.length; i++) {
    const change = (prices[i] as number) - (prices[i - 1] as number);
    gain = (gain * (period - 1) + Math.max(change, 0)) / period;
    loss = (loss * (period - 1) + Math.max(-change, 0)) / period;
    out[i] = value();
  }
  return out;
}

/** Momentum: close over the close `lookback` days earlier, minus 1; NaN before that. */
export function momentum(prices: readonly number[], lookback: number): number[] {
  return prices.map((p, i) =>
    i >= lookback ? p / (prices[i - lookback] as number) - 1 : Number.NaN,
  );
}

/**
 * The entry signal at each close, from closes up to that day only: positive
 * momentum and RSI below the threshold.
 */
export function entrySignals(prices: readonly number[], parameters: MomentumParameters): boolean[] {
  const mom = momentum(prices, Math.round(parameters.lookback));
  const r = rsi(prices);
  return prices.map(
    (_, i) => (mom[i] as number) > 0 && (r[i] as number) < parameters.rsi_threshold,
  );
}

/** The exit signal at each close: momentum no longer positive. */
export function exitSignals(prices: readonly number[], parameters: MomentumParameters): boolean[] {
  const mom = momentum(prices, Math.round(parameters.lookback));
  return mom.map((m) => m <= 0);
}

/**
 * A readable source text of the strategy with the parameter values inlined,
 * so that a report shows what changed between iterations as a code diff.
 */
export function strategyCode(p: MomentumParameters): string {
  return `// ${STRATEGY_NAME}: long-only momentum with an RSI filter and a stop loss
const POSITION_SIZE = ${p.position_size}; // fraction of equity while in the market
const RSI_THRESHOLD = ${p.rsi_threshold}; // enter only below this RSI(14): not overbought
const STOP_LOSS = ${p.stop_loss}; // exit at a ${(p.stop_loss * 100).toFixed(1)}% drop from the entry
const LOOKBACK = ${p.lookback}; // momentum window in days

function onClose(day, position) {
  const momentum = close(day) / close(day - LOOKBACK) - 1;
  if (position === null) {
    if (day - lastStopDay < ${STOP_COOLDOWN_DAYS}) return HOLD;
    if (momentum > 0 && rsi(day, ${RSI_PERIOD}) < RSI_THRESHOLD) return BUY_NEXT_CLOSE(POSITION_SIZE);
    return HOLD;
  }
  if (close(day) <= position.entryPrice * (1 - STOP_LOSS)) return SELL_AT_THIS_CLOSE; // stop loss
  if (momentum <= 0) return SELL_NEXT_CLOSE;
  return HOLD;
}
`;
}
