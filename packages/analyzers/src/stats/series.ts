/**
 * Internal helpers shared by the statistics primitives: the missing-value policy, tie groups,
 * medians, rounding as numpy does, and a small seeded PRNG. Not part of the public barrel.
 */
import { seededRandom } from "@converge/core";

/** A series as accepted by every primitive: numbers, with gaps allowed. */
export type SeriesInput = ArrayLike<number | null | undefined>;

/** True for a usable observation: a finite number (NaN, ±∞, null and undefined are missing). */
export function isObserved(v: number | null | undefined): v is number {
  return typeof v === "number" && Number.isFinite(v);
}

/**
 * The missing-value policy of this module: drop every non-finite value (NaN, ±∞, null,
 * undefined) and keep the original 0-based position of each kept value, so that time-based
 * statistics (Theil–Sen's default x, Pettitt's index) still refer to the caller's positions.
 */
export function observed(values: SeriesInput): { ys: Float64Array; positions: Float64Array } {
  let count = 0;
  for (let i = 0; i < values.length; i++) if (isObserved(values[i])) count++;
  const ys = new Float64Array(count);
  const positions = new Float64Array(count);
  let k = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (isObserved(v)) {
      ys[k] = v;
      positions[k] = i;
      k++;
    }
  }
  return { ys, positions };
}

/**
 * Paired observations (x, y): rows where either is missing are dropped; rows beyond the shorter
 * of the two inputs are ignored.
 */
export function observedPairs(
  ys: SeriesInput,
  xs: SeriesInput,
): { xs: Float64Array; ys: Float64Array } {
  const len = Math.min(ys.length, xs.length);
  const keepX: number[] = [];
  const keepY: number[] = [];
  for (let i = 0; i < len; i++) {
    const x = xs[i];
    const y = ys[i];
    if (isObserved(x) && isObserved(y)) {
      keepX.push(x);
      keepY.push(y);
    }
  }
  return { xs: Float64Array.from(keepX), ys: Float64Array.from(keepY) };
}

/** Ascending sorted copy (typed-array sort is numeric and fast). */
export function sortedCopy(a: Float64Array): Float64Array {
  return Float64Array.from(a).sort();
}

/** Sizes of the groups of equal values (only groups of 2 or more) in an ascending array. */
export function tieGroups(sorted: Float64Array): number[] {
  const groups: number[] = [];
  let run = 1;
  for (let i = 1; i <= sorted.length; i++) {
    if (i < sorted.length && sorted[i] === sorted[i - 1]) {
      run++;
    } else {
      if (run > 1) groups.push(run);
      run = 1;
    }
  }
  return groups;
}

/** Σ t(t−1)(2t+5) over tie groups: the tie correction of Var(S) (Kendall 1975). */
export function tieVarianceTerm(groups: readonly number[]): number {
  let acc = 0;
  for (const t of groups) acc += t * (t - 1) * (2 * t + 5);
  return acc;
}

/** Σ t(t−1)/2 over tie groups: the number of tied pairs. */
export function tiedPairs(groups: readonly number[]): number {
  let acc = 0;
  for (const t of groups) acc += (t * (t - 1)) / 2;
  return acc;
}

/** Median of an ascending, non-empty array (mean of the two middle values when even, as numpy). */
export function sortedMedian(sorted: Float64Array): number {
  const n = sorted.length;
  const mid = n >> 1;
  return n % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** Round half to even, as numpy's `np.round` (scipy's Theil–Sen interval indices use it). */
export function roundHalfEven(v: number): number {
  const f = Math.floor(v);
  const diff = v - f;
  if (diff > 0.5) return f + 1;
  if (diff < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}

/**
 * Rearranges `a[left..right]` so that `a[k]` is the value of rank k (0-based) in sorted order,
 * with smaller-or-equal values before it and greater-or-equal after (Floyd & Rivest 1975,
 * algorithm SELECT). Expected linear time, deterministic, robust to duplicates.
 */
function floydRivest(a: Float64Array, k: number, left: number, right: number): void {
  let lo = left;
  let hi = right;
  while (hi > lo) {
    if (hi - lo > 600) {
      // Recurse on a small sample range that very likely contains the k-th value.
      const n = hi - lo + 1;
      const i = k - lo + 1;
      const z = Math.log(n);
      const s = 0.5 * Math.exp((2 * z) / 3);
      const sd = 0.5 * Math.sqrt((z * s * (n - s)) / n) * (i - n / 2 < 0 ? -1 : 1);
      const newLo = Math.max(lo, Math.floor(k - (i * s) / n + sd));
      const newHi = Math.min(hi, Math.floor(k + ((n - i) * s) / n + sd));
      floydRivest(a, k, newLo, newHi);
    }
    const t = a[k] as number;
    let i = lo;
    let j = hi;
    swap(a, lo, k);
    if ((a[hi] as number) > t) swap(a, lo, hi);
    while (i < j) {
      swap(a, i, j);
      i++;
      j--;
      while ((a[i] as number) < t) i++;
      while ((a[j] as number) > t) j--;
    }
    if (a[lo] === t) {
      swap(a, lo, j);
    } else {
      j++;
      swap(a, j, hi);
    }
    if (j <= k) lo = j + 1;
    if (k <= j) hi = j - 1;
  }
}

function swap(a: Float64Array, i: number, j: number): void {
  const t = a[i] as number;
  a[i] = a[j] as number;
  a[j] = t;
}

/**
 * The values of the given 0-based ranks in `a` (as if sorted ascending), by repeated selection
 * in expected O(length · number of ranks) instead of an O(n log n) sort. Reorders `a` in place.
 * Ranks must lie in [0, a.length).
 */
export function orderStatistics(a: Float64Array, ranks: readonly number[]): Map<number, number> {
  const out = new Map<number, number>();
  const sorted = [...new Set(ranks)].sort((x, y) => x - y);
  let lo = 0;
  for (const k of sorted) {
    // After selecting rank k, everything at or below k is ≤ a[k]: later ranks search above it.
    floydRivest(a, k, lo, a.length - 1);
    out.set(k, a[k] as number);
    lo = k + 1;
  }
  return out;
}

/** Core's seeded PRNG (mulberry32): uniform floats in [0, 1). */
export const mulberry32: (seed: number) => () => number = seededRandom;

/** The (x, y) observations of a series: given x values, or each point's position when none. */
export function observedXY(
  values: SeriesInput,
  xs?: SeriesInput,
): { x: Float64Array; y: Float64Array } {
  if (xs) {
    const pairs = observedPairs(values, xs);
    return { x: pairs.xs, y: pairs.ys };
  }
  const obs = observed(values);
  return { x: obs.positions, y: obs.ys };
}
