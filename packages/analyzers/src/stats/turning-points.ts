/**
 * Turning-point test for randomness / oscillation (Kendall & Stuart; Brockwell & Davis §1.6).
 */
import { observed, type SeriesInput } from "./series.js";

/** Result of {@link turningPoints}; `null` marks a quantity that is not computable. */
export interface TurningPointsResult {
  /** Length of the series after dropping missing values and collapsing runs of equal values. */
  n: number;
  /** Number of turning points: sign changes between successive non-zero first differences. */
  t: number;
  /** E[T] = 2(n−2)/3 under an i.i.d. continuous null; null when n < 3. */
  expected: number | null;
  /** Var[T] = (16n−29)/90 (n ≥ 4), 2/9 for n = 3 (exact); null when n < 3. */
  variance: number | null;
  /** (T − E[T])/√Var[T]: positive = more flipping than noise, negative = smoother; null n < 3. */
  z: number | null;
}

/**
 * Turning-point statistic: T = the number of sign changes of the first differences, compared
 * with its distribution for an i.i.d. continuous series, E[T] = 2(n−2)/3 and
 * Var[T] = (16n−29)/90. A strongly positive z means the series keeps reversing (oscillation);
 * a strongly negative z means long monotone runs (a trend or a smooth curve). No continuity
 * correction. An alternating series of 10 gives T = 8, z = +2.21; a monotone one z = −4.42.
 *
 * Ties: zero first differences carry no direction, so runs of equal consecutive values are
 * collapsed to one point before counting (a plateau between a rise and a fall is one turning
 * point; a plateau inside a rise is none), and n is the collapsed length, since the null
 * distribution is that of a series without ties.
 *
 * Exactness: (16n−29)/90 is the exact variance for n ≥ 4; for n = 3 the exact value 2/9 is used
 * (the formula would give 19/90).
 *
 * Edge behaviour (never throws): non-finite values are dropped; a collapsed length below 3
 * (n = 0, 1, 2, or a constant series) gives T = 0 and expected, variance, z null.
 */
export function turningPoints(values: SeriesInput): TurningPointsResult {
  const { ys } = observed(values);
  // Signs of the non-zero first differences; each one closes a run of the collapsed series.
  let n = ys.length > 0 ? 1 : 0;
  let t = 0;
  let previousSign = 0;
  for (let i = 1; i < ys.length; i++) {
    const d = (ys[i] as number) - (ys[i - 1] as number);
    if (d === 0) continue;
    n++;
    const sign = d > 0 ? 1 : -1;
    if (previousSign !== 0 && sign !== previousSign) t++;
    previousSign = sign;
  }
  if (n < 3) return { n, t, expected: null, variance: null, z: null };
  const expected = (2 * (n - 2)) / 3;
  const variance = n === 3 ? 2 / 9 : (16 * n - 29) / 90;
  return { n, t, expected, variance, z: (t - expected) / Math.sqrt(variance) };
}
