/**
 * Mann–Kendall trend test (Mann 1945; Kendall 1975), with Kendall's S computed in O(n log n)
 * by merge-sort inversion counting (Knight 1966) and the exact null distribution of S for small
 * samples without ties (Mahonian numbers: permutations of n counted by inversions).
 */
import { phi } from "./normal.js";
import { observed, type SeriesInput, tiedPairs, tieGroups, tieVarianceTerm } from "./series.js";

/** Largest n for which the exact distribution of S is used (when there are no ties). */
export const MANN_KENDALL_EXACT_MAX_N = 10;

/** Kendall's S of a series against time, with the by-products needed for its variance. */
export interface KendallS {
  /** Number of observations used (non-finite values dropped). */
  n: number;
  /** S = Σ_{i<j} sgn(x_j − x_i). */
  s: number;
  /** Number of pairs i < j with x_i > x_j (strict inversions). */
  discordant: number;
  /** Sizes of the groups of tied values (only groups of size ≥ 2). */
  ties: number[];
}

/**
 * Kendall's S = Σ_{i<j} sgn(x_j − x_i) of a series in time order, in O(n log n).
 *
 * Method (Knight 1966): time has no ties, so with D the number of strict inversions (counted
 * during a bottom-up merge sort that takes the left element on equality) and T = Σ t(t−1)/2
 * the number of tied pairs, the concordant pairs are N₀ − T − D and S = N₀ − T − 2D, where
 * N₀ = n(n−1)/2. The sorted array also yields the tie groups.
 *
 * Edge behaviour: non-finite values are dropped first; n < 2 gives S = 0 and no ties.
 */
export function kendallS(values: SeriesInput): KendallS {
  const { ys } = observed(values);
  const n = ys.length;
  let a: Float64Array = ys; // sorted in place; `ys` is our own copy
  let b: Float64Array = new Float64Array(n);
  let discordant = 0;
  for (let width = 1; width < n; width *= 2) {
    for (let lo = 0; lo < n; lo += 2 * width) {
      const mid = Math.min(lo + width, n);
      const hi = Math.min(lo + 2 * width, n);
      let i = lo;
      let j = mid;
      let k = lo;
      while (i < mid && j < hi) {
        const left = a[i] as number;
        const right = a[j] as number;
        if (left <= right) {
          b[k++] = left;
          i++;
        } else {
          // Every remaining left element is strictly greater than `right`: all are inversions.
          discordant += mid - i;
          b[k++] = right;
          j++;
        }
      }
      while (i < mid) b[k++] = a[i++] as number;
      while (j < hi) b[k++] = a[j++] as number;
    }
    [a, b] = [b, a];
  }
  const ties = tieGroups(a);
  const n0 = n < 2 ? 0 : (n * (n - 1)) / 2; // (0·−1)/2 would be −0
  return { n, s: n0 - tiedPairs(ties) - 2 * discordant, discordant, ties };
}

/** Result of the Mann–Kendall test. `null` marks a quantity that is not computable. */
export interface MannKendallResult {
  /** Number of observations used (non-finite values dropped). */
  n: number;
  /** Kendall's S = Σ_{i<j} sgn(x_j − x_i); positive = increasing. */
  s: number;
  /** Var(S) = [n(n−1)(2n+5) − Σ t(t−1)(2t+5)] / 18 over tie groups. */
  varS: number;
  /** Z = (S − 1)/√Var for S > 0, (S + 1)/√Var for S < 0, 0 for S = 0; null when n < 2. */
  z: number | null;
  /** Two-sided p-value; null when n < 2. */
  p: number | null;
  /** Kendall's tau-b between the series and time; null when n < 2 or all values tie. */
  tau: number | null;
  /** True when `p` comes from the exact permutation distribution of S. */
  exact: boolean;
}

const mahonianCache = new Map<number, Float64Array>();

/**
 * Mahonian numbers M(n, k): the number of permutations of n items with k inversions,
 * k = 0..n(n−1)/2, by the recurrence M(m, k) = Σ_{j=0}^{min(k, m−1)} M(m−1, k−j).
 * Exact in doubles for n ≤ 17 (n! < 2⁵³); we use n ≤ 10.
 */
export function mahonian(n: number): Float64Array {
  const cached = mahonianCache.get(n);
  if (cached) return cached;
  let row = new Float64Array([1]);
  for (let m = 2; m <= n; m++) {
    const next = new Float64Array(row.length + m - 1);
    for (let k = 0; k < next.length; k++) {
      let acc = 0;
      for (let j = 0; j <= Math.min(k, m - 1); j++) acc += row[k - j] ?? 0;
      next[k] = acc;
    }
    row = next;
  }
  mahonianCache.set(n, row);
  return row;
}

/**
 * Exact two-sided p-value P(|S′| ≥ |S|) of Kendall's S for n untied observations under the
 * null of exchangeability. S′ = N₀ − 2·I where I is the inversion count of a uniformly random
 * permutation, so P(S′ ≥ |S|) = Σ_{k ≤ (N₀ − |S|)/2} M(n, k) / n!, and the distribution is
 * symmetric.
 */
export function mannKendallExactP(n: number, s: number): number {
  const absS = Math.abs(s);
  if (absS === 0) return 1;
  const counts = mahonian(n);
  const n0 = (n * (n - 1)) / 2;
  const maxK = Math.floor((n0 - absS) / 2);
  let tail = 0;
  let total = 0;
  for (let k = 0; k < counts.length; k++) {
    const c = counts[k] as number;
    total += c;
    if (k <= maxK) tail += c;
  }
  return Math.min(1, (2 * tail) / total);
}

/**
 * Mann–Kendall test for a monotonic trend in a series ordered in time.
 *
 * Computes S = Σ_{i<j} sgn(x_j − x_i) in O(n log n) (see {@link kendallS}; 100,000 points take
 * a few tens of milliseconds), the tie-corrected variance
 * Var(S) = [n(n−1)(2n+5) − Σ t(t−1)(2t+5)]/18 (Kendall 1975), the continuity-corrected
 * Z = (S ∓ 1)/√Var(S), and a two-sided p-value:
 * - n ≤ 10 without ties: exact, from the permutation distribution of S (Mahonian numbers).
 *   With n ≤ 4 no series can reach p < 0.05 (minimum p: 1/3 at n = 3, 1/12 at n = 4,
 *   1/60 at n = 5).
 * - otherwise: normal approximation p = 2·(1 − Φ(|Z|)). The one-sided p is p/2.
 *
 * tau is Kendall's tau-b against time, S / √(N₀·(N₀ − T)) with N₀ = n(n−1)/2 and T the number
 * of tied pairs in the values (time has no ties); without ties it equals tau-a = S/N₀.
 *
 * Edge behaviour (never throws): non-finite values (NaN, ±∞, null) are dropped and `n` counts
 * the rest. n < 2: S = 0, Var = 0, z, p and tau null. A constant series (n ≥ 2): S = 0,
 * Var = 0, z = 0, p = 1 (S is identically 0 under every permutation), tau null.
 */
export function mannKendall(values: SeriesInput): MannKendallResult {
  const { n, s, ties } = kendallS(values);
  const varS = (n * (n - 1) * (2 * n + 5) - tieVarianceTerm(ties)) / 18;
  if (n < 2) return { n, s: 0, varS: 0, z: null, p: null, tau: null, exact: false };
  const n0 = (n * (n - 1)) / 2;
  const tiedY = tiedPairs(ties);
  const tau = n0 - tiedY > 0 ? s / Math.sqrt(n0 * (n0 - tiedY)) : null;
  if (varS <= 0) {
    // Only possible when every value ties: S is 0 under every permutation.
    return { n, s, varS: 0, z: 0, p: 1, tau, exact: false };
  }
  const z = s > 0 ? (s - 1) / Math.sqrt(varS) : s < 0 ? (s + 1) / Math.sqrt(varS) : 0;
  if (n <= MANN_KENDALL_EXACT_MAX_N && ties.length === 0) {
    return { n, s, varS, z, p: mannKendallExactP(n, s), tau, exact: true };
  }
  // 2·Φ(−|Z|) keeps relative precision for tiny p (1 − Φ(|Z|) would round to 0).
  const p = Math.min(1, 2 * phi(-Math.abs(z)));
  return { n, s, varS, z, p, tau, exact: false };
}
