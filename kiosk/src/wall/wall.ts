/**
 * The wall display: holds what the hub sent (fleet, active alerts, the spotlighted host's
 * points), runs the slideshow on a 1 s timer, obeys queue commands, and keeps the current
 * screen, the status line and the disconnected banner up to date. Everything is driven by
 * timers and socket events (never requestAnimationFrame alone), so a wall in a background
 * or unfocused window keeps up.
 */
import type { AlertDto, AlertsDelta, AlertsSnapshot } from '../../../protocol/alerts.schema.js';
import type { KioskCommand, KioskDto, KioskScreen } from '../../../protocol/kiosk.schema.js';
import type { HostSummary, LivePoint } from '../../../protocol/live.schema.js';
import { mergeAlerts, type ActiveAlerts } from '../lib/alerts.js';
import { disconnectedText, formatClock } from '../lib/ago.js';
import { applyCommand, type WallState } from '../lib/commands.js';
import { applyFleetDelta, fleetFigures, fleetFromSnapshot, spotlightHost, type Fleet } from '../lib/fleet.js';
import { createSlideshow, remainingMs, show, tick, type Durations } from '../lib/slideshow.js';
import { ApiError, UnauthorizedError, type KioskApi } from '../shared/auth.js';
import { KioskLive } from '../shared/live.js';
import { runCommandLoop } from './queue.js';
import { alertsScreen } from './screens/alerts.js';
import { gaugesScreen } from './screens/gauges.js';
import { rackScreen } from './screens/rack.js';
import type { Screen, ScreenFactory, WallModel } from './screens/screen.js';
import { spotlightScreen, WINDOW_MS } from './screens/spotlight.js';
import { topScreen } from './screens/top.js';

const SCREENS: Record<KioskScreen, ScreenFactory> = { rack: rackScreen, gauges: gaugesScreen, alerts: alertsScreen, top: topScreen, spotlight: spotlightScreen };
const TITLES: Record<KioskScreen, string> = { rack: 'Rack', gauges: 'Gauges', alerts: 'Alerts', top: 'Top load', spotlight: 'Spotlight' };
const ALERTS_POLL_MS = 10_000;

export class Wall {
  private state: WallState;
  private fleet: Fleet | null = null;
  private alerts: ActiveAlerts = new Map();
  private alertsLoaded = false;
  private alertsAvailable = true;
  private alertsPoll: ReturnType<typeof setInterval> | null = null;
  /** The host whose topic is subscribed for the spotlight screen, and its points. */
  private spot: { id: number | null; host: HostSummary | null; points: LivePoint[] } = { id: null, host: null, points: [] };
  private lastUpdateAt: number | null = null;
  private connected = false;
  private current: { name: KioskScreen; screen: Screen } | null = null;
  private renderTimer: ReturnType<typeof setTimeout> | null = null;
  private timers: ReturnType<typeof setInterval>[] = [];
  private stopQueue: () => void = () => {};
  private live: KioskLive;

  constructor(private api: KioskApi, private kiosk: KioskDto, durations: Durations, private els: { screen: HTMLElement; status: HTMLElement; banner: HTMLElement }, onRefused: () => void) {
    this.state = { slideshow: createSlideshow(Date.now(), durations), spotlightHostId: null };
    this.live = new KioskLive(api.token, {
      onStatus: (c) => { this.connected = c; this.paintStatus(); },
      onData: () => { this.lastUpdateAt = Date.now(); },
      onUnauthorized: onRefused,
      checkToken: () => api.me().then(() => true, (err) => { if (err instanceof UnauthorizedError) return false; throw err; }),
    });
  }

  start(): void {
    this.live.subscribe('fleet', {
      snapshot: (d) => { this.fleet = fleetFromSnapshot(d); this.scheduleRender(); },
      delta: (d) => { if (this.fleet) applyFleetDelta(this.fleet, d); this.scheduleRender(); },
    });
    this.live.subscribe('alerts', {
      snapshot: (d) => this.onAlerts(d, 'snapshot'),
      delta: (d) => this.onAlerts(d, 'delta'),
      error: () => this.pollAlerts(),
    });
    this.live.start();
    this.stopQueue = runCommandLoop(this.api, this.kiosk.queue, (c) => this.onCommand(c));
    this.timers.push(setInterval(() => this.second(), 1000));
    let resizeTimer: ReturnType<typeof setTimeout> | null = null;
    window.addEventListener('resize', () => {
      if (resizeTimer) clearTimeout(resizeTimer);
      resizeTimer = setTimeout(() => { this.current?.screen.destroy(); this.current = null; this.render(); }, 150);
    });
    this.render();
  }

  stop(): void {
    this.stopQueue();
    this.live.stop();
    for (const t of this.timers) clearInterval(t);
    if (this.alertsPoll) clearInterval(this.alertsPoll);
    if (this.renderTimer) clearTimeout(this.renderTimer);
  }

  /** Applies a command from the queue. */
  onCommand(cmd: KioskCommand): void {
    this.state = applyCommand(this.state, cmd, Date.now());
    if (cmd.command === 'spotlight') this.retargetSpotlight();
    this.render();
  }

  private onAlerts(d: AlertsSnapshot | AlertsDelta, kind: 'snapshot' | 'delta'): void {
    if (this.alertsPoll) { clearInterval(this.alertsPoll); this.alertsPoll = null; }
    this.alertsAvailable = true;
    this.takeAlerts(d.alerts, kind);
  }

  private takeAlerts(list: AlertDto[], kind: 'snapshot' | 'delta'): void {
    const r = mergeAlerts(this.alerts, list, kind, !this.alertsLoaded);
    this.alerts = r.alerts;
    this.alertsLoaded = true;
    // A new alert starts firing: everyone in the room should see it now.
    if (r.newlyFiring.length) this.state = { ...this.state, slideshow: show(this.state.slideshow, 'alerts', Date.now()) };
    this.scheduleRender();
  }

  /** The hub refused the `alerts` topic: read `GET /api/alerts` every 10 s instead (until a reconnect subscribes again). */
  private pollAlerts(): void {
    if (this.alertsPoll) return;
    const once = async () => {
      try {
        const b = await this.api.json<{ alerts?: AlertDto[] } | AlertDto[]>('GET', '/api/alerts');
        this.alertsAvailable = true;
        this.takeAlerts(Array.isArray(b) ? b : (b.alerts ?? []), 'snapshot');
      } catch (err) {
        if (err instanceof ApiError && (err.status === 404 || err.status === 403)) { this.alertsAvailable = false; this.scheduleRender(); }
      }
    };
    void once();
    this.alertsPoll = setInterval(once, ALERTS_POLL_MS);
  }

  private scheduleRender(): void {
    if (this.renderTimer) return;
    this.renderTimer = setTimeout(() => { this.renderTimer = null; this.render(); }, 250);
  }

  private second(): void {
    const now = Date.now();
    this.state = { ...this.state, slideshow: tick(this.state.slideshow, now) };
    this.render();
  }

  /** Chooses the spotlight's host again (a command named one, or the screen came up). */
  private retargetSpotlight(): void {
    const want = this.fleet ? spotlightHost(this.fleet, this.state.spotlightHostId)?.id ?? null : this.state.spotlightHostId;
    if (want === this.spot.id) return;
    if (this.spot.id !== null) this.live.unsubscribe(`host:${this.spot.id}`);
    this.spot = { id: want, host: null, points: [] };
    if (want === null) return;
    const topic = `host:${want}` as const;
    this.live.subscribe(topic, {
      snapshot: (d) => { if (this.spot.id !== want) return; this.spot.host = d.host; this.spot.points = d.points.slice(-Math.ceil(WINDOW_MS / 1000) - 5); this.scheduleRender(); },
      delta: (d) => {
        if (this.spot.id !== want) return;
        this.spot.host = d.host;
        const pts = this.spot.points.concat(d.points);
        const end = pts.length ? pts[pts.length - 1].t : 0;
        this.spot.points = pts.filter((p) => end - p.t <= WINDOW_MS);
        this.scheduleRender();
      },
    });
  }

  /** Keeps the `host:<id>` subscription only while the spotlight screen is up. */
  private syncSpotlight(screen: KioskScreen): void {
    if (screen !== 'spotlight') {
      if (this.spot.id !== null) { this.live.unsubscribe(`host:${this.spot.id}`); this.spot = { id: null, host: null, points: [] }; }
      return;
    }
    const gone = this.spot.id !== null && this.fleet !== null && !this.fleet.has(this.spot.id);
    if (this.spot.id === null || gone) this.retargetSpotlight();
  }

  private model(now: number): WallModel {
    const fleetHost = this.spot.id !== null ? this.fleet?.get(this.spot.id) ?? null : null;
    return {
      now, fleet: this.fleet, alerts: this.alerts, alertsAvailable: this.alertsAvailable,
      // The fleet entry is at most one live tick newer than the host topic's; either will do, prefer the fleet's state.
      spotlight: { host: fleetHost ?? this.spot.host, points: this.spot.points },
    };
  }

  private render(): void {
    const now = Date.now();
    const name = this.state.slideshow.screen;
    this.syncSpotlight(name);
    const m = this.model(now);
    if (this.current?.name !== name) {
      this.current?.screen.destroy();
      const el = this.els.screen;
      this.current = { name, screen: SCREENS[name](el, el.clientWidth, el.clientHeight, m) };
      document.body.dataset.screen = name;
    } else this.current.screen.update(m);
    if (name === 'spotlight' && m.spotlight.host) document.body.dataset.spotlightHost = String(m.spotlight.host.id);
    else delete document.body.dataset.spotlightHost;
    this.paintStatus(now);
  }

  private paintStatus(now = Date.now()): void {
    const ss = this.state.slideshow;
    const left = remainingMs(ss, now);
    const f = this.fleet ? fleetFigures(this.fleet) : null;
    const parts: [string, string][] = [
      ['brand', `Rackpulse NOC · ${this.kiosk.name}`],
      ['screen', `${TITLES[ss.screen]} ${left === null ? '■ stopped' : `▶ ${Math.ceil(left / 1000)} s`}`],
      ['hosts', f ? `${f.online}/${f.total} hosts online` : 'no data yet'],
      ['clock', formatClock(now)],
    ];
    const st = this.els.status;
    if (st.children.length !== parts.length) st.replaceChildren(...parts.map(([cls]) => Object.assign(document.createElement('span'), { className: cls })));
    parts.forEach(([, t], i) => { if (st.children[i].textContent !== t) st.children[i].textContent = t; });
    document.body.dataset.slideshow = ss.running ? 'running' : 'stopped';
    if (this.lastUpdateAt !== null) document.body.dataset.lastUpdate = String(this.lastUpdateAt);
    const b = this.els.banner;
    b.hidden = this.connected;
    document.body.dataset.connected = String(this.connected);
    if (!this.connected) b.textContent = disconnectedText(this.lastUpdateAt, now);
  }
}
