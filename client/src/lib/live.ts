/**
 * The one owner of the dashboard's socket.io connection to the hub's `/live` namespace.
 * State classes subscribe to topics through it; it resubscribes after every reconnect (the
 * hub then sends a fresh snapshot) and reports the connection's status.
 */
import { io, type Socket } from 'socket.io-client';
import type {
  DeltaMessage,
  LiveClientToServerEvents,
  LiveServerToClientEvents,
  SnapshotMessage,
  Topic,
  TopicPayloads,
} from '../../../protocol/live.schema.js';

/** The typed client socket of `/live`. */
export type LiveSocket = Socket<LiveServerToClientEvents, LiveClientToServerEvents>;

/**
 * Where the connection stands: `idle` (not started or stopped), `connecting` (first attempt),
 * `connected`, `reconnecting` (lost, retrying), `unauthorized` (no or expired session; not
 * retried until started again after a sign-in).
 */
export type LiveStatus = 'idle' | 'connecting' | 'connected' | 'reconnecting' | 'unauthorized';

/** Which payloads a topic carries: `fleet`, `host:<id>` → `host`, `account:<id>` → `account`. */
export type TopicKind<T extends Topic> = T extends 'fleet' ? 'fleet' : T extends `host:${number}` ? 'host' : 'account';

/** A refusal: the hub's error code and message, or `timeout` when it did not answer. */
export interface SubscribeError { code: string; message: string }

/** What a subscriber gets on one topic. */
export interface TopicListener<T extends Topic> {
  /** The topic's whole state; replaces what the subscriber held (also after a reconnect). */
  snapshot(data: TopicPayloads[TopicKind<T>]['snapshot']): void;
  /** A change since the previous snapshot or delta. */
  delta(data: TopicPayloads[TopicKind<T>]['delta']): void;
  /** The hub refused the subscription (not allowed, unknown id) or did not answer in time. */
  error?(error: SubscribeError): void;
}

interface AnyListener {
  snapshot(data: unknown): void;
  delta(data: unknown): void;
  error?(error: SubscribeError): void;
}

export interface LiveClientOptions {
  /** Called on every status change. */
  onStatus?: (status: LiveStatus) => void;
  /** Creates the socket, not yet connected (tests pass a fake). */
  createSocket?: () => LiveSocket;
  /** How long to wait for a subscribe acknowledgement, ms (default 10 000). */
  subscribeTimeoutMs?: number;
  /** First and longest delay before a retry this module schedules itself, ms (default 1 000 and 30 000). */
  retryMinMs?: number;
  retryMaxMs?: number;
}

/** Deltas a held topic keeps for its first listener; past this the hold lets go (the page then asks afresh). */
export const HOLD_MAX_DELTAS = 200;

/** What a held topic has received so far, for the listener that claims it. */
interface Held {
  snapshot: { data: unknown } | null;
  deltas: unknown[];
  release(): void;
}

/** The connect error message the hub's `/live` middleware uses for a missing or expired session. */
export const UNAUTHORIZED = 'unauthorized';

function defaultSocket(): LiveSocket {
  return io('/live', { transports: ['websocket'], withCredentials: true, autoConnect: false });
}

function isMessage(m: unknown): m is { topic: Topic; data: unknown } {
  return typeof m === 'object' && m !== null && typeof (m as { topic?: unknown }).topic === 'string'
    && typeof (m as { data?: unknown }).data === 'object' && (m as { data?: unknown }).data !== null;
}

/** A connection to `/live` that fans snapshots and deltas out to topic listeners. */
export class LiveClient {
  #socket: LiveSocket | null = null;
  #listeners = new Map<Topic, Set<AnyListener>>();
  #held = new Map<Topic, Held>();
  #status: LiveStatus = 'idle';
  #everConnected = false;
  #retryTimer: ReturnType<typeof setTimeout> | null = null;
  #retryDelay: number;
  readonly #opts: Required<Omit<LiveClientOptions, 'onStatus'>> & Pick<LiveClientOptions, 'onStatus'>;

  constructor(options: LiveClientOptions = {}) {
    this.#opts = {
      onStatus: options.onStatus,
      createSocket: options.createSocket ?? defaultSocket,
      subscribeTimeoutMs: options.subscribeTimeoutMs ?? 10_000,
      retryMinMs: options.retryMinMs ?? 1_000,
      retryMaxMs: options.retryMaxMs ?? 30_000,
    };
    this.#retryDelay = this.#opts.retryMinMs;
  }

  /** The current status. */
  get status(): LiveStatus {
    return this.#status;
  }

  /** Topics with at least one listener. */
  get topics(): Topic[] {
    return [...this.#listeners.keys()];
  }

  /** Connects (after a sign-in); does nothing when already connected or connecting. */
  start(): void {
    const socket = (this.#socket ??= this.#wire(this.#opts.createSocket()));
    if (socket.connected || socket.active) return;
    this.#clearRetry();
    this.#everConnected = false;
    this.#setStatus('connecting');
    socket.connect();
  }

  /** Disconnects (on sign-out) and stops retrying; listeners stay for the next start. */
  stop(): void {
    this.#clearRetry();
    this.#socket?.disconnect();
    this.#setStatus('idle');
  }

  /**
   * Listens to a topic; the hub is asked for it when this is its first listener. Returns the
   * function that stops listening (and unsubscribes at the hub after the last listener).
   */
  subscribe<T extends Topic>(topic: T, listener: TopicListener<T>): () => void {
    const l = listener as unknown as AnyListener;
    let set = this.#listeners.get(topic);
    if (!set) {
      set = new Set();
      this.#listeners.set(topic, set);
      this.#askFor(topic);
    }
    set.add(l);
    const held = this.#held.get(topic);
    if (held) {
      // What the hold got is this listener's now, before this returns; the hold lets go (the topic stays subscribed).
      held.release();
      if (held.snapshot) {
        l.snapshot(held.snapshot.data);
        for (const d of held.deltas) l.delta(d);
      }
    }
    return () => {
      const current = this.#listeners.get(topic);
      if (!current?.delete(l) || current.size > 0) return;
      this.#listeners.delete(topic);
      if (this.#socket?.connected) this.#socket.emit('unsubscribe', { topic }, () => {});
    };
  }

  /**
   * Subscribes to `topic` before any page listens to it (at start, for the landing page's topics)
   * and keeps its snapshot and the deltas after it; the first listener that subscribes then gets
   * them at once instead of asking the hub and waiting. The hold lets go when that listener
   * comes, after `ms` without one (the hub is then told, unless someone else listens), on a
   * refusal, or past HOLD_MAX_DELTAS deltas (a later listener then asks the hub afresh).
   */
  hold(topic: Topic, ms = 10_000): void {
    if (this.#held.has(topic) || this.#listeners.has(topic)) return;
    let timer: ReturnType<typeof setTimeout> | null = null;
    const held: Held = {
      snapshot: null,
      deltas: [],
      release: () => {
        if (this.#held.get(topic) !== held) return;
        this.#held.delete(topic);
        if (timer !== null) clearTimeout(timer);
        stop();
      },
    };
    const stop = this.subscribe(topic, {
      snapshot: (data) => {
        held.snapshot = { data };
        held.deltas = [];
      },
      delta: (d) => {
        if (!held.snapshot) return; // a snapshot always comes first
        held.deltas.push(d);
        if (held.deltas.length > HOLD_MAX_DELTAS) held.release();
      },
      error: () => held.release(),
    } as TopicListener<'fleet'>);
    this.#held.set(topic, held);
    timer = setTimeout(held.release, ms);
  }

  #wire(socket: LiveSocket): LiveSocket {
    socket.on('connect', () => {
      this.#everConnected = true;
      this.#retryDelay = this.#opts.retryMinMs;
      this.#setStatus('connected');
      for (const topic of this.#listeners.keys()) this.#askFor(topic);
    });
    socket.on('disconnect', (reason) => {
      if (reason === 'io client disconnect') return; // stop() sets the status
      this.#setStatus('reconnecting');
      // The hub closed the connection (say, a restart or a revoked session): socket.io does not
      // retry that by itself. Retry; a dead session then comes back as `unauthorized`.
      if (!socket.active) this.#scheduleRetry(socket);
    });
    socket.on('connect_error', (err) => {
      if (err.message === UNAUTHORIZED) {
        this.#clearRetry();
        socket.disconnect();
        this.#setStatus('unauthorized');
        return;
      }
      this.#setStatus(this.#everConnected ? 'reconnecting' : 'connecting');
      // A refusal by the hub's middleware is not retried by socket.io; a network error is.
      if (!socket.active) this.#scheduleRetry(socket);
    });
    socket.on('snapshot', (m: SnapshotMessage) => this.#dispatch(m, 'snapshot'));
    socket.on('delta', (m: DeltaMessage) => this.#dispatch(m, 'delta'));
    return socket;
  }

  #dispatch(m: unknown, kind: 'snapshot' | 'delta'): void {
    if (!isMessage(m)) return; // the hub is trusted, but a malformed message must not break the page
    const set = this.#listeners.get(m.topic);
    if (!set) return; // a late message for a topic given up
    for (const l of [...set]) l[kind](m.data);
  }

  #askFor(topic: Topic): void {
    const socket = this.#socket;
    if (!socket?.connected) return; // asked on `connect`
    socket.timeout(this.#opts.subscribeTimeoutMs).emit('subscribe', { topic }, (err, reply) => {
      const error: SubscribeError | null = err
        ? { code: 'timeout', message: 'The hub did not answer in time.' }
        : reply.ok ? null : reply.error;
      if (!error) return;
      for (const l of [...(this.#listeners.get(topic) ?? [])]) l.error?.(error);
    });
  }

  #scheduleRetry(socket: LiveSocket): void {
    this.#clearRetry();
    const delay = this.#retryDelay;
    this.#retryDelay = Math.min(this.#opts.retryMaxMs, delay * 2);
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = null;
      if (!socket.connected && !socket.active) socket.connect();
    }, delay);
  }

  #clearRetry(): void {
    if (this.#retryTimer !== null) clearTimeout(this.#retryTimer);
    this.#retryTimer = null;
  }

  #setStatus(status: LiveStatus): void {
    if (status === this.#status) return;
    this.#status = status;
    this.#opts.onStatus?.(status);
  }
}
