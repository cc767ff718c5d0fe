/**
 * Pure geometry for the inline SVG sparklines: live points to polyline coordinates.
 * Kept apart from the component so it can be tested, and replaced when a chart library arrives.
 */
import type { LivePoint } from '../../../protocol/live.schema.js';

export interface SparklineOptions {
  /** Drawing width and height, in SVG user units. */
  width: number;
  height: number;
  /** Time span shown, ms, ending at the newest point; older points are left out. */
  windowMs: number;
  /** Value at the bottom edge (default 0). */
  min?: number;
  /** Value at the top edge; by default the largest value shown, and at least `floorMax`. */
  max?: number;
  /** Smallest automatic top (default 1), so a flat idle line does not fill the height. */
  floorMax?: number;
  /** A pause longer than this, ms, breaks the line (default 5000: the agent was away). */
  gapMs?: number;
}

export interface Sparkline {
  /** One `points` attribute per unbroken run, "x,y x,y …", oldest first. */
  segments: string[];
  /** The value drawn at the top edge. */
  max: number;
}

const round1 = (n: number) => Math.round(n * 10) / 10;

/** Polyline segments of `value(p)` over the newest `windowMs` of `points` (ordered by time). */
export function sparkline(
  points: readonly LivePoint[],
  value: (p: LivePoint) => number,
  opts: SparklineOptions,
): Sparkline {
  const { width, height, windowMs } = opts;
  const min = opts.min ?? 0;
  const gapMs = opts.gapMs ?? 5000;
  if (points.length === 0) return { segments: [], max: opts.max ?? opts.floorMax ?? 1 };
  const end = points[points.length - 1].t;
  const start = end - windowMs;
  const shown = points.filter((p) => p.t >= start);
  const max = opts.max ?? Math.max(opts.floorMax ?? 1, ...shown.map(value));
  const span = max - min || 1;
  const segments: string[] = [];
  let run: string[] = [];
  let prevT = -Infinity;
  for (const p of shown) {
    if (p.t - prevT > gapMs && run.length > 0) {
      segments.push(run.join(' '));
      run = [];
    }
    prevT = p.t;
    const x = ((p.t - start) / windowMs) * width;
    const v = Math.min(max, Math.max(min, value(p)));
    const y = height - ((v - min) / span) * height;
    run.push(`${round1(x)},${round1(y)}`);
  }
  if (run.length > 0) segments.push(run.join(' '));
  return { segments, max };
}
