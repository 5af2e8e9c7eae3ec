/**
 * Downsampling of long series for drawing. A chart of 10,000 points is no
 * more legible than one of 2,000 but costs five times the SVG; the full data
 * stays in the report's tables.
 */

/**
 * Largest-Triangle-Three-Buckets (Steinarsson, 2013): picks `threshold`
 * points of a series that keep its visual shape. The first and last points
 * are always kept; every bucket in between contributes the point forming the
 * largest triangle with the previously kept point and the next bucket's mean.
 *
 * @param xs x values, ascending (e.g. iteration numbers); all finite
 * @param ys y values, same length; all finite
 * @param threshold how many points to keep (>= 3); with `threshold >= n` every index is returned
 * @returns indices into the series, ascending
 */
export function lttbIndices(
  xs: ArrayLike<number>,
  ys: ArrayLike<number>,
  threshold: number,
): number[] {
  const n = Math.min(xs.length, ys.length);
  if (threshold >= n || n <= 2) return Array.from({ length: n }, (_, i) => i);
  const keep = Math.max(3, Math.floor(threshold));
  const every = (n - 2) / (keep - 2);
  const out: number[] = [0];
  let a = 0;
  for (let i = 0; i < keep - 2; i++) {
    // The next bucket's mean is the third corner of the triangle.
    const nextStart = Math.floor((i + 1) * every) + 1;
    const nextEnd = Math.min(Math.floor((i + 2) * every) + 1, n);
    let avgX = 0;
    let avgY = 0;
    for (let j = nextStart; j < nextEnd; j++) {
      avgX += xs[j] as number;
      avgY += ys[j] as number;
    }
    const count = nextEnd - nextStart;
    avgX /= count || 1;
    avgY /= count || 1;

    const from = Math.floor(i * every) + 1;
    const to = Math.floor((i + 1) * every) + 1;
    const ax = xs[a] as number;
    const ay = ys[a] as number;
    let best = from;
    let bestArea = -1;
    for (let j = from; j < to; j++) {
      const area = Math.abs(
        (ax - avgX) * ((ys[j] as number) - ay) - (ax - (xs[j] as number)) * (avgY - ay),
      );
      if (area > bestArea) {
        bestArea = area;
        best = j;
      }
    }
    out.push(best);
    a = best;
  }
  out.push(n - 1);
  return out;
}

/**
 * The indices of a series to draw when it is longer than `maxPoints`: LTTB
 * over its finite points, plus its global minimum and maximum (LTTB alone
 * may drop a spike), plus one non-finite index wherever kept neighbours
 * straddle a gap, so a line still breaks where data is missing.
 *
 * At most `maxPoints` finite points are kept (for `maxPoints >= 5`); gap
 * markers come on top.
 *
 * @param xs x values, ascending
 * @param ys y values; NaN, ±Infinity or null-like gaps allowed
 * @param maxPoints the most finite points to keep (default 2,000)
 * @returns indices into the series, ascending; every index when the series is short enough
 */
export function downsampleIndices(
  xs: ArrayLike<number>,
  ys: ArrayLike<number>,
  maxPoints = 2000,
): number[] {
  const n = Math.min(xs.length, ys.length);
  const finite: number[] = [];
  for (let i = 0; i < n; i++) if (Number.isFinite(ys[i] as number)) finite.push(i);
  if (finite.length <= maxPoints) return Array.from({ length: n }, (_, i) => i);

  const fx = finite.map((i) => xs[i] as number);
  const fy = finite.map((i) => ys[i] as number);
  // Two slots are reserved for the extremes LTTB might have dropped.
  const picked = new Set(lttbIndices(fx, fy, Math.max(3, maxPoints - 2)).map((k) => finite[k]));
  let lo = finite[0] as number;
  let hi = lo;
  for (const i of finite) {
    if ((ys[i] as number) < (ys[lo] as number)) lo = i;
    if ((ys[i] as number) > (ys[hi] as number)) hi = i;
  }
  picked.add(lo);
  picked.add(hi);
  const kept = [...picked].sort((p, q) => (p as number) - (q as number)) as number[];
  if (finite.length === n) return kept;

  // Re-insert a gap between kept neighbours that had missing values between them.
  const out: number[] = [];
  let prev = -1;
  for (const i of kept) {
    for (let j = prev + 1; j < i; j++) {
      if (!Number.isFinite(ys[j] as number)) {
        out.push(j);
        break;
      }
    }
    out.push(i);
    prev = i;
  }
  // A trailing gap after the last kept point is not drawn anyway.
  return out;
}
