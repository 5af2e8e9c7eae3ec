import { seededRandom } from "@converge/core";
import type { Classification } from "./classify.js";
import { olsSlope, theilSen } from "./stats/index.js";

/** How many more iterations the gate needs at the current pace. */
export interface IterationsEstimate {
  /** Point estimate (whole iterations, ≥ 1 while failing, 0 when passing); null when not converging. */
  estimate: number | null;
  /** Optimistic end of the range. */
  low: number | null;
  /** Pessimistic end; null when the pessimistic pace never gets there. */
  high: number | null;
  model: "linear" | "saturating" | null;
  reason: string;
}

/** ETA looks at the most recent iterations only: the recent pace is what predicts the next ones. */
export const ETA_WINDOW = 200;
const BOOTSTRAP_RUNS = 40;

interface ExpFit {
  a: number;
  b: number;
  c: number;
  sse: number;
}

/** Least-squares fit of y = a − b·e^(−c·t) by a grid over c and closed-form a, b. */
function fitSaturating(ys: readonly number[]): ExpFit | null {
  const n = ys.length;
  let best: ExpFit | null = null;
  for (let k = 0; k < 60; k++) {
    const c = 0.01 * 1.12 ** k; // 0.01 .. ~8
    let sx = 0;
    let sy = 0;
    let sxx = 0;
    let sxy = 0;
    for (let t = 0; t < n; t++) {
      const x = -Math.exp(-c * t);
      const y = ys[t] as number;
      sx += x;
      sy += y;
      sxx += x * x;
      sxy += x * y;
    }
    const det = n * sxx - sx * sx;
    if (Math.abs(det) < 1e-15) continue;
    const b = (n * sxy - sx * sy) / det;
    const a = (sy - b * sx) / n;
    let sse = 0;
    for (let t = 0; t < n; t++) sse += ((ys[t] as number) - (a - b * Math.exp(-c * t))) ** 2;
    if (!best || sse < best.sse) best = { a, b, c, sse };
  }
  return best;
}

function crossing(fit: ExpFit, goal: number, last: number): number | null {
  if (fit.b <= 0 || fit.a <= goal) return null;
  const t = -Math.log((fit.a - goal) / fit.b) / fit.c;
  return Math.max(1, Math.ceil(t - last));
}

function quantile(sorted: readonly number[], q: number): number {
  const i = Math.min(sorted.length - 1, Math.max(0, Math.round(q * (sorted.length - 1))));
  return sorted[i] as number;
}

/**
 * Iterations still needed for a higher-is-better series to reach `goal`
 * (1 for a gate score), from the last `ETA_WINDOW` points.
 *
 * Linear: the Theil–Sen line's gap to the goal over its slope, the range from
 * Sen's interval (the pessimistic end is null when the interval reaches 0).
 * Saturating: when progress levels off (y = a − b·e^(−c·t) fits with less than
 * 70% of the straight line's squared error, from 5 points on), the crossing
 * of that curve, with a 10–90% range from a seeded residual bootstrap; when
 * the curve levels off below the goal, there is no estimate. Null unless the
 * series is CONVERGING; 0 when the last value is at the goal.
 */
export function estimateIterationsToSuccess(
  values: readonly number[],
  classification: Classification,
  goal = 1,
): IterationsEstimate {
  const all = values.filter((v) => Number.isFinite(v));
  const last = all.at(-1);
  if (last !== undefined && last >= goal - 1e-9) {
    return {
      estimate: 0,
      low: 0,
      high: 0,
      model: null,
      reason: "the last iteration is at the goal",
    };
  }
  if (classification.status !== "CONVERGING") {
    return {
      estimate: null,
      low: null,
      high: null,
      model: null,
      reason: `not converging (${classification.status})`,
    };
  }
  const ys = all.slice(-ETA_WINDOW);
  const n = ys.length;
  const ts = theilSen(ys);
  if (ts.slope === null || ts.intercept === null || ts.slope <= 0) {
    return { estimate: null, low: null, high: null, model: null, reason: "no upward slope" };
  }
  const level = Math.max(ts.intercept + ts.slope * (n - 1), Math.min(last as number, goal));
  const gap = Math.max(goal - level, 0);
  const steps = (slope: number | null) =>
    slope !== null && slope > 0 ? Math.max(1, Math.ceil(gap / slope - 1e-9)) : null;
  const linear: IterationsEstimate = {
    estimate: steps(ts.slope),
    low: steps(ts.high),
    high: steps(ts.low),
    model: "linear",
    reason: `gap ${gap.toPrecision(3)} at ${ts.slope.toPrecision(3)} per iteration`,
  };
  if (n < 5) return linear;

  const fit = fitSaturating(ys);
  const ols = olsSlope(ys);
  const linearSse =
    ols.slope === null || ols.intercept === null
      ? Number.POSITIVE_INFINITY
      : sse(ys, ols.intercept, ols.slope);
  if (!fit || fit.b <= 0 || fit.sse >= 0.7 * linearSse) return linear;
  const estimate = crossing(fit, goal, n - 1);
  if (estimate === null) {
    return {
      estimate: null,
      low: null,
      high: null,
      model: "saturating",
      reason: `progress is levelling off near ${fit.a.toPrecision(3)}, below the goal ${goal}`,
    };
  }
  // Residual bootstrap: refit on fitted + resampled residuals; deterministic.
  const rnd = seededRandom(0xe7a);
  const fitted = ys.map((_, t) => fit.a - fit.b * Math.exp(-fit.c * t));
  const residuals = ys.map((y, t) => y - (fitted[t] as number));
  const outcomes: number[] = [];
  let never = 0;
  for (let r = 0; r < BOOTSTRAP_RUNS; r++) {
    const sample = fitted.map((f) => f + (residuals[Math.floor(rnd() * n)] as number));
    const refit = fitSaturating(sample);
    const t = refit ? crossing(refit, goal, n - 1) : null;
    if (t === null) never++;
    else outcomes.push(t);
  }
  outcomes.sort((a, b) => a - b);
  return {
    estimate,
    low: outcomes.length ? Math.min(estimate, quantile(outcomes, 0.1)) : estimate,
    high:
      never > BOOTSTRAP_RUNS * 0.1 || !outcomes.length
        ? null
        : Math.max(estimate, quantile(outcomes, 0.9)),
    model: "saturating",
    reason: `levelling off towards ${fit.a.toPrecision(3)}; crosses ${goal} in about ${estimate}`,
  };
}

function sse(ys: readonly number[], intercept: number, slope: number): number {
  let s = 0;
  for (let t = 0; t < ys.length; t++) s += ((ys[t] as number) - (intercept + slope * t)) ** 2;
  return s;
}
