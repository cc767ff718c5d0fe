/**
 * Screen `spotlight`: one host in depth — live graphs of the last minutes of 1 s points
 * (load, CPU, memory, network) as Raphaël paths whose `path` attribute is replaced in place
 * on every update, with the current figures beside each title.
 */
import type { RaphaelElement } from 'raphael';
import type { HostSummary, LivePoint } from '../../../../protocol/live.schema.js';
import { alertLevels, hostState, STATE_COLORS } from '../../lib/hoststate.js';
import { COLORS, fit, paper, placeholder, text, type Screen, type WallModel } from './screen.js';

/** How much history the graphs show, ms. */
export const WINDOW_MS = 5 * 60 * 1000;

interface Series { get(p: LivePoint): number; color: string }
interface Panel { title: string; series: Series[]; max(points: LivePoint[], host: HostSummary): number; format(p: LivePoint, host: HostSummary): string }

function rate(bps: number): string {
  const units = ['B/s', 'KiB/s', 'MiB/s', 'GiB/s'];
  let v = bps, i = 0;
  while (v >= 1024 && i < units.length - 1) { v /= 1024; i++; }
  return `${v.toFixed(v >= 100 || i === 0 ? 0 : 1)} ${units[i]}`;
}

const memPct = (p: LivePoint) => (p.memTotalBytes > 0 ? (p.memUsedBytes / p.memTotalBytes) * 100 : 0);

const PANELS: Panel[] = [
  { title: 'Load (1 min)', series: [{ get: (p) => p.load1, color: '#39a0ff' }],
    max: (pts, h) => Math.max(h.cpus ?? 1, ...pts.map((p) => p.load1)) * 1.1, format: (p, h) => `${p.load1.toFixed(2)} · ${(p.load1 / Math.max(1, h.cpus ?? 1)).toFixed(2)}/cpu` },
  { title: 'CPU', series: [{ get: (p) => p.cpuPct, color: '#2fbf5b' }], max: () => 100, format: (p) => `${Math.round(p.cpuPct)} %` },
  { title: 'Memory', series: [{ get: memPct, color: '#c77dff' }], max: () => 100,
    format: (p) => `${Math.round(memPct(p))} % of ${(p.memTotalBytes / 1024 ** 3).toFixed(0)} GiB` },
  { title: 'Network', series: [{ get: (p) => p.netRxBps, color: '#f2c200' }, { get: (p) => p.netTxBps, color: '#ff8c42' }],
    max: (pts) => Math.max(1024, ...pts.map((p) => Math.max(p.netRxBps, p.netTxBps))) * 1.1, format: (p) => `↓ ${rate(p.netRxBps)}  ↑ ${rate(p.netTxBps)}` },
];

/** The SVG path of `points` in a box (x by time relative to `end`, y by value of 0…max), or '' with fewer than two. */
export function seriesPath(points: LivePoint[], get: (p: LivePoint) => number, box: { x: number; y: number; w: number; h: number }, max: number, end: number): string {
  const parts: string[] = [];
  for (const p of points) {
    const age = end - p.t;
    if (age > WINDOW_MS) continue;
    const x = box.x + box.w * (1 - age / WINDOW_MS);
    const v = Math.min(max, Math.max(0, get(p)));
    const y = box.y + box.h - (v / (max || 1)) * box.h;
    parts.push(`${parts.length ? 'L' : 'M'}${x.toFixed(1)},${y.toFixed(1)}`);
  }
  return parts.length >= 2 ? parts.join('') : '';
}

export function spotlightScreen(el: HTMLElement, w: number, h: number, m: WallModel): Screen {
  const p = paper(el, w, h);
  const head = h * 0.12;
  const name = text(p, 24, head * 0.45, '', head * 0.42, { weight: 800 });
  const sub = text(p, 24, head * 0.85, '', head * 0.2, { fill: COLORS.dim });
  const badge = p.rect(w - 230, head * 0.2, 206, head * 0.5, 8).attr({ stroke: 'none' });
  const badgeText = text(p, w - 127, head * 0.45, '', head * 0.26, { anchor: 'middle', weight: 800 });
  const gap = 16;
  const pw = (w - 24 * 2 - gap) / 2;
  const ph = (h - head - gap - 12) / 2;
  const titleSize = Math.min(ph * 0.11, 34, pw / 24);
  const panels = PANELS.map((panel, i) => {
    const x = 24 + (i % 2) * (pw + gap);
    const y = head + Math.floor(i / 2) * (ph + gap);
    p.rect(x, y, pw, ph, 8).attr({ fill: COLORS.panel, stroke: 'none' });
    text(p, x + 16, y + titleSize * 0.9, panel.title, titleSize, { fill: COLORS.dim, weight: 700 });
    const value = text(p, x + pw - 16, y + titleSize * 0.9, '', titleSize, { anchor: 'end', weight: 800 });
    const box = { x: x + 12, y: y + titleSize * 2, w: pw - 24, h: ph - titleSize * 2 - 12 };
    for (const f of [0.25, 0.5, 0.75]) p.path(`M${box.x},${(box.y + box.h * f).toFixed(1)}H${box.x + box.w}`).attr({ stroke: COLORS.grid, 'stroke-width': 1 });
    const paths = panel.series.map((s) => p.path('').attr({ stroke: s.color, 'stroke-width': 3, 'stroke-linejoin': 'round' }));
    paths[0].node.setAttribute('data-graph', panel.title);
    // The figure gets the room the title leaves (its font shrinks rather than overlap).
    const room = pw - 48 - panel.title.length * titleSize * 0.62;
    return { panel, value, box, paths, room };
  });
  let empty: RaphaelElement | null = null;

  function update(model: WallModel): void {
    const host = model.spotlight.host;
    if (!host) { empty ??= placeholder(p, w, h, model.fleet ? 'No host to show' : 'Waiting for the fleet…'); return; }
    empty?.remove(); empty = null;
    p.canvas.setAttribute('data-host', String(host.id));
    const state = hostState(host, alertLevels(model.alerts.values()));
    name.attr({ text: fit(host.name, (w - 300) / (head * 0.42 * 0.6)) });
    sub.attr({ text: [host.hostname, host.cpus ? `${host.cpus} CPUs` : null, host.agentVersion ? `agent ${host.agentVersion}` : null].filter(Boolean).join(' · ') });
    badge.attr({ fill: STATE_COLORS[state].fill });
    badgeText.attr({ text: state.toUpperCase(), fill: state === 'warning' ? '#000000' : '#ffffff' });
    const pts = model.spotlight.points;
    const last = pts[pts.length - 1];
    const end = last ? last.t : model.now;
    const shown = pts.filter((q) => end - q.t <= WINDOW_MS);
    for (const { panel, value, box, paths, room } of panels) {
      const max = panel.max(shown, host);
      panel.series.forEach((s, i) => paths[i].attr({ path: seriesPath(shown, s.get, box, max, end) }));
      const v = last ? panel.format(last, host) : '—';
      value.attr({ text: v, 'font-size': Math.round(Math.max(10, Math.min(titleSize, room / (v.length * 0.62)))) });
    }
  }

  update(m);
  return { update, destroy: () => p.remove() };
}
