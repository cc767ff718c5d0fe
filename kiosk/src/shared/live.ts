/**
 * The kiosk's one connection to the hub's `/live` namespace (`auth: { kioskToken }`, websocket
 * only). Listeners subscribe to topics (`fleet`, `host:<id>`, `alerts`); after every (re)connect
 * the topics are subscribed again and the hub sends a fresh snapshot, which replaces what the
 * listener held. It reconnects by itself, also after the hub dropped the connection (a restart)
 * or refused it while starting; a refused token is reported once, through `onUnauthorized`.
 */
import { io, type Socket } from 'socket.io-client';
import type { AlertsDelta, AlertsSnapshot } from '../../../protocol/alerts.schema.js';
import type {
  DeltaMessage, FleetDelta, FleetSnapshot, HostDelta, HostSnapshot, LiveClientToServerEvents, LiveServerToClientEvents, SnapshotMessage, SubscribeReply, Topic,
} from '../../../protocol/live.schema.js';

/** The topics a kiosk may follow: every one but an account's. */
export type KioskTopic = Exclude<Topic, `account:${number}`>;

export interface TopicData {
  fleet: { snapshot: FleetSnapshot; delta: FleetDelta };
  alerts: { snapshot: AlertsSnapshot; delta: AlertsDelta };
  host: { snapshot: HostSnapshot; delta: HostDelta };
}
type KindOf<T extends KioskTopic> = T extends 'fleet' ? 'fleet' : T extends 'alerts' ? 'alerts' : 'host';

export interface Listener<T extends KioskTopic> {
  snapshot(data: TopicData[KindOf<T>]['snapshot']): void;
  delta(data: TopicData[KindOf<T>]['delta']): void;
  /** The hub refused the subscription (unknown topic, not allowed) or did not answer. */
  error?(code: string, message: string): void;
}


export interface LiveOptions {
  onStatus?(connected: boolean): void;
  /** Every snapshot or delta (the wall's "last update"). */
  onData?(): void;
  /** The hub refused the token; called when a REST check confirms it (see `checkToken`). */
  onUnauthorized?(): void;
  /** Resolves false when the token is refused (401), true otherwise; errors count as "not known". */
  checkToken?(): Promise<boolean>;
}

const RETRY_MIN_MS = 1000;
const RETRY_MAX_MS = 5000;

export class KioskLive {
  private socket: Socket<LiveServerToClientEvents, LiveClientToServerEvents>;
  private listeners = new Map<string, { snapshot(d: unknown): void; delta(d: unknown): void; error?(c: string, m: string): void }>();
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private retryMs = RETRY_MIN_MS;
  private stopped = false;

  constructor(token: string, private opts: LiveOptions = {}) {
    this.socket = io('/live', {
      auth: { kioskToken: token }, transports: ['websocket'], autoConnect: false,
      reconnectionDelay: RETRY_MIN_MS, reconnectionDelayMax: RETRY_MAX_MS,
    });
    this.socket.on('connect', () => {
      this.retryMs = RETRY_MIN_MS;
      this.opts.onStatus?.(true);
      for (const topic of this.listeners.keys()) this.sendSubscribe(topic);
    });
    this.socket.on('disconnect', () => {
      this.opts.onStatus?.(false);
      // socket.io retries transport losses itself; a disconnect by the hub (shutdown, revocation) it does not.
      if (!this.socket.active) this.retry();
    });
    this.socket.on('connect_error', (err) => {
      this.opts.onStatus?.(false);
      if (this.socket.active) return; // a transport error: socket.io retries
      // Refused by the hub's middleware: 'unauthorized' (ask REST whether the token is really gone) or 'unavailable'.
      if (err.message === 'unauthorized' && this.opts.checkToken) {
        this.opts.checkToken().then((ok) => { if (ok) this.retry(); else { this.stop(); this.opts.onUnauthorized?.(); } }, () => this.retry());
      } else this.retry();
    });
    this.socket.on('snapshot', (m) => this.dispatch('snapshot', m));
    this.socket.on('delta', (m) => this.dispatch('delta', m));
  }

  get connected(): boolean { return this.socket.connected; }

  start(): void { this.stopped = false; this.socket.connect(); }

  stop(): void {
    this.stopped = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.socket.disconnect();
  }

  subscribe<T extends KioskTopic>(topic: T, l: Listener<T>): void {
    this.listeners.set(topic, l as never);
    if (this.socket.connected) this.sendSubscribe(topic);
  }

  unsubscribe(topic: KioskTopic): void {
    if (!this.listeners.delete(topic)) return;
    if (this.socket.connected) this.socket.timeout(5000).emit('unsubscribe', { topic }, () => {});
  }

  private sendSubscribe(topic: string): void {
    this.socket.timeout(10_000).emit('subscribe', { topic }, (err: Error | null, r?: SubscribeReply) => {
      const l = this.listeners.get(topic);
      if (!l) return;
      if (err) l.error?.('timeout', 'the hub did not answer the subscription');
      else if (r && !r.ok) l.error?.(r.error.code, r.error.message);
    });
  }

  private dispatch(kind: 'snapshot' | 'delta', m: SnapshotMessage | DeltaMessage): void {
    if (!m || typeof m.topic !== 'string' || typeof m.data !== 'object' || m.data === null) return;
    const l = this.listeners.get(m.topic);
    if (!l) return;
    this.opts.onData?.();
    l[kind](m.data);
  }

  private retry(): void {
    if (this.stopped || this.retryTimer) return;
    const delay = this.retryMs;
    this.retryMs = Math.min(RETRY_MAX_MS, this.retryMs * 2);
    this.retryTimer = setTimeout(() => { this.retryTimer = null; if (!this.stopped && !this.socket.connected) this.socket.connect(); }, delay);
  }
}
