/** Order statistics over sorted values, shared by the SLA report and the alarm path's figures. */

/** Median: the middle value, or the mean of the two middle ones. */
export function median(sorted: readonly number[]): number | null {
  const n = sorted.length;
  if (n === 0) return null;
  const hi = sorted[Math.floor(n / 2)] ?? 0;
  return n % 2 === 1 ? hi : ((sorted[n / 2 - 1] ?? 0) + hi) / 2;
}

/** Nearest-rank percentile: the smallest value with at least p of the values at or below it. */
export function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)] ?? null;
}
