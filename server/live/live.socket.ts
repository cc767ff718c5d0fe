/**
 * The `/live` namespace: dashboards authenticate with their session cookie,
 * subscribe to topics and get a snapshot, then coalesced deltas every
 * LIVE_INTERVAL_MS (with several hubs, another hub's host changes are pushed
 * as soon as they arrive: that hub coalesced them on its own tick). A client whose socket is backed up is skipped (its
 * deltas are not queued) and gets a fresh snapshot once it drains, so a slow
 * client never makes the hub's memory grow.
 */
import type { Namespace, Server, Socket } from 'socket.io';
import {
  subscribeSchema, type DeltaMessage, type LiveClientToServerEvents, type LivePoint, type LiveServerToClientEvents,
  type SnapshotMessage, type SubscribeReply, type Topic, type AlertDto, type HostSummary,
} from '../../protocol/index.js';
import type { User } from '../db/entities.js';
import { hashToken } from '../auth/secrets.js';
import { readCookie, SESSION_COOKIE, type SessionService } from '../auth/session.service.js';
import type { FleetState } from '../ingest/fleet.state.js';
import type { Logger } from '../logger.js';
import type { HubMetrics } from '../metrics.js';
import type { AccountsService } from '../accounts/accounts.service.js';
import type { Kiosk } from '../kiosk/kiosk.entities.js';
import type { KioskService } from '../kiosk/kiosk.service.js';
import type { AlertsService } from '../alerts/alerts.service.js';

/** Who is on a socket: a signed-in user (session cookie) or a NOC kiosk (`auth: { kioskToken }`). */
interface Viewer { user: User | null; kiosk: Kiosk | null }
type LiveSocket = Socket<LiveClientToServerEvents, LiveServerToClientEvents, Record<string, never>, Viewer & { sessionId: string; resync: Set<Topic> }>;

/** Packets waiting in a socket's buffer beyond which it counts as backed up. */
const BACKLOG_LIMIT = 32;
/** New points kept per host between two ticks (more are dropped; the ring has them). */
const MAX_PENDING_POINTS = 900;

export class LiveGateway {
  readonly nsp: Namespace<LiveClientToServerEvents, LiveServerToClientEvents>;
  private dirtyHosts = new Set<number>();
  private removedHosts = new Set<number>();
  private newPoints = new Map<number, LivePoint[]>();
  private dirtyAccounts = new Set<number>();
  private dirtyAlerts = new Map<number, AlertDto>();
  private alerts: AlertsService | null = null;
  private timer: NodeJS.Timeout | null = null;
  private lastSweep = 0;
  private tickHooks: ((now: number) => void)[] = [];

  constructor(io: Server, private sessions: SessionService, private fleet: FleetState, private accounts: AccountsService,
    private log: Logger, private metrics: HubMetrics, private intervalMs: number, kiosks: KioskService) {
    this.nsp = io.of('/live') as any;
    this.nsp.use((socket, next) => {
      const refuse = () => { this.metrics.authFailures.inc({ surface: 'live' }); next(Object.assign(new Error('unauthorized'), { data: { code: 'unauthorized' } })); };
      const unavailable = () => next(Object.assign(new Error('unavailable'), { data: { code: 'unavailable' } }));
      socket.data.resync = new Set();
      const kioskToken = (socket.handshake.auth as { kioskToken?: unknown } | undefined)?.kioskToken;
      if (kioskToken !== undefined) {
        if (typeof kioskToken !== 'string') return refuse();
        kiosks.authenticate(kioskToken).then((kiosk) => {
          if (!kiosk) return refuse();
          socket.data.user = null; socket.data.kiosk = kiosk; socket.data.sessionId = '';
          next();
        }, unavailable);
        return;
      }
      const token = readCookie(socket.handshake.headers.cookie, SESSION_COOKIE);
      this.sessions.userOf(token).then((user) => {
        if (!user) return refuse();
        socket.data.user = user; socket.data.kiosk = null;
        socket.data.sessionId = hashToken(token!);
        next();
      }, unavailable);
    });
    this.nsp.on('connection', (s) => this.onConnection(s as LiveSocket));
    fleet.onChange((id, points) => {
      this.dirtyHosts.add(id);
      if (points?.length) {
        let arr = this.newPoints.get(id);
        if (!arr) this.newPoints.set(id, (arr = []));
        for (const p of points) arr.push(p);
        if (arr.length > MAX_PENDING_POINTS) arr.splice(0, arr.length - MAX_PENDING_POINTS);
      }
    });
    fleet.onRemove((id) => { this.removedHosts.add(id); this.dirtyHosts.delete(id); this.newPoints.delete(id); });
    accounts.onChange((id) => this.dirtyAccounts.add(id));
    // Signing out ends that browser's live feed too.
    sessions.onEnd((sid) => { for (const s of this.nsp.sockets.values() as IterableIterator<LiveSocket>) if (s.data.sessionId === sid) s.disconnect(true); });
    // So does revoking a kiosk.
    kiosks.onRevoke((id) => { for (const s of [...this.nsp.sockets.values()] as LiveSocket[]) if (s.data.kiosk?.id === id) s.disconnect(true); });
  }

  /** Serve the `alerts` topic: a snapshot, then the changed alerts coalesced per tick, filtered per viewer. */
  attachAlerts(alerts: AlertsService): void {
    this.alerts = alerts;
    alerts.onChange((a) => this.dirtyAlerts.set(a.id, a));
  }

  /** Admins and kiosks see every alert; a customer only their own accounts' alerts. */
  private alertVisible(who: Viewer, a: AlertDto): boolean {
    if (who.kiosk || who.user?.role === 'admin') return true;
    return a.accountId !== null && who.user !== null && this.alerts?.ownerOf(a.accountId) === who.user.id;
  }

  private firingFor(who: Viewer): number {
    if (who.kiosk || who.user?.role === 'admin') return this.alerts?.firing ?? 0;
    return (this.alerts?.snapshot() ?? []).filter((a) => a.state === 'firing' && this.alertVisible(who, a)).length;
  }

  /** Run `fn` at the start of every tick (several hubs: the fleet mirror publishes to the other hubs on the same beat). */
  onTick(fn: (now: number) => void): void { this.tickHooks.push(fn); }

  start(): void { this.timer = setInterval(() => this.tick(), this.intervalMs); }
  stop(): void { if (this.timer) clearInterval(this.timer); this.timer = null; }

  private onConnection(socket: LiveSocket): void {
    this.metrics.dashboards.inc();
    socket.on('disconnect', () => this.metrics.dashboards.dec());
    const handle = (kind: 'subscribe' | 'unsubscribe') => async (raw: unknown, reply: unknown) => {
      const cb = (typeof reply === 'function' ? reply : () => {}) as (r: SubscribeReply) => void;
      const r = subscribeSchema.safeParse(raw);
      if (!r.success) return cb({ ok: false, error: { code: 'bad_request', message: r.error.issues[0].message } });
      const topic = r.data.topic as Topic;
      if (kind === 'unsubscribe') { socket.leave(topic); socket.data.resync.delete(topic); return cb({ ok: true }); }
      try {
        const snap = await this.snapshot(topic, socket.data);
        if (!snap) return cb({ ok: false, error: { code: 'not_found', message: 'no such topic or not allowed' } });
        socket.join(topic);
        cb({ ok: true });
        socket.emit('snapshot', snap);
      } catch (err: any) {
        this.log.error({ err: err?.message, topic }, 'snapshot failed');
        cb({ ok: false, error: { code: 'internal', message: 'internal error' } });
      }
    };
    socket.on('subscribe', handle('subscribe'));
    socket.on('unsubscribe', handle('unsubscribe'));
  }

  /**
   * The snapshot of a topic for a viewer, or null when the topic does not exist or the viewer may not see it
   * (indistinguishable on purpose). Admins see everything; a kiosk the fleet, hosts and alerts, never an
   * account; a customer only their own accounts.
   */
  private async snapshot(topic: Topic, who: Viewer): Promise<SnapshotMessage | null> {
    const fleetReader = who.user?.role === 'admin' || who.kiosk !== null;
    if (topic === 'alerts') {
      if (!this.alerts) return null;
      return { topic, data: { alerts: this.alerts.snapshot().filter((a) => this.alertVisible(who, a)), firing: this.firingFor(who) } };
    }
    if (topic === 'fleet') {
      if (!fleetReader) return null;
      return { topic, data: { hosts: [...this.fleet.hosts.values()].map((h) => this.fleet.summary(h)) } };
    }
    const [kind, idText] = topic.split(':');
    const id = Number(idText);
    if (kind === 'host') {
      const rt = this.fleet.hosts.get(id);
      if (!rt || !fleetReader) return null;
      return { topic: topic as `host:${number}`, data: { host: this.fleet.summary(rt), points: rt.ring.toArray() } };
    }
    const user = who.user;
    if (!user) return null;
    const account = await this.accounts.state(id);
    if (!account || (user.role !== 'admin' && account.ownerId !== user.id)) return null;
    return { topic: topic as `account:${number}`, data: { account } };
  }

  private backedUp(s: LiveSocket): boolean {
    return ((s.conn as any).writeBuffer?.length ?? 0) > BACKLOG_LIMIT;
  }

  /** Send `msg` to the topic's room, skipping backed-up sockets (they are marked for a fresh snapshot). */
  private publish(topic: Topic, msg: DeltaMessage): void {
    const room = this.nsp.adapter.rooms.get(topic);
    if (!room?.size) return;
    const skip: string[] = [];
    for (const id of room) {
      const s = this.nsp.sockets.get(id) as LiveSocket | undefined;
      if (s && (s.data.resync.has(topic) || this.backedUp(s))) { s.data.resync.add(topic); skip.push(id); }
    }
    // Local sockets only: with several hubs every hub pushes to its own dashboards from its mirror of the fleet.
    (skip.length ? this.nsp.local.to(topic).except(skip) : this.nsp.local.to(topic)).emit('delta', msg);
  }

  private async resync(): Promise<void> {
    for (const s of this.nsp.sockets.values() as IterableIterator<LiveSocket>) {
      if (!s.data.resync.size || this.backedUp(s)) continue;
      for (const topic of [...s.data.resync]) {
        s.data.resync.delete(topic);
        if (!s.rooms.has(topic)) continue;
        const snap = await this.snapshot(topic, s.data).catch(() => null);
        if (snap) s.emit('snapshot', snap);
      }
    }
  }

  /**
   * Push these hosts' changes now rather than on the next tick: several hubs, another hub's update,
   * coalesced on that hub's tick already. A host with nothing pending is skipped.
   */
  pushHosts(ids: number[]): void {
    const pending = ids.filter((id) => this.dirtyHosts.delete(id));
    if (pending.length) this.pushHostsOf(pending, []);
  }

  /** One delta on `fleet` for all of `ids` (and the removed hosts), one on each `host:<id>` followed. */
  private pushHostsOf(ids: number[], removed: number[]): void {
    const rooms = this.nsp.adapter.rooms;
    const toFleet = !!rooms.get('fleet')?.size;
    const hosts: HostSummary[] = [];
    for (const id of ids) {
      const points = this.newPoints.get(id);
      this.newPoints.delete(id);
      const rt = this.fleet.hosts.get(id);
      if (!rt) continue;
      const topic = `host:${id}` as const;
      const followed = !!rooms.get(topic)?.size;
      if (!followed && !toFleet) continue;
      const host = this.fleet.summary(rt);
      if (toFleet) hosts.push(host);
      if (followed) this.publish(topic, { topic, data: { host, points: points ?? [] } });
    }
    if (toFleet && (hosts.length || removed.length)) this.publish('fleet', { topic: 'fleet', data: { hosts, ...(removed.length ? { removed } : {}) } });
  }

  /** Coalesce everything that changed since the last tick into one delta per topic. */
  tick(now = Date.now()): void {
    // Offline is a 10 s matter: look for it once a second, not on every tick.
    if (now - this.lastSweep >= 1000) { this.lastSweep = now; this.fleet.sweepOffline(); }
    for (const fn of this.tickHooks) fn(now);
    const rooms = this.nsp.adapter.rooms;
    if (this.dirtyHosts.size || this.removedHosts.size) {
      const ids = [...this.dirtyHosts];
      const removed = [...this.removedHosts];
      this.dirtyHosts.clear(); this.removedHosts.clear();
      this.pushHostsOf(ids, removed);
    }
    if (this.dirtyAccounts.size) {
      const ids = [...this.dirtyAccounts];
      this.dirtyAccounts.clear();
      for (const id of ids) {
        const topic = `account:${id}` as const;
        if (!rooms.get(topic)?.size) continue;
        this.accounts.state(id, Date.now(), false).then((account) => { if (account) this.publish(topic, { topic, data: { account } }); }, () => {});
      }
    }
    if (this.dirtyAlerts.size) {
      const changed = [...this.dirtyAlerts.values()].map((a) => ({ ...a }));
      this.dirtyAlerts.clear();
      for (const id of rooms.get('alerts') ?? []) {
        const s = this.nsp.sockets.get(id) as LiveSocket | undefined;
        if (!s) continue;
        if (s.data.resync.has('alerts') || this.backedUp(s)) { s.data.resync.add('alerts'); continue; }
        const mine = changed.filter((a) => this.alertVisible(s.data, a));
        if (mine.length) s.emit('delta', { topic: 'alerts', data: { alerts: mine, firing: this.firingFor(s.data) } });
      }
    }
    void this.resync();
  }
}
