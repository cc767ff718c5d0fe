/**
 * The touchscreen controller: big buttons that push KioskCommand messages to the kiosk's
 * queue (the only way it drives the wall), the fleet as tappable tiles (tap: spotlight that
 * host), and the active alerts with an acknowledge button when the kiosk may acknowledge.
 * Every tap says how it went (sent ✓ / failed).
 */
import type { AlertDto } from '../../../protocol/alerts.schema.js';
import { KIOSK_SCREENS, kioskCommandSchema, type KioskCommand, type KioskDto } from '../../../protocol/kiosk.schema.js';
import { mergeAlerts, sortedAlerts, type ActiveAlerts } from '../lib/alerts.js';
import { formatAge } from '../lib/ago.js';
import { applyFleetDelta, fleetFromSnapshot, sortedHosts, type Fleet } from '../lib/fleet.js';
import { alertLevels, hostState, loadPerCpu, STATE_COLORS } from '../lib/hoststate.js';
import { UnauthorizedError, type KioskApi } from '../shared/auth.js';
import { KioskLive } from '../shared/live.js';

const SCREEN_LABELS = { rack: 'Rack', gauges: 'Gauges', alerts: 'Alerts', top: 'Top load', spotlight: 'Spotlight' } as const;

function el<K extends keyof HTMLElementTagNameMap>(tag: K, props: Partial<HTMLElementTagNameMap[K]> & { dataset?: Record<string, string> } = {}, ...children: (Node | string)[]): HTMLElementTagNameMap[K] {
  const { dataset, ...rest } = props;
  const e = Object.assign(document.createElement(tag), rest);
  if (dataset) Object.assign(e.dataset, dataset);
  e.append(...children);
  return e;
}

export class Controller {
  private fleet: Fleet | null = null;
  private alerts: ActiveAlerts = new Map();
  private alertsPoll: ReturnType<typeof setInterval> | null = null;
  private live: KioskLive;
  private toast = el('div', { className: 'toast' });
  private conn = el('span', { className: 'conn' });
  private hostsBox = el('div', { className: 'hosts' });
  private alertsBox = el('div', { className: 'alerts' });
  private toastTimer: ReturnType<typeof setTimeout> | null = null;
  private renderTimer: ReturnType<typeof setTimeout> | null = null;
  private alertsKey: string | null = null;

  constructor(private api: KioskApi, private kiosk: KioskDto, private root: HTMLElement, onRefused: () => void) {
    this.live = new KioskLive(api.token, {
      onStatus: (c) => { this.conn.textContent = c ? '● live' : '○ reconnecting…'; this.conn.classList.toggle('down', !c); },
      onUnauthorized: onRefused,
      checkToken: () => api.me().then(() => true, (err) => { if (err instanceof UnauthorizedError) return false; throw err; }),
    });
  }

  start(): void {
    this.toast.setAttribute('role', 'status');
    const cmd = (label: string, c: KioskCommand, cls = '') => {
      const b = el('button', { type: 'button', className: `btn ${cls}`, textContent: label, dataset: { command: c.command } });
      b.addEventListener('click', () => void this.send(c, b, label));
      return b;
    };
    this.root.replaceChildren(
      el('header', {}, el('h1', { textContent: `NOC controller · ${this.kiosk.name}` }), this.conn),
      this.toast,
      el('section', { className: 'transport' },
        cmd('◀ Previous', { command: 'prev' }), cmd('■ Stop', { command: 'stop' }, 'stop'),
        cmd('▶ Start', { command: 'start' }, 'start'), cmd('Next ▶', { command: 'next' })),
      el('section', { className: 'screens' }, ...KIOSK_SCREENS.map((s) => {
        const b = cmd(SCREEN_LABELS[s], { command: 'show', screen: s });
        b.dataset.screen = s;
        return b;
      })),
      el('h2', { textContent: 'Hosts — tap to spotlight' }), this.hostsBox,
      el('h2', { textContent: 'Active alerts' }), this.alertsBox,
    );
    this.hostsBox.textContent = 'Waiting for the fleet…';
    this.live.subscribe('fleet', {
      snapshot: (d) => { this.fleet = fleetFromSnapshot(d); this.schedule(); },
      delta: (d) => { if (this.fleet) applyFleetDelta(this.fleet, d); this.schedule(); },
    });
    this.live.subscribe('alerts', {
      snapshot: (d) => { this.stopPoll(); this.alerts = mergeAlerts(this.alerts, d.alerts, 'snapshot', true).alerts; this.schedule(); },
      delta: (d) => { this.alerts = mergeAlerts(this.alerts, d.alerts, 'delta', true).alerts; this.schedule(); },
      error: () => this.pollAlerts(),
    });
    this.live.start();
    this.render();
  }

  stop(): void { this.live.stop(); this.stopPoll(); }

  private stopPoll(): void { if (this.alertsPoll) { clearInterval(this.alertsPoll); this.alertsPoll = null; } }

  /** The hub refused the `alerts` topic: read `GET /api/alerts` every 10 s instead. */
  private pollAlerts(): void {
    if (this.alertsPoll) return;
    const once = () => this.api.json<{ alerts?: AlertDto[] } | AlertDto[]>('GET', '/api/alerts').then((b) => {
      this.alerts = mergeAlerts(this.alerts, Array.isArray(b) ? b : (b.alerts ?? []), 'snapshot', true).alerts;
      this.schedule();
    }, () => {});
    void once();
    this.alertsPoll = setInterval(once, 10_000);
  }

  /** Pushes one command to the kiosk's queue and says how it went. */
  private async send(c: KioskCommand, button: HTMLElement, label: string): Promise<void> {
    const body = kioskCommandSchema.parse(c);
    await this.feedback(button, label, () => this.api.request('POST', `/api/queues/${encodeURIComponent(this.kiosk.queue)}/messages`, { body }));
  }

  private async ack(a: AlertDto, button: HTMLElement): Promise<void> {
    await this.feedback(button, `acknowledge ${a.hostName}`, () => this.api.request('POST', `/api/alerts/${a.id}/ack`, {}));
  }

  private async feedback(button: HTMLElement, label: string, act: () => Promise<unknown>): Promise<void> {
    button.dataset.feedback = 'pending';
    try {
      await act();
      button.dataset.feedback = 'sent';
      this.say(`${label} — sent ✓`, 'ok');
    } catch (err) {
      button.dataset.feedback = 'failed';
      this.say(`${label} — failed: ${(err as Error).message}`, 'bad');
    }
  }

  private say(text: string, kind: 'ok' | 'bad'): void {
    this.toast.textContent = text;
    this.toast.className = `toast show ${kind}`;
    if (this.toastTimer) clearTimeout(this.toastTimer);
    this.toastTimer = setTimeout(() => { this.toast.className = 'toast'; }, 4000);
  }

  private schedule(): void {
    if (this.renderTimer) return;
    this.renderTimer = setTimeout(() => { this.renderTimer = null; this.render(); }, 200);
  }

  private render(): void {
    const levels = alertLevels(this.alerts.values());
    if (this.fleet) {
      const hosts = sortedHosts(this.fleet);
      // Tiles are kept (a tap in progress keeps its element); only their text and colours change.
      const existing = new Map(Array.from(this.hostsBox.querySelectorAll<HTMLButtonElement>('button[data-host]')).map((b) => [Number(b.dataset.host), b]));
      if (existing.size !== hosts.length || hosts.some((h) => !existing.has(h.id))) {
        this.hostsBox.replaceChildren(...hosts.map((h) => {
          const b = el('button', { type: 'button', className: 'tile', dataset: { host: String(h.id) } });
          b.addEventListener('click', () => void this.send({ command: 'spotlight', args: { hostId: h.id } }, b, `spotlight ${h.name}`));
          existing.set(h.id, b);
          return b;
        }));
      }
      for (const h of hosts) {
        const b = existing.get(h.id)!;
        const state = hostState(h, levels);
        const l = loadPerCpu(h);
        b.dataset.state = state;
        b.style.background = STATE_COLORS[state].tile;
        b.style.borderColor = STATE_COLORS[state].fill;
        const text = `${h.name}\n${h.online ? (l === null ? '—' : `${l.toFixed(2)}/cpu`) : 'offline'}`;
        if (b.textContent !== text) b.textContent = text;
      }
      if (!hosts.length) this.hostsBox.textContent = 'No hosts yet.';
    }
    const list = sortedAlerts(this.alerts);
    const now = Date.now();
    const when = (a: AlertDto) => `${a.state} for ${formatAge(now - a.startedAt)}${a.ackedBy ? ` · acknowledged by ${a.ackedBy}` : ''}`;
    // Rows are rebuilt only when the alerts themselves change (a tap on a button in progress keeps its element).
    const key = list.map((a) => `${a.id}:${a.state}:${a.ackedBy}`).join('|');
    if (key === this.alertsKey) {
      for (const a of list) {
        const row = this.alertsBox.querySelector(`[data-alert="${a.id}"]`);
        const w = row?.querySelector('.when'), m = row?.querySelector('.msg');
        if (w) w.textContent = when(a);
        if (m) m.textContent = ` ${a.message}`;
      }
      return;
    }
    this.alertsKey = key;
    this.alertsBox.replaceChildren(...(list.length ? list.map((a) => {
      const row = el('div', { className: `alert ${a.severity} ${a.state}`, dataset: { alert: String(a.id) } },
        el('div', { className: 'what' },
          el('strong', { textContent: a.hostName }), el('span', { className: 'msg', textContent: ` ${a.message}` }),
          el('div', { className: 'when', textContent: when(a) })));
      if (this.kiosk.canAck && !a.ackedBy) {
        const b = el('button', { type: 'button', className: 'btn ack', textContent: 'Acknowledge' });
        b.addEventListener('click', () => void this.ack(a, b));
        row.append(b);
      }
      return row;
    }) : [el('p', { className: 'none', textContent: 'No active alerts.' })]));
  }
}
