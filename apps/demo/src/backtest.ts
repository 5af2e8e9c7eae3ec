/**
 * A real daily backtest of the momentum strategy: signals at each close from
 * the closes up to that day, orders filled at the next close (stops at the
 * close that breaches them), a cost on every entry and exit, daily strategy
 * returns, and the metrics the gate and the analyzers read.
 */
import {
  COST_PER_TRADE,
  entrySignals,
  exitSignals,
  type MomentumParameters,
  STOP_COOLDOWN_DAYS,
} from "./strategy.js";

export const PERIODS_PER_YEAR = 252;

/** One round trip. */
export interface Trade {
  /** Day index of the entry and exit closes. */
  entryDay: number;
  exitDay: number;
  entryPrice: number;
  exitPrice: number;
  /** Price return net of the entry and exit costs. */
  netReturn: number;
  exitReason: "signal" | "stop";
}

/** The metric names @converge/analyzers' overfitting guard reads (no assumptions needed). */
export interface BacktestMetrics {
  [name: string]: number;
  sharpe_ratio: number;
  max_drawdown: number;
  win_rate: number;
  total_return: number;
  trade_count: number;
  returns_skew: number;
  returns_kurtosis: number;
  num_observations: number;
  periods_per_year: number;
}

export interface BacktestResult {
  /** Strategy return of each day 1..n-1 (index 0 is day 1). */
  returns: number[];
  /** Fraction of equity exposed during each day (index = day; day 0 is 0). */
  exposure: number[];
  /** Closed trades, in order. */
  trades: Trade[];
  /** The trade still open after the last close, if any. */
  openTrade: { entryDay: number; entryPrice: number } | null;
  metrics: BacktestMetrics;
}

export interface BacktestOptions {
  /** Cost of each entry and exit as a fraction of the traded amount. Default 0.001. */
  costPerTrade?: number;
}

/** Runs the strategy over daily closes. */
export function backtest(
  prices: readonly number[],
  parameters: MomentumParameters,
  options: BacktestOptions = {},
): BacktestResult {
  const cost = options.costPerTrade ?? COST_PER_TRADE;
  const size = parameters.position_size;
  const enter = entrySignals(prices, parameters);
  const leave = exitSignals(prices, parameters);
  const returns: number[] = [];
  const exposure: number[] = [0];
  const trades: Trade[] = [];
  let entryDay = -1;
  let entryPrice = 0;
  let pendingEntry = false;
  let pendingExit = false;
  let lastStop = Number.NEGATIVE_INFINITY;
  let entries = 0;

  const close = (day: number, price: number, reason: Trade["exitReason"]) => {
    const netReturn = ((1 - cost) * price) / ((1 + cost) * entryPrice) - 1;
    trades.push({
      entryDay,
      exitDay: day,
      entryPrice,
      exitPrice: price,
      netReturn,
      exitReason: reason,
    });
    entryDay = -1;
  };

  for (let day = 1; day < prices.length; day++) {
    const price = prices[day] as number;
    const held = entryDay >= 0 ? size : 0;
    exposure.push(held);
    let r = held * (price / (prices[day - 1] as number) - 1);
    // Orders decided at yesterday's close are filled at today's close.
    if (entryDay >= 0 && pendingExit) {
      close(day, price, "signal");
      r -= size * cost;
    } else if (entryDay < 0 && pendingEntry) {
      entryDay = day;
      entryPrice = price;
      entries++;
      r -= size * cost;
    }
    pendingEntry = false;
    pendingExit = false;
    // The stop sells at the close that breaches it.
    if (entryDay >= 0 && entryDay < day && price <= entryPrice * (1 - parameters.stop_loss)) {
      close(day, price, "stop");
      r -= size * cost;
      lastStop = day;
    }
    // Today's signals, from closes up to today, become tomorrow's orders.
    if (entryDay >= 0) pendingExit = leave[day] === true;
    else pendingEntry = enter[day] === true && day - lastStop >= STOP_COOLDOWN_DAYS;
    returns.push(r);
  }
  const openTrade = entryDay >= 0 ? { entryDay, entryPrice } : null;
  return {
    returns,
    exposure,
    trades,
    openTrade,
    metrics: computeMetrics(returns, trades, entries),
  };
}

/** Mean and central moments (population) of a series. */
function moments(xs: readonly number[]): { mean: number; m2: number; m3: number; m4: number } {
  const n = xs.length;
  const mean = xs.reduce((s, x) => s + x, 0) / n;
  let m2 = 0;
  let m3 = 0;
  let m4 = 0;
  for (const x of xs) {
    const d = x - mean;
    m2 += d * d;
    m3 += d * d * d;
    m4 += d * d * d * d;
  }
  return { mean, m2: m2 / n, m3: m3 / n, m4: m4 / n };
}

/** Largest peak-to-trough fall of the equity curve (starting at 1), as a positive fraction. */
export function maxDrawdown(returns: readonly number[]): number {
  let equity = 1;
  let peak = 1;
  let worst = 0;
  for (const r of returns) {
    equity *= 1 + r;
    peak = Math.max(peak, equity);
    worst = Math.max(worst, 1 - equity / peak);
  }
  return worst;
}

/**
 * The metrics of a backtest. Sharpe: annualised (× √252) mean over sample
 * standard deviation of the daily returns, NaN without trades (or without
 * variation). Skewness and kurtosis (non-excess: 3 for a normal) from the
 * population moments. Win rate: closed trades with a positive net return.
 */
export function computeMetrics(
  returns: readonly number[],
  trades: readonly Trade[],
  entries: number = trades.length,
): BacktestMetrics {
  const n = returns.length;
  const { mean, m2, m3, m4 } = n > 0 ? moments(returns) : { mean: 0, m2: 0, m3: 0, m4: 0 };
  const sd = n > 1 ? Math.sqrt((m2 * n) / (n - 1)) : 0;
  const traded = entries > 0 && sd > 0;
  const wins = trades.filter((t) => t.netReturn > 0).length;
  return {
    sharpe_ratio: traded ? (mean / sd) * Math.sqrt(PERIODS_PER_YEAR) : Number.NaN,
    max_drawdown: maxDrawdown(returns),
    win_rate: trades.length > 0 ? wins / trades.length : Number.NaN,
    total_return: returns.reduce((equity, r) => equity * (1 + r), 1) - 1,
    trade_count: entries,
    returns_skew: traded ? m3 / m2 ** 1.5 : Number.NaN,
    returns_kurtosis: traded ? m4 / (m2 * m2) : Number.NaN,
    num_observations: n,
    periods_per_year: PERIODS_PER_YEAR,
  };
}
