/** Small statistics helpers for the benchmarks. */

/** The p-th percentile (0–100) of `xs` by nearest rank; NaN when empty. Does not modify `xs`. */
export function percentile(xs: ArrayLike<number>, p: number): number {
  if (xs.length === 0) return NaN;
  const sorted = Float64Array.from(xs).sort();
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

/** Median of `xs` (mean of the middle two for an even count); NaN when empty. */
export function median(xs: readonly number[]): number {
  const v = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return NaN;
  const mid = v.length >> 1;
  return v.length % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
}

/** Least-squares slope of y over x; 0 with fewer than two distinct x. */
export function slope(x: ArrayLike<number>, y: ArrayLike<number>): number {
  const n = Math.min(x.length, y.length);
  if (n < 2) return 0;
  let sx = 0, sy = 0;
  for (let i = 0; i < n; i++) { sx += x[i]; sy += y[i]; }
  const mx = sx / n, my = sy / n;
  let sxy = 0, sxx = 0;
  for (let i = 0; i < n; i++) { const dx = x[i] - mx; sxy += dx * (y[i] - my); sxx += dx * dx; }
  return sxx > 0 ? sxy / sxx : 0;
}

/** Round for display: integers above 100, else 3 significant digits. */
export function fmt(x: number | undefined): string {
  if (x === undefined || !Number.isFinite(x)) return '–';
  if (Math.abs(x) >= 100) return Math.round(x).toLocaleString('en-US');
  return Number(x.toPrecision(3)).toString();
}

/**
 * Growth of the upper envelope of y over x: (max of y in the second half − max in the
 * first half) / (distance between the halves' centres). The hub acknowledges once per
 * commit, so ack lag is a sawtooth whose period can be a good part of a step; a
 * least-squares slope through a sawtooth is mostly phase noise, its peaks are not.
 */
export function envelopeGrowth(x: ArrayLike<number>, y: ArrayLike<number>): number {
  const n = Math.min(x.length, y.length);
  if (n < 4) return 0;
  const x0 = x[0], x1 = x[n - 1], mid = (x0 + x1) / 2;
  let m1 = -Infinity, m2 = -Infinity;
  for (let i = 0; i < n; i++) { if (x[i] < mid) m1 = Math.max(m1, y[i]); else m2 = Math.max(m2, y[i]); }
  const dist = (x1 - x0) / 2;
  return dist > 0 && Number.isFinite(m1) && Number.isFinite(m2) ? (m2 - m1) / dist : 0;
}
