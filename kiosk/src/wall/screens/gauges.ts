/**
 * Screen `gauges`: three dials — fleet CPU (mean over online hosts), fleet disk (used of
 * size over every disk) and hosts online of total — each a 240° arc whose value arc and
 * figures are redrawn in place.
 */
import type { RaphaelElement } from 'raphael';
import { fleetFigures } from '../../lib/fleet.js';
import { COLORS, levelColor, paper, text, type Screen, type WallModel } from './screen.js';

const START = 150; // degrees, clockwise from 3 o'clock
const SWEEP = 240;

/** SVG path of an arc of the dial from 0 to `frac` (0…1) of its sweep. */
export function arcPath(cx: number, cy: number, r: number, frac: number): string {
  const f = Math.min(1, Math.max(0, frac));
  if (f <= 0) return `M${cx},${cy}`;
  const a0 = (START * Math.PI) / 180;
  const a1 = ((START + SWEEP * Math.min(f, 0.9999)) * Math.PI) / 180;
  const x0 = cx + r * Math.cos(a0), y0 = cy + r * Math.sin(a0);
  const x1 = cx + r * Math.cos(a1), y1 = cy + r * Math.sin(a1);
  const large = SWEEP * f > 180 ? 1 : 0;
  return `M${x0.toFixed(1)},${y0.toFixed(1)}A${r},${r} 0 ${large} 1 ${x1.toFixed(1)},${y1.toFixed(1)}`;
}

interface Dial { arc: RaphaelElement; value: RaphaelElement; detail: RaphaelElement; cx: number; cy: number; r: number }

function formatTiB(bytes: number): string {
  const tb = bytes / 1024 ** 4;
  if (tb >= 1) return `${tb.toFixed(tb >= 100 ? 0 : 1)} TiB`;
  return `${(bytes / 1024 ** 3).toFixed(0)} GiB`;
}

export function gaugesScreen(el: HTMLElement, w: number, h: number, m: WallModel): Screen {
  const p = paper(el, w, h);
  const r = Math.min(w / 3 / 2 - 40, h * 0.36);
  const stroke = Math.max(14, r * 0.16);
  const cy = h * 0.48;
  const labels = ['Fleet CPU', 'Fleet disk', 'Hosts online'];
  const dials: Dial[] = labels.map((label, i) => {
    const cx = (w / 3) * (i + 0.5);
    p.path(arcPath(cx, cy, r, 1)).attr({ stroke: COLORS.grid, 'stroke-width': stroke, 'stroke-linecap': 'round' });
    const arc = p.path(`M${cx},${cy}`).attr({ stroke: COLORS.ok, 'stroke-width': stroke, 'stroke-linecap': 'round' });
    arc.node.setAttribute('data-gauge', ['cpu', 'disk', 'online'][i]);
    const value = text(p, cx, cy, '—', r * 0.42, { anchor: 'middle', weight: 800 });
    text(p, cx, cy + r * 0.95, label, r * 0.17, { anchor: 'middle', fill: COLORS.dim, weight: 700 });
    const detail = text(p, cx, cy + r * 0.42, '', r * 0.13, { anchor: 'middle', fill: COLORS.dim });
    return { arc, value, detail, cx, cy, r };
  });

  function set(d: Dial, frac: number | null, valueText: string, detail: string, color: string): void {
    d.arc.attr({ path: frac === null ? `M${d.cx},${d.cy}` : arcPath(d.cx, d.cy, d.r, frac), stroke: color });
    d.value.attr({ text: valueText });
    d.detail.attr({ text: detail });
  }

  function update(model: WallModel): void {
    if (!model.fleet) return;
    const f = fleetFigures(model.fleet);
    set(dials[0], f.cpuPct === null ? null : f.cpuPct / 100, f.cpuPct === null ? '—' : `${Math.round(f.cpuPct)} %`,
      `mean of ${f.online} online`, levelColor(f.cpuPct));
    set(dials[1], f.diskPct === null ? null : f.diskPct / 100, f.diskPct === null ? '—' : `${Math.round(f.diskPct)} %`,
      f.diskSizeBytes ? `${formatTiB(f.diskUsedBytes)} of ${formatTiB(f.diskSizeBytes)}` : 'no disks', levelColor(f.diskPct));
    const offline = f.total - f.online;
    set(dials[2], f.total ? f.online / f.total : null, `${f.online}/${f.total}`, offline ? `${offline} offline` : 'all online',
      !f.total ? COLORS.dim : offline === 0 ? COLORS.ok : f.online === 0 ? COLORS.bad : COLORS.warn);
  }

  update(m);
  return { update, destroy: () => p.remove() };
}
