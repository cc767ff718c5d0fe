/**
 * What every wall screen is: it draws into its own Raphaël paper when mounted, redraws
 * in place on `update` (called on new data and once a second), and frees its paper on
 * `destroy`. The model is what the wall knows right now.
 */
import Raphael, { type RaphaelElement, type RaphaelPaper } from 'raphael';
import type { HostSummary, LivePoint } from '../../../../protocol/live.schema.js';
import type { ActiveAlerts } from '../../lib/alerts.js';
import type { Fleet } from '../../lib/fleet.js';

export interface WallModel {
  now: number;
  /** Null until the first fleet snapshot. */
  fleet: Fleet | null;
  alerts: ActiveAlerts;
  /** False while the hub does not offer alerts to this kiosk (topic refused). */
  alertsAvailable: boolean;
  spotlight: { host: HostSummary | null; points: LivePoint[] };
}

export interface Screen {
  update(m: WallModel): void;
  destroy(): void;
}

export type ScreenFactory = (el: HTMLElement, w: number, h: number, m: WallModel) => Screen;

export const FONT = 'Inter, "DejaVu Sans", "Liberation Sans", Arial, sans-serif';
export const COLORS = { bg: '#0b0e13', panel: '#151a22', grid: '#2b3340', text: '#f4f6fa', dim: '#a9b2c0', ok: '#2fbf5b', warn: '#f2c200', bad: '#ff3b3b', accent: '#39a0ff' };

export function paper(el: HTMLElement, w: number, h: number): RaphaelPaper {
  el.replaceChildren();
  return Raphael(el, w, h);
}

export function text(p: RaphaelPaper, x: number, y: number, s: string, size: number, opts: { anchor?: 'start' | 'middle' | 'end'; fill?: string; weight?: number } = {}): RaphaelElement {
  return p.text(x, y, s).attr({
    'font-family': FONT, 'font-size': Math.max(8, Math.round(size)), 'font-weight': opts.weight ?? 600,
    'text-anchor': opts.anchor ?? 'start', fill: opts.fill ?? COLORS.text,
  });
}

/** Colour of a percentage against the usual 70 / 90 thresholds. */
export function levelColor(pct: number | null): string {
  if (pct === null) return COLORS.dim;
  return pct >= 90 ? COLORS.bad : pct >= 70 ? COLORS.warn : COLORS.ok;
}

/** Shortens `s` to about `maxChars` characters with an ellipsis. */
export function fit(s: string, maxChars: number): string {
  const n = Math.max(1, Math.floor(maxChars));
  return s.length <= n ? s : s.slice(0, Math.max(1, n - 1)) + '…';
}

/** A centred message for a screen with nothing to show yet. */
export function placeholder(p: RaphaelPaper, w: number, h: number, s: string, color = COLORS.dim): RaphaelElement {
  return text(p, w / 2, h / 2, s, Math.min(h / 10, w / 18), { anchor: 'middle', fill: color });
}
