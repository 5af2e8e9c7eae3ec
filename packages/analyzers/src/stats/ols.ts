/**
 * Ordinary least-squares line, matching `scipy.stats.linregress`, which gives the Python logger's `improvement_rates`.
 */
import { observedXY, type SeriesInput } from "./series.js";

/** Result of {@link olsSlope}; `null` marks a quantity that is not computable. */
export interface OlsResult {
  /** Number of (x, y) observations used. */
  n: number;
  /** Least-squares slope Sxy/Sxx. */
  slope: number | null;
  /** mean(y) − slope·mean(x). */
  intercept: number | null;
  /** Coefficient of determination r² = Sxy²/(Sxx·Syy). */
  r2: number | null;
  /** Standard error of the slope, √(SSres/(n−2)/Sxx). */
  stderr: number | null;
}

/**
 * Ordinary least-squares fit y = intercept + slope·x (x = original 0-based positions by
 * default), as `scipy.stats.linregress`: slope = Sxy/Sxx, intercept = ȳ − slope·x̄,
 * r² = Sxy²/(Sxx·Syy), stderr = √(SSres/(n−2)/Sxx) with SSres = Syy − slope·Sxy (the same value
 * as scipy's √((1 − r²)·Syy/Sxx/(n−2))). Sums of squares are taken about the means (two-pass)
 * for numerical stability.
 *
 * Edge behaviour (never throws): rows where x or y is missing/non-finite are dropped (with the
 * default x the kept points keep their original positions). n < 2 or all x equal: every field
 * null. stderr is null for n = 2 (no residual degrees of freedom; scipy reports 0 there).
 * Constant y: slope 0, stderr 0, r² null (0/0; scipy reports r = 0).
 */
export function olsSlope(values: SeriesInput, xs?: SeriesInput): OlsResult {
  const { x, y } = observedXY(values, xs);
  const n = y.length;
  const none: OlsResult = { n, slope: null, intercept: null, r2: null, stderr: null };
  if (n < 2) return none;
  let mx = 0;
  let my = 0;
  for (let i = 0; i < n; i++) {
    mx += x[i] as number;
    my += y[i] as number;
  }
  mx /= n;
  my /= n;
  let sxx = 0;
  let syy = 0;
  let sxy = 0;
  for (let i = 0; i < n; i++) {
    const dx = (x[i] as number) - mx;
    const dy = (y[i] as number) - my;
    sxx += dx * dx;
    syy += dy * dy;
    sxy += dx * dy;
  }
  if (!(sxx > 0)) return none;
  const slope = sxy / sxx;
  const intercept = my - slope * mx;
  const r2 = syy > 0 ? Math.min(1, (sxy * sxy) / (sxx * syy)) : null;
  // Rounding can push SSres a hair below 0 on a perfect line.
  const ssres = Math.max(0, syy - slope * sxy);
  const stderr = n > 2 ? Math.sqrt(ssres / (n - 2) / sxx) : null;
  return { n, slope, intercept, r2, stderr };
}
