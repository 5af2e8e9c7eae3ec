import { canonicalJson, type StrategyLike } from "@converge/core";
import { hashSeed, mulberry32 } from "./prng.js";

/** The parameters of the toy momentum strategy. */
export interface MomentumParameters {
  /** Fraction of capital per trade, e.g. 0.1. */
  position_size: number;
  /** RSI level a momentum entry must exceed, e.g. 70. */
  rsi_threshold: number;
  /** Loss (fraction of entry price) at which a trade is closed, e.g. 0.15. */
  stop_loss: number;
}

/** The strategy the demo's gate loop evolves. */
export interface MomentumStrategy extends StrategyLike {
  parameters: MomentumParameters & Record<string, number>;
}

/** What a toy backtest reports. */
export interface ToyMetrics {
  sharpe_ratio: number;
  max_drawdown: number;
  win_rate: number;
  [name: string]: number;
}

/** The first strategy of the demo: the seed's starting parameters. */
export const INITIAL_PARAMETERS: Readonly<MomentumParameters> = Object.freeze({
  position_size: 0.1,
  rsi_threshold: 70,
  stop_loss: 0.15,
});

/** Default seed of the pseudo-noise. */
export const DEFAULT_SEED = 20260118;

const round = (x: number, digits = 4) => Number(x.toFixed(digits));

/**
 * A deterministic stand-in for a backtest of a momentum strategy. The metrics
 * are smooth functions of the parameters with a plausible shape:
 *
 * - Sharpe peaks around rsi_threshold 80 (stricter entries filter noise) and
 *   stop_loss 0.09 (tighter stops cut losers, too tight stops out winners),
 *   and suffers a little from large positions (slippage);
 * - max drawdown grows with position size and with a looser stop;
 * - win rate grows with a stricter entry and with a looser stop.
 *
 * A small pseudo-noise, seeded by `seed` and the parameters, makes the series
 * look measured while keeping the same parameters → the same metrics.
 */
export function toyBacktest(params: MomentumParameters, seed: number = DEFAULT_SEED): ToyMetrics {
  const { position_size: ps, rsi_threshold: rsi, stop_loss: sl } = params;
  const rand = mulberry32(hashSeed(`${seed}:${canonicalJson(params)}`));
  const noise = (amplitude: number) => (rand() * 2 - 1) * amplitude;
  const sharpe =
    1.07 -
    0.002 * (rsi - 80) ** 2 -
    60 * (sl - 0.09) ** 2 -
    2 * Math.max(0, ps - 0.25) ** 2 +
    noise(0.01);
  const drawdown = 0.04 + ps * (1 + 5 * sl) + noise(0.002);
  const winRate = 0.5 + 0.006 * (rsi - 75) + 0.25 * (sl - 0.1) + noise(0.003);
  return {
    sharpe_ratio: round(sharpe),
    max_drawdown: round(Math.max(0, drawdown)),
    win_rate: round(Math.min(1, Math.max(0, winRate))),
  };
}
