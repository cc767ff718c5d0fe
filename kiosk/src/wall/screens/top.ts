/**
 * Screen `top`: the ten online hosts with the highest 1-minute load as horizontal bars
 * (scaled to the busiest, at least 1), coloured by load per CPU; redrawn in place.
 */
import type { RaphaelElement } from 'raphael';
import { topByLoad } from '../../lib/fleet.js';
import { tileLabel } from '../../lib/label.js';
import { COLORS, paper, placeholder, text, type Screen, type WallModel } from './screen.js';

const ROWS = 10;

function perCpuColor(perCpu: number): string {
  return perCpu >= 1 ? COLORS.bad : perCpu >= 0.7 ? COLORS.warn : COLORS.ok;
}

export function topScreen(el: HTMLElement, w: number, h: number, m: WallModel): Screen {
  const p = paper(el, w, h);
  const head = h * 0.1;
  text(p, 24, head / 2, 'Top 10 hosts by load (1 min)', head * 0.45, { weight: 800 });
  const rowH = (h - head - 10) / ROWS;
  const nameW = w * 0.22;
  const barX = 24 + nameW + 16;
  const valueW = w * 0.2;
  const barMax = w - barX - valueW - 24;
  const size = Math.min(rowH * 0.5, 44);
  const rows = Array.from({ length: ROWS }, (_, i) => {
    const y = head + i * rowH;
    const name = text(p, 24, y + rowH / 2, '', size, { weight: 700 });
    p.rect(barX, y + rowH * 0.15, barMax, rowH * 0.7, 4).attr({ fill: COLORS.panel, stroke: 'none' });
    const bar = p.rect(barX, y + rowH * 0.15, 0, rowH * 0.7, 4).attr({ stroke: 'none' });
    const value = text(p, barX + barMax + 16, y + rowH / 2, '', Math.min(size * 0.9, (valueW - 24) / 9), { weight: 700 });
    return { name, bar, value };
  });
  let empty: RaphaelElement | null = null;

  function update(model: WallModel): void {
    const top = model.fleet ? topByLoad(model.fleet, ROWS) : [];
    if (!top.length) empty ??= placeholder(p, w, h, model.fleet ? 'No host online' : 'Waiting for the fleet…');
    else { empty?.remove(); empty = null; }
    const scale = Math.max(1, ...top.map((t) => t.load1));
    rows.forEach((r, i) => {
      const t = top[i];
      r.name.attr({ text: t ? tileLabel(t.name, nameW / (size * 0.6)) : '' });
      r.bar.attr({ width: t ? Math.max(2, (t.load1 / scale) * barMax) : 0, fill: t ? perCpuColor(t.perCpu) : COLORS.panel });
      r.value.attr({ text: t ? `${t.load1.toFixed(2)} · ${t.perCpu.toFixed(2)}/cpu` : '' });
    });
  }

  update(m);
  return { update, destroy: () => p.remove() };
}
