/**
 * The gated metrics of the simulated loops: a trading strategy's Sharpe
 * ratio, maximum drawdown and win rate, with the thresholds a gate sets for
 * them and the range their normalised margins move in.
 */
import type { MetricGoal } from "@converge/core";
import type { Rng } from "./simulated-paths.js";

/** A gated metric: its direction, threshold draw and how far its margin moves. */
export interface MetricKind {
  name: string;
  goal: MetricGoal;
  op: ">=" | "<=";
  /** Draws a threshold. */
  threshold: (rng: Rng) => number;
  /** Typical size of a margin move (win rates move less than Sharpe ratios). */
  reach: number;
  /** The best margin a path may approach, and the worst (see softLine). */
  ceiling: number;
  floor: number;
  /** Physical range of the value (a drawdown is ≥ 0, a win rate within (0, 1)). */
  min: number;
  max: number;
}

const round = (x: number, step: number) => Math.round(x / step) * step;
const roundTo = (x: number, decimals: number) => Number(x.toFixed(decimals));

/** Sharpe ratio ≥ 0.8–1.5. */
export const SHARPE: MetricKind = {
  name: "sharpe_ratio",
  goal: "maximize",
  op: ">=",
  threshold: (rng) => roundTo(round(rng.uniform(0.8, 1.5), 0.05), 2),
  reach: 1,
  ceiling: 1,
  floor: -1.5,
  min: Number.NEGATIVE_INFINITY,
  max: Number.POSITIVE_INFINITY,
};
/** Maximum drawdown ≤ 0.15–0.25. */
export const DRAWDOWN: MetricKind = {
  name: "max_drawdown",
  goal: "minimize",
  op: "<=",
  threshold: (rng) => roundTo(rng.uniform(0.15, 0.25), 2),
  reach: 1,
  ceiling: 0.6,
  floor: -1.5,
  min: 0.005,
  max: 1,
};
/** Win rate ≥ 0.50–0.55. */
export const WIN_RATE: MetricKind = {
  name: "win_rate",
  goal: "maximize",
  op: ">=",
  threshold: (rng) => roundTo(rng.uniform(0.5, 0.55), 2),
  reach: 0.4,
  ceiling: 0.3,
  floor: -0.5,
  min: 0.01,
  max: 0.99,
};

/** Which criterion binds, by how often it is the hard one in practice. */
export const BINDING_WEIGHT: Record<string, number> = {
  sharpe_ratio: 0.5,
  max_drawdown: 0.3,
  win_rate: 0.2,
};

/** The metric's value at normalised margin `margin`, kept within its physical range. */
export function metricValue(kind: MetricKind, threshold: number, margin: number): number {
  const sign = kind.goal === "maximize" ? 1 : -1;
  return Math.min(kind.max, Math.max(kind.min, threshold + sign * Math.abs(threshold) * margin));
}
