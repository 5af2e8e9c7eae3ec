/**
 * Pettitt's (1979) non-parametric change-point test, in O(n log n).
 */
import { observed, type SeriesInput } from "./series.js";

/** Result of {@link pettitt}; `null` marks a quantity that is not computable. */
export interface PettittResult {
  /** Number of observations used (non-finite values dropped). */
  n: number;
  /**
   * 0-based position (in the caller's series) of the last value of the first segment, i.e. the
   * change happens right after it; null when n < 2 or K = 0 (no change at all).
   */
  index: number | null;
  /** K = max_t |U_t|; null when n < 2. */
  k: number | null;
  /** U_t at the change point: positive = the later segment tends to be larger. */
  u: number | null;
  /** Approximate p ≈ 2·exp(−6K²/(n³ + n²)), capped at 1; null when n < 2. */
  p: number | null;
}

/**
 * Pettitt's change-point test: U_t = Σ_{i≤t} Σ_{j>t} sgn(x_j − x_i) for t = 0..n−2 (0-based),
 * K = max |U_t| (first maximiser on ties), and the approximate two-sided significance
 * p ≈ 2·exp(−6K²/(n³ + n²)) (Pettitt 1979), capped at 1.
 *
 * O(n log n): moving x_t from the second segment to the first changes U by
 * Σ_{j≠t} sgn(x_j − x_t) = n + 1 − 2·r_t, with r_t the mid-rank of x_t (ties get the average
 * rank, so tied pairs contribute 0), hence U_t = Σ_{k≤t} (n + 1 − 2·r_k): one sort plus a
 * running sum.
 *
 * Edge behaviour (never throws): non-finite values are dropped and `index` is mapped back to the
 * caller's positions. n < 2: index, k, u, p null. A constant series: K = 0, index null, p = 1.
 */
export function pettitt(values: SeriesInput): PettittResult {
  const { ys, positions } = observed(values);
  const n = ys.length;
  if (n < 2) return { n, index: null, k: null, u: null, p: null };

  // Mid-ranks (1-based) via an index sort.
  const order = Array.from({ length: n }, (_, i) => i).sort(
    (a, b) => (ys[a] as number) - (ys[b] as number),
  );
  const midRank = new Float64Array(n);
  for (let start = 0; start < n; ) {
    let end = start + 1;
    const v = ys[order[start] as number] as number;
    while (end < n && ys[order[end] as number] === v) end++;
    const rank = (start + 1 + end) / 2; // average of ranks start+1..end
    for (let i = start; i < end; i++) midRank[order[i] as number] = rank;
    start = end;
  }

  let u = 0;
  let k = 0;
  let best = -1;
  let uAtBest = 0;
  for (let t = 0; t < n - 1; t++) {
    u += n + 1 - 2 * (midRank[t] as number);
    if (Math.abs(u) > k) {
      k = Math.abs(u);
      best = t;
      uAtBest = u;
    }
  }
  const p = Math.min(1, 2 * Math.exp((-6 * k * k) / (n * n * n + n * n)));
  if (best < 0) return { n, index: null, k: 0, u: 0, p };
  return { n, index: positions[best] as number, k, u: uAtBest, p };
}
