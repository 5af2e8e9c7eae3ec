import type { RefineContext } from "@converge/core";
import type { MomentumParameters, MomentumStrategy } from "./toy-backtest.js";

type Step = Partial<Record<keyof MomentumParameters, number>>;

/**
 * The demo's tuning playbook: for each failed gate criterion, the step that
 * usually helps it. A stand-in for the failure analyst a later version of the
 * demo asks.
 */
export const PLAYBOOK: Readonly<Record<string, Step>> = Object.freeze({
  // Stricter entries and a tighter stop improve risk-adjusted return.
  sharpe_ratio: { rsi_threshold: 1.5, stop_loss: -0.007 },
  // Smaller positions and a tighter stop cut the worst loss.
  max_drawdown: { position_size: -0.005, stop_loss: -0.004 },
  // Stricter entries win more often.
  win_rate: { rsi_threshold: 1 },
});

const BOUNDS: Readonly<Record<keyof MomentumParameters, [number, number]>> = {
  position_size: [0.02, 0.5],
  rsi_threshold: [50, 90],
  stop_loss: [0.02, 0.3],
};

/**
 * Moves the parameters one step toward better values: the steps of the
 * playbook for every failed criterion are added up and the result is kept
 * within sensible bounds. Deterministic; also bumps the strategy's version in
 * its name (AAPL_Momentum_v1 → _v2).
 */
export function refineStrategy(context: RefineContext<MomentumStrategy>): MomentumStrategy {
  const { strategy, gate } = context;
  const next: MomentumParameters = { ...strategy.parameters };
  for (const failed of gate.failed_criteria) {
    const step = PLAYBOOK[failed.metric] ?? {};
    for (const [name, delta] of Object.entries(step) as [keyof MomentumParameters, number][]) {
      const [lo, hi] = BOUNDS[name];
      next[name] = Number(Math.min(hi, Math.max(lo, next[name] + delta)).toFixed(4));
    }
  }
  return {
    ...strategy,
    name: bumpVersion(strategy.name),
    parameters: next as MomentumStrategy["parameters"],
    code: strategyCode(next),
  };
}

function bumpVersion(name: string): string {
  const m = /^(.*_v)(\d+)$/.exec(name);
  return m ? `${m[1]}${Number(m[2]) + 1}` : `${name}_v2`;
}

/** The strategy's code as the demo logs it (a readable sketch of the rule). */
export function strategyCode(p: MomentumParameters): string {
  return [
    `size = ${p.position_size}  # fraction of capital per trade`,
    `enter long when rsi(close, 14) > ${p.rsi_threshold} and close > sma(close, 50)`,
    `exit when close < entry * (1 - ${p.stop_loss}) or rsi(close, 14) < 50`,
  ].join("\n");
}
