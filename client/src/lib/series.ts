/**
 * Chart data from the hub's figures: history buckets (`SeriesPoint`) and live 1 s points to
 * the column arrays uPlot draws. A missing bucket or a pause in the samples becomes a null
 * (a gap in the line), never a zero.
 */
import type { SeriesPoint } from '../../../protocol/api.types.js';
import type { LivePoint } from '../../../protocol/live.schema.js';

/** Columns for a min–avg–max band chart: times in Unix seconds (uPlot's x unit) and one value column each. */
export interface BandColumns {
  t: number[];
  min: (number | null)[];
  avg: (number | null)[];
  max: (number | null)[];
}

/**
 * Band columns for history buckets `stepS` seconds wide, in time order, with a null row at
 * every missing bucket between two present ones and at the edges of the `from`–`to` range
 * (Unix ms) when the data starts late or ends early. A bucket is missing when the next one
 * starts more than 1.5 steps later (buckets start on step boundaries; the slack absorbs
 * rounding).
 */
export function bandColumns(points: readonly SeriesPoint[], stepS: number, range?: { from: number; to: number }): BandColumns {
  const out: BandColumns = { t: [], min: [], avg: [], max: [] };
  const stepMs = Math.max(1, stepS) * 1000;
  const gap = (t: number) => {
    out.t.push(t / 1000);
    out.min.push(null);
    out.avg.push(null);
    out.max.push(null);
  };
  const sorted = [...points].sort((a, b) => a.t - b.t);
  if (range && (sorted.length === 0 || sorted[0].t - range.from > stepMs * 1.5)) gap(range.from);
  let prev: number | null = null;
  for (const p of sorted) {
    if (prev !== null && p.t === prev) continue; // a duplicate bucket
    if (prev !== null && p.t - prev > stepMs * 1.5) gap(prev + stepMs);
    out.t.push(p.t / 1000);
    out.min.push(p.count > 0 ? p.min : null);
    out.avg.push(p.count > 0 ? p.avg : null);
    out.max.push(p.count > 0 ? p.max : null);
    prev = p.t;
  }
  if (range && prev !== null && range.to - prev > stepMs * 2.5) gap(prev + stepMs);
  return out;
}

/**
 * Columns of live 1 s points for uPlot: `t` in Unix seconds and one column per value
 * function, with a null row inserted where consecutive points are more than `gapMs` apart
 * (the agent was away), so the line breaks there.
 */
export function liveColumns(points: readonly LivePoint[], values: ((p: LivePoint) => number)[], gapMs = 5000): [number[], ...(number | null)[][]] {
  const t: number[] = [];
  const cols: (number | null)[][] = values.map(() => []);
  let prev: number | null = null;
  for (const p of points) {
    if (prev !== null && p.t - prev > gapMs) {
      t.push((prev + 1000) / 1000);
      for (const c of cols) c.push(null);
    }
    t.push(p.t / 1000);
    for (let i = 0; i < values.length; i++) cols[i].push(values[i](p));
    prev = p.t;
  }
  return [t, ...cols];
}

/** History ranges offered on the server page: label and span, ms. */
export const HISTORY_RANGES = [
  { key: 'day', label: 'Day', ms: 86_400_000 },
  { key: 'week', label: 'Week', ms: 7 * 86_400_000 },
  { key: 'month', label: 'Month', ms: 30 * 86_400_000 },
  { key: 'year', label: 'Year', ms: 365 * 86_400_000 },
] as const;
export type HistoryRangeKey = (typeof HISTORY_RANGES)[number]['key'];
