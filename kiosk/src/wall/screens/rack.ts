/**
 * Screen `rack`: every host as a tile coloured by its state (ok, warning, alert, offline),
 * filled from the bottom by its load per CPU (capped at 1), its name on the tile. Tiles are
 * redrawn in place; the grid is laid out again only when hosts come or go.
 */
import type { RaphaelElement, RaphaelPaper } from 'raphael';
import { alertLevels, hostState, loadFill, loadPerCpu, STATE_COLORS, type HostState } from '../../lib/hoststate.js';
import { sortedHosts } from '../../lib/fleet.js';
import { cellAt, tileGrid, type Cell } from '../../lib/grid.js';
import { tileLabel } from '../../lib/label.js';
import { COLORS, paper, placeholder, text, type Screen, type WallModel } from './screen.js';

interface Tile { cell: Cell; frame: RaphaelElement; fill: RaphaelElement; name: RaphaelElement; value: RaphaelElement | null; state: HostState | null }

const LEGEND: [HostState, string][] = [['ok', 'ok'], ['warning', 'warning'], ['alert', 'alert'], ['offline', 'offline']];

export function rackScreen(el: HTMLElement, w: number, h: number, m: WallModel): Screen {
  const p: RaphaelPaper = paper(el, w, h);
  const head = Math.round(h * 0.08);
  let tiles = new Map<number, Tile>();
  let layoutKey = '';

  // Header: host count, then a legend with the count in each state (updated in place).
  const fsize = Math.min(head * 0.42, w / 48);
  const summary = text(p, 16, head / 2, '', fsize, { weight: 700 });
  const legend = new Map<HostState, RaphaelElement>();
  LEGEND.forEach(([state], i) => {
    const x = 16 + fsize * 8 + i * fsize * 8.5;
    p.rect(x, head / 2 - fsize / 2, fsize, fsize, 3).attr({ fill: STATE_COLORS[state].fill, stroke: 'none' });
    legend.set(state, text(p, x + fsize * 1.4, head / 2, '', fsize, { weight: 600 }));
  });
  let waiting: RaphaelElement | null = null;

  function layout(ids: number[]): void {
    for (const t of tiles.values()) { t.frame.remove(); t.fill.remove(); t.name.remove(); t.value?.remove(); }
    tiles = new Map();
    const areaH = h - head - 8;
    const g = tileGrid(ids.length, w - 16, areaH);
    ids.forEach((id, i) => {
      const c = cellAt(g, i, w - 16, areaH);
      const cell = { ...c, x: c.x + 8, y: c.y + head };
      const frame = p.rect(cell.x, cell.y, cell.w, cell.h, Math.min(8, cell.h / 8));
      const fill = p.rect(cell.x, cell.y + cell.h, cell.w, 0).attr({ stroke: 'none', 'fill-opacity': 0.6 });
      const nameSize = Math.min(cell.h * 0.3, 72);
      const name = text(p, cell.x + cell.w / 2, cell.y + cell.h * (cell.h > 44 ? 0.4 : 0.5), '', nameSize, { anchor: 'middle', weight: 700 });
      const value = cell.h > 44 ? text(p, cell.x + cell.w / 2, cell.y + cell.h * 0.72, '', Math.min(cell.h * 0.2, 44), { anchor: 'middle', weight: 600 }) : null;
      frame.node.setAttribute('data-host', String(id));
      tiles.set(id, { cell, frame, fill, name, value, state: null });
    });
  }

  function update(model: WallModel): void {
    if (!model.fleet) { waiting ??= placeholder(p, w, h, 'Waiting for the fleet…'); return; }
    waiting?.remove(); waiting = null;
    const hosts = sortedHosts(model.fleet);
    const key = hosts.map((x) => x.id).join(',');
    if (key !== layoutKey) { layoutKey = key; layout(hosts.map((x) => x.id)); }
    const levels = alertLevels(model.alerts.values());
    const counts: Record<HostState, number> = { ok: 0, warning: 0, alert: 0, offline: 0 };
    for (const host of hosts) {
      const t = tiles.get(host.id)!;
      const state = hostState(host, levels);
      counts[state]++;
      const c = STATE_COLORS[state];
      const f = loadFill(host);
      const fh = Math.round(t.cell.h * f);
      if (t.state !== state) {
        t.frame.attr({ fill: c.tile, stroke: c.fill, 'stroke-width': Math.max(1, Math.min(3, t.cell.h / 20)) });
        t.frame.node.setAttribute('data-state', state);
        t.fill.attr({ fill: c.fill });
        t.name.attr({ fill: c.text });
        t.value?.attr({ fill: c.text });
        t.state = state;
      }
      t.fill.attr({ y: t.cell.y + t.cell.h - fh, height: fh });
      const size = Number(t.name.attr('font-size'));
      t.name.attr({ text: tileLabel(host.name, (t.cell.w * 0.92) / (size * 0.6)) });
      if (t.value) {
        const l = loadPerCpu(host);
        t.value.attr({ text: !host.online ? 'offline' : l === null ? '—' : `${l.toFixed(2)} /cpu` });
      }
    }
    summary.attr({ text: `${hosts.length} hosts` });
    for (const [state, label] of LEGEND) legend.get(state)!.attr({ text: `${label} ${counts[state]}` });
  }

  update(m);
  return { update, destroy: () => p.remove() };
}
