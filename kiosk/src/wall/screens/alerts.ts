/**
 * Screen `alerts`: the firing and pending alerts, newest first — severity colour, host,
 * message, since when, and who acknowledged. As many rows as fit; the rest counted.
 */
import type { RaphaelElement } from 'raphael';
import type { AlertDto } from '../../../../protocol/alerts.schema.js';
import { sortedAlerts } from '../../lib/alerts.js';
import { formatAge, formatClock } from '../../lib/ago.js';
import { SEVERITY_COLORS } from '../../lib/hoststate.js';
import { COLORS, fit, paper, placeholder, text, type Screen, type WallModel } from './screen.js';

function sinceText(a: AlertDto, now: number): string {
  const at = a.state === 'firing' ? (a.firingAt ?? a.startedAt) : a.startedAt;
  return `${a.state} since ${formatClock(at)} (${formatAge(now - at)})`;
}

export function alertsScreen(el: HTMLElement, w: number, h: number, m: WallModel): Screen {
  const p = paper(el, w, h);
  const head = h * 0.1;
  const title = text(p, 24, head / 2, 'Alerts', head * 0.45, { weight: 800 });
  const rowH = Math.max(90, h / 7.5);
  const maxRows = Math.floor((h - head - rowH * 0.4) / rowH);
  const big = Math.min(rowH * 0.34, 52);
  const small = Math.min(rowH * 0.24, 36);
  let drawn: RaphaelElement[] = [];
  let lastKey = '';

  function update(model: WallModel): void {
    const list = sortedAlerts(model.alerts);
    const firing = list.filter((a) => a.state === 'firing').length;
    title.attr({ text: `Alerts — ${firing} firing, ${list.length - firing} pending` });
    // Rebuilt only when something shown changes (the age text changes once a minute at most past 60 s).
    const key = list.slice(0, maxRows).map((a) => `${a.id}:${a.state}:${a.ackedBy}:${a.message}:${sinceText(a, model.now)}`).join('|') + `#${list.length}:${model.alertsAvailable}`;
    if (key === lastKey) return;
    lastKey = key;
    for (const e of drawn) e.remove();
    drawn = [];
    if (!model.alertsAvailable) { drawn.push(placeholder(p, w, h, 'Alerts are not available from the hub')); return; }
    if (!list.length) { drawn.push(placeholder(p, w, h, '✓ No active alerts', COLORS.ok)); return; }
    const chars = (px: number, size: number) => px / (size * 0.58);
    list.slice(0, maxRows).forEach((a, i) => {
      const y = head + i * rowH;
      const color = SEVERITY_COLORS[a.severity];
      const bg = p.rect(16, y + 4, w - 32, rowH - 8, 6).attr({ fill: a.state === 'firing' ? '#1d1417' : COLORS.panel, stroke: 'none' });
      bg.node.setAttribute('data-alert', String(a.id));
      bg.node.setAttribute('data-kind', a.kind);
      bg.node.setAttribute('data-host', String(a.hostId));
      const bar = p.rect(16, y + 4, 14, rowH - 8, 3).attr({ fill: color, stroke: 'none', 'fill-opacity': a.state === 'firing' ? 1 : 0.45 });
      const sev = text(p, 48, y + rowH * 0.32, a.severity.toUpperCase(), small, { fill: color, weight: 800 });
      const host = text(p, 48 + small * 7, y + rowH * 0.32, fit(a.hostName, chars(w * 0.3, big)), big, { weight: 800 });
      const since = text(p, w - 36, y + rowH * 0.32, sinceText(a, model.now), small, { anchor: 'end', fill: COLORS.dim });
      const msg = text(p, 48, y + rowH * 0.7, fit(a.message, chars(w * 0.62, small)), small, { weight: 600 });
      const ack = text(p, w - 36, y + rowH * 0.7, a.ackedBy ? `acknowledged by ${fit(a.ackedBy, 28)}` : 'not acknowledged', small,
        { anchor: 'end', fill: a.ackedBy ? COLORS.ok : COLORS.warn, weight: 700 });
      drawn.push(bg, bar, sev, host, since, msg, ack);
    });
    if (list.length > maxRows) drawn.push(text(p, w / 2, head + maxRows * rowH + rowH * 0.2, `+ ${list.length - maxRows} more`, small, { anchor: 'middle', fill: COLORS.dim }));
  }

  update(m);
  return { update, destroy: () => p.remove() };
}
