import type { ConvergenceStatus, GradientDirection } from "@converge/core";
import { median } from "@converge/core";
import {
  type MannKendallResult,
  mannKendall,
  type TheilSenOptions,
  type TheilSenResult,
  theilSen,
  turningPoints,
} from "./stats/index.js";

/**
 * Theil–Sen settings for trajectories: every pair up to 400 points, above that
 * 100,000 sampled pairs (enough for the median and Sen's interval to a few
 * parts in a thousand, and what keeps 10,000 iterations well under a second).
 */
export const TRAJECTORY_THEIL_SEN: TheilSenOptions = { maxExactN: 400, samplePairs: 100_000 };

/** What the classifier was told about the series. */
export interface ClassifyOptions {
  /**
   * The change over the whole series that matters in practice (same unit as
   * the series). Default: 2% of `scale`.
   */
  minEffect?: number;
  /** The series' natural size. Default: 1 (right for a gate score in [0, 1]). */
  scale?: number;
  /** The value at which the goal is reached (1 for a gate score); a series at it for its last two points has converged. */
  goal?: number;
  /** Significance level of the trend test. Default 0.05. */
  alpha?: number;
  /** Theil–Sen settings; default {@link TRAJECTORY_THEIL_SEN}. */
  theilSen?: TheilSenOptions;
}

/** The evidence behind a classification, for reports and the advisor. */
export interface Classification {
  status: ConvergenceStatus;
  /** Why, in words, e.g. "Mann–Kendall p = 0.003 and the change 0.27 is above 0.02". */
  reason: string;
  n: number;
  /** Theil–Sen slope per iteration and Sen's 95% interval (null below 2 points). */
  slope: number | null;
  slopeLow: number | null;
  slopeHigh: number | null;
  /** Mann–Kendall two-sided p. */
  p: number | null;
  /** Turning-point z (> 0: more direction changes than noise would make). */
  turningZ: number | null;
  /** Share of successive changes that flip direction. */
  flipRate: number | null;
  /** Median absolute change between iterations. */
  typicalStep: number | null;
  minEffect: number;
  /**
   * The direction of a real trend: 1 up, -1 down, 0 none (the test of
   * CONVERGING / DIVERGING; also 0 below 3 points). The gradient is this.
   */
  trend: 1 | -1 | 0;
  /** The full test results behind the numbers above (null below 2 points). */
  mannKendall: MannKendallResult | null;
  theilSen: TheilSenResult | null;
}

const finiteOnly = (values: readonly number[]) => values.filter((v) => Number.isFinite(v));

/**
 * Classifies a series where higher is better (sign a "minimize" metric
 * first). The statuses mean:
 *
 * - INSUFFICIENT_DATA: fewer than 3 finite points.
 * - CONVERGING: the last two points are at `goal`; or a real upward trend: the
 *   Mann–Kendall test is significant (p < alpha) and the Theil–Sen change over
 *   the series, |slope|·(n − 1), is at least `minEffect`. With 3 or 4 points
 *   no test can reach p < 0.05, so there a strictly monotone series with a
 *   change of at least `minEffect` counts as a trend (the strongest evidence
 *   such a short series can give).
 * - DIVERGING: the same, downward.
 * - OSCILLATING: no real trend, the typical step (median |Δ|) is at least
 *   `minEffect`, and successive steps flip direction at least half the time
 *   (noise flips two times in three; a plateau's steps are small).
 * - STAGNANT: no real trend and small steps.
 */
export function classifySeries(
  values: readonly number[],
  options: ClassifyOptions = {},
): Classification {
  const ys = finiteOnly(values);
  const n = ys.length;
  const scale = options.scale ?? 1;
  const minEffect = options.minEffect ?? 0.02 * scale;
  const alpha = options.alpha ?? 0.05;
  const base: Classification = {
    status: "INSUFFICIENT_DATA",
    reason: `${n} finite point${n === 1 ? "" : "s"}; at least 3 are needed`,
    n,
    slope: null,
    slopeLow: null,
    slopeHigh: null,
    p: null,
    turningZ: null,
    flipRate: null,
    typicalStep: null,
    minEffect,
    trend: 0,
    mannKendall: null,
    theilSen: null,
  };
  const tsOptions = options.theilSen ?? TRAJECTORY_THEIL_SEN;
  if (n < 3) {
    if (n >= 2) {
      const ts = theilSen(ys, undefined, tsOptions);
      return {
        ...base,
        slope: ts.slope,
        slopeLow: ts.low,
        slopeHigh: ts.high,
        theilSen: ts,
        mannKendall: mannKendall(ys),
      };
    }
    return base;
  }
  const ts = theilSen(ys, undefined, tsOptions);
  const mk = mannKendall(ys);
  const tp = turningPoints(ys);
  const steps = stepStats(ys);
  const evidence: Classification = {
    ...base,
    slope: ts.slope,
    slopeLow: ts.low,
    slopeHigh: ts.high,
    p: mk.p,
    turningZ: tp.z,
    flipRate: steps.flipRate,
    typicalStep: steps.typicalStep,
    mannKendall: mk,
    theilSen: ts,
  };
  return verdict(ys, evidence, steps, options.goal, alpha);
}

interface StepStats {
  /** Successive differences. */
  diffs: number[];
  /** How many non-zero differences there are. */
  moving: number;
  /** How many non-zero differences change sign from the one before. */
  flips: number;
  flipRate: number;
  typicalStep: number;
}

function stepStats(ys: readonly number[]): StepStats {
  const diffs = ys.slice(1).map((y, i) => y - (ys[i] as number));
  const moving = diffs.filter((d) => d !== 0);
  let flips = 0;
  for (let i = 1; i < moving.length; i++)
    if (Math.sign(moving[i] as number) !== Math.sign(moving[i - 1] as number)) flips++;
  const flipRate = moving.length > 1 ? flips / (moving.length - 1) : 0;
  const typicalStep = median(diffs.map(Math.abs));
  return { diffs, moving: moving.length, flips, flipRate, typicalStep };
}

const fmt = (x: number) => Number(x.toPrecision(3)).toString();

/** The status and its reason from the evidence of 3 or more points (see `classifySeries`). */
function verdict(
  ys: readonly number[],
  evidence: Classification,
  steps: StepStats,
  goal: number | undefined,
  alpha: number,
): Classification {
  const { n, minEffect, mannKendall: mk } = evidence;
  const { typicalStep, flipRate } = steps;
  const slope = evidence.slope ?? 0;
  const change = Math.abs(slope) * (n - 1);
  const p = mk?.p ?? null;
  const monotone = steps.moving === steps.diffs.length && steps.flips === 0;
  const significant = n <= 4 ? monotone : p !== null && p < alpha;
  const real = significant && change >= minEffect && slope !== 0;
  const trended: Classification = { ...evidence, trend: real ? (slope > 0 ? 1 : -1) : 0 };
  if (goal !== undefined && n >= 2 && ys.slice(-2).every((y) => y >= goal - 1e-9)) {
    return {
      ...trended,
      status: "CONVERGING",
      reason: `at the goal (${fmt(goal)}) for the last two iterations`,
    };
  }
  if (real) {
    const how =
      n <= 4
        ? `every step goes the same way (${n} points; too few for a significance test)`
        : `Mann–Kendall p = ${fmt(p as number)} < ${alpha}`;
    return {
      ...trended,
      status: slope > 0 ? "CONVERGING" : "DIVERGING",
      reason: `${how}, and the Theil–Sen change ${fmt(slope * (n - 1))} over ${n - 1} steps is at least ${fmt(minEffect)}`,
    };
  }
  const noTrend = significant
    ? `a trend too small to matter (change ${fmt(slope * (n - 1))} < ${fmt(minEffect)})`
    : `no significant trend (Mann–Kendall p = ${fmt(p ?? 1)})`;
  if (typicalStep >= minEffect && flipRate >= 0.5) {
    return {
      ...trended,
      status: "OSCILLATING",
      reason: `${noTrend}; steps of typically ${fmt(typicalStep)} flip direction ${Math.round(flipRate * 100)}% of the time`,
    };
  }
  return {
    ...trended,
    status: "STAGNANT",
    reason: `${noTrend}; typical step ${fmt(typicalStep)}${typicalStep >= minEffect ? `, without regular flips (${Math.round(flipRate * 100)}%)` : ` < ${fmt(minEffect)}`}`,
  };
}

/**
 * The gradient (docs/vocabulary.md): the direction of a real trend of the
 * goal-signed series, by the same test as the convergence status (Mann–Kendall
 * p < alpha and a Theil–Sen change of at least the minimum effect; with 3 or
 * 4 points, every step the same way). ASCENDING up (toward the goal),
 * DESCENDING down, FLAT without a real trend, including below 3 points. So a
 * CONVERGING trend is ASCENDING and a DIVERGING one DESCENDING; a series at
 * its goal without a trend is CONVERGING and FLAT. `_values` is ignored
 * (the classification carries the test); kept so that callers written for
 * the earlier signature still compile.
 */
export function gradientDirection(
  c: Classification,
  _values?: readonly number[],
): GradientDirection {
  return c.trend > 0 ? "ASCENDING" : c.trend < 0 ? "DESCENDING" : "FLAT";
}
