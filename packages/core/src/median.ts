/**
 * The median of `values`: the middle value in ascending order, or the mean of
 * the two middle values when their count is even (as numpy does). NaN for no
 * values. The caller's array is not reordered.
 */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const m = sorted.length >> 1;
  return sorted.length % 2
    ? (sorted[m] as number)
    : ((sorted[m - 1] as number) + (sorted[m] as number)) / 2;
}
