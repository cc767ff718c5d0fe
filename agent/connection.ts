/**
 * The agent's link to the hub: one socket.io connection to `/agent`, a
 * `hello` per connection, resending from the spool what the hub has not made
 * durable, live sending, and the hub's acks, rejects, refresh and action
 * requests; items the spool had to drop are reported with `spoolDropped`.
 * After a restart, numbering continues from the spool's last seq, and unsent
 * items may be renumbered past the hub's watermark (see resume.ts).
 */
import { EventEmitter } from 'node:events';
import { silentLogger, type AgentLogger } from './log.js';
import { io, type Socket } from 'socket.io-client';
import type {
  AckMessage, ActionReply, AgentToHubEvents, Hello, HelloReply, HubToAgentEvents, RefreshReply, Stream,
} from '../protocol/index.js';
import { PROTOCOL_VERSION, STREAMS, refreshRequestSchema } from '../protocol/index.js';
import { AGENT_BACKOFF, backoffDelay } from './backoff.js';
import { batchSamples } from './batch.js';
import type { AgentConnectionOptions, ConnectionEvents, ConnectionState, ConnectionStats } from './connection.types.js';
import { DropReports } from './drop-reports.js';
import { ackSchema, helloReplySchema, rejectSchema } from '../protocol/index.js';
import { resumeStream } from './resume.js';
import { createSequences, type Sequences } from './sequence.js';
import { MemorySpool, type Spool, type StreamItems } from './spool.js';
import { AGENT_VERSION } from './version.js';

export type { AgentConnectionOptions, ConnectionEvents, ConnectionState, ConnectionStats } from './connection.types.js';

const perStream = (f: (s: Stream) => number): Record<Stream, number> =>
  Object.fromEntries(STREAMS.map((s) => [s, f(s)])) as Record<Stream, number>;

/** socket.io URL and options for a hub base URL: namespace `/agent`, socket.io path under the URL's path. */
export function socketTarget(hubUrl: string): { url: string; path: string } {
  const u = new URL(hubUrl);
  const prefix = u.pathname.replace(/\/+$/, '');
  return { url: `${u.origin}/agent`, path: `${prefix}/socket.io/` };
}

export class AgentConnection extends EventEmitter<ConnectionEvents> {
  readonly spool: Spool;
  readonly sequences: Sequences;
  readonly #opts: AgentConnectionOptions;
  readonly #log: AgentLogger;
  readonly #socket: Socket<HubToAgentEvents, AgentToHubEvents>;
  #state: ConnectionState = 'idle';
  #hostId: number | null = null;
  /** Bumped on every connect, so a late `hello` reply of an old connection is ignored. */
  #epoch = 0;
  /** Our own retry count, for the cases socket.io does not retry (see backoff.ts). */
  #attempts = 0;
  #retryTimer: NodeJS.Timeout | null = null;
  /** Highest seq ever emitted per stream: items above it have never reached any hub. */
  readonly #emittedUpTo: Record<Stream, number>;
  /** Highest seq put in the spool per stream. */
  readonly #pushedUpTo: Record<Stream, number>;
  readonly #stats = { connects: 0, connectErrors: 0, helloFailures: 0, messages: 0, rejected: 0, renumbered: 0, spoolErrors: 0 };
  readonly #sent = perStream(() => 0);
  readonly #acked = perStream(() => 0);
  /** Drops of a full spool not yet told to the hub. */
  readonly #drops: DropReports;
  #dropTimer: NodeJS.Timeout | null = null;
  #spoolErrorLogged = false;

  constructor(opts: AgentConnectionOptions) {
    super();
    this.#opts = opts;
    this.#log = opts.logger ?? silentLogger;
    this.spool = opts.spool ?? new MemorySpool();
    this.sequences = opts.sequences ?? createSequences();
    this.#drops = new DropReports(opts.dropReportEveryMs);
    // Items already in a spool handed over (a restored on-disk spool) may have been sent by an earlier run;
    // its last seq (kept even when everything was acknowledged) is where numbering continues.
    this.#emittedUpTo = perStream((s) => Math.max(this.spool.lastSeq(s), this.spool.pending(s).at(-1)?.seq ?? 0));
    this.#pushedUpTo = { ...this.#emittedUpTo };
    for (const s of STREAMS) this.sequences[s].continueAt(this.#emittedUpTo[s] + 1);
    const { url, path } = socketTarget(opts.hubUrl);
    this.#socket = io(url, {
      path,
      autoConnect: false,
      transports: ['websocket'],
      auth: { token: opts.token, agentVersion: AGENT_VERSION, protocol: PROTOCOL_VERSION },
      reconnection: true,
      reconnectionDelay: opts.reconnectionDelay ?? AGENT_BACKOFF.base,
      reconnectionDelayMax: opts.reconnectionDelayMax ?? AGENT_BACKOFF.max,
      randomizationFactor: opts.randomizationFactor ?? AGENT_BACKOFF.jitter,
    });
    this.#wire();
  }

  get state(): ConnectionState {
    return this.#state;
  }

  /** Connect (and keep reconnecting) until stop(). */
  start(): void {
    if (this.#state !== 'idle') return;
    this.#setState('connecting');
    this.#socket.connect();
  }

  /**
   * Close the socket and every timer. With `drainMs`, first wait up to that
   * long for the hub to acknowledge what is pending (a MemorySpool is lost on exit).
   */
  async stop(opts: { drainMs?: number } = {}): Promise<void> {
    if (this.#state === 'stopped') return;
    if (opts.drainMs && this.#state === 'ready' && this.spool.size() > 0) {
      await new Promise<void>((resolve) => {
        const done = (): void => { clearTimeout(timer); this.off('ack', check); this.off('state', check); resolve(); };
        const check = (): void => { if (this.spool.size() === 0 || this.#state !== 'ready') done(); };
        const timer = setTimeout(done, opts.drainMs);
        this.on('ack', check);
        this.on('state', check);
      });
    }
    if (this.#retryTimer) clearTimeout(this.#retryTimer);
    this.#retryTimer = null;
    if (this.#dropTimer) clearTimeout(this.#dropTimer);
    this.#setState('stopped');
    this.#socket.disconnect();
  }

  /** Hold `item` until acknowledged, and send it now if the hub is ready (else it goes with the backlog). */
  send<S extends Stream>(stream: S, item: StreamItems[S]): void {
    if (this.#state === 'stopped') return;
    // Only if a producer numbered an item before a renumbering (or does not share
    // the sequence): keep numbers increasing rather than throw.
    const floor = Math.max(this.#pushedUpTo[stream], this.#acked[stream]);
    let it = item;
    if (item.seq <= floor) {
      this.sequences[stream].continueAt(floor + 1);
      it = { ...item, seq: this.sequences[stream].next() };
    }
    try {
      const dropped = this.spool.push(stream, it);
      if (dropped) {
        this.#drops.note(stream, dropped);
        this.#reportDrops(false);
      }
      this.#spoolErrorLogged = false;
    } catch (e) {
      // A full or failing disk: the item still goes out live, it just cannot be resent.
      this.#stats.spoolErrors++;
      if (!this.#spoolErrorLogged) this.#log.error({ err: (e as Error).message, stream }, 'cannot write to the spool; sending live only until it works again');
      this.#spoolErrorLogged = true;
    }
    this.#pushedUpTo[stream] = it.seq;
    if (this.#state === 'ready') this.#emit(stream, [it]);
  }

  /** Call `fn` on every ack; returns a function that removes it. */
  onAck(fn: (m: AckMessage) => void): () => void {
    this.on('ack', fn);
    return () => this.off('ack', fn);
  }

  stats(): ConnectionStats {
    return {
      state: this.#state,
      hostId: this.#hostId,
      ...this.#stats,
      sent: { ...this.#sent },
      acked: { ...this.#acked },
      pending: perStream((s) => this.spool.size(s)),
      dropped: perStream((s) => this.spool.dropped(s)),
      spoolErrors: this.#stats.spoolErrors,
    };
  }

  #setState(s: ConnectionState): void {
    if (this.#state === s || (this.#state === 'stopped' && s !== 'stopped')) return;
    this.#state = s;
    this.emit('state', s);
  }

  #wire(): void {
    const s = this.#socket;
    s.on('connect', () => void this.#handshake(++this.#epoch));
    s.on('disconnect', (reason) => {
      // A client-side disconnect is ours (stop, failed hello), already handled there.
      if (this.#state === 'stopped' || reason === 'io client disconnect') return;
      this.#log.warn({ reason }, 'disconnected from hub');
      this.#setState('connecting');
      // socket.io retries by itself except when the hub closed the socket on purpose.
      if (!s.active) this.#retryLater();
    });
    s.on('connect_error', (err: Error & { data?: unknown }) => {
      if (this.#state === 'stopped') return;
      this.#stats.connectErrors++;
      // !active: the hub's middleware refused us (token, version); socket.io will not retry that by itself.
      const refused = !s.active || /token|auth|revoked|protocol|version|unsupported/i.test(err.message);
      // Transport errors carry the cause (e.g. ECONNREFUSED) in `description`.
      const cause = (err as { description?: { message?: string } }).description?.message;
      const fields = { err: err.message, cause, data: err.data, hub: this.#opts.hubUrl, attempt: this.#stats.connectErrors };
      if (refused) this.#log.error(fields, 'hub refused the connection; retrying with backoff');
      else this.#log.warn(fields, 'cannot reach hub; retrying with backoff');
      this.emit('connectError', err);
      if (!s.active) this.#retryLater();
    });
    s.on('ack', (m) => this.#onAck(m));
    s.on('reject', (m) => {
      const r = rejectSchema.safeParse(m);
      if (!r.success) return this.#log.warn('ignored malformed reject from hub');
      this.#stats.rejected++;
      // Rejects name no seq, so the refused items cannot be singled out. Items are
      // validated before they are spooled, and acks are cumulative: the next
      // accepted message's ack drops the refused items too.
      this.#log.warn(r.data, 'hub rejected a message');
      this.emit('reject', r.data);
    });
    s.on('refresh', (req, reply) => void this.#onRefresh(req, reply));
    s.on('action', (req, reply) => void this.#onAction(req, reply));
  }

  async #handshake(epoch: number): Promise<void> {
    this.#setState('handshaking');
    let hello: Hello;
    try {
      hello = await this.#opts.hello();
    } catch (e) {
      return this.#helloFailed(epoch, `cannot build hello: ${(e as Error).message}`);
    }
    if (epoch !== this.#epoch || this.#state !== 'handshaking') return;
    this.#socket.timeout(this.#opts.helloTimeoutMs ?? 10_000).emit('hello', { ...hello, sentAt: Date.now() }, (err, reply) => {
      if (epoch !== this.#epoch || this.#state !== 'handshaking') return;
      if (err) return this.#helloFailed(epoch, `no hello reply: ${err.message}`);
      const r = helloReplySchema.safeParse(reply);
      if (!r.success) return this.#helloFailed(epoch, 'malformed hello reply');
      if ('error' in r.data) return this.#helloFailed(epoch, `hub refused hello: ${r.data.error}`);
      this.#ready(r.data);
    });
  }

  #helloFailed(epoch: number, why: string): void {
    if (epoch !== this.#epoch || this.#state === 'stopped') return;
    this.#stats.helloFailures++;
    this.#log.error({ hub: this.#opts.hubUrl }, `${why}; reconnecting with backoff`);
    this.#socket.disconnect();
    this.#setState('connecting');
    this.#retryLater();
  }

  #ready(reply: HelloReply): void {
    this.#hostId = reply.hostId;
    this.#attempts = 0;
    this.#stats.connects++;
    for (const stream of STREAMS) this.#applyWatermark(stream, reply.watermarks[stream]);
    // The backlog goes out before the state turns ready (and live sends begin), all
    // synchronously: nothing new can slip in between, so the hub gets seq order.
    for (const stream of STREAMS) {
      const backlog = this.spool.pending(stream);
      if (backlog.length > 0) this.#emit(stream, backlog);
    }
    this.#log.info({ hostId: reply.hostId, watermarks: reply.watermarks, resent: perStream((s) => this.spool.size(s)) }, 'connected to hub');
    this.#setState('ready');
    this.#reportDrops(true);
    this.emit('ready', reply);
  }

  /** Send the `spoolDropped` reports that are due (all of them on a new connection); time the rest. */
  #reportDrops(force: boolean): void {
    if (this.#state !== 'ready') return;
    for (const m of this.#drops.take((s) => this.spool.dropped(s), force)) {
      this.#socket.emit('spoolDropped', m);
      this.#stats.messages++;
      this.#log.warn(m, 'spool full: oldest items dropped');
      this.emit('spoolDropped', m);
    }
    const wait = this.#drops.dueIn();
    if (wait !== null && !this.#dropTimer) {
      this.#dropTimer = setTimeout(() => { this.#dropTimer = null; this.#reportDrops(false); }, wait);
    }
  }

  /** Drop what the hub holds durably; renumber unsent items that collide with an earlier run (resume.ts). */
  #applyWatermark(stream: Stream, w: number): void {
    this.#acked[stream] = Math.max(this.#acked[stream], w);
    const r = resumeStream(this.spool, stream, w, this.#emittedUpTo[stream]);
    if (r.renumbered > 0) {
      this.#stats.renumbered += r.renumbered;
      this.#log.info({ stream, watermark: w, items: r.renumbered }, 'hub holds seqs of an earlier run; renumbered unsent items');
    }
    this.#pushedUpTo[stream] = Math.max(this.#pushedUpTo[stream], r.floor);
    this.sequences[stream].continueAt(r.floor + 1);
  }

  /** Emit items (in seq order) on their stream's event; samples are batched, quota and services go one per message. */
  #emit<S extends Stream>(stream: S, items: StreamItems[S][]): void {
    if (stream === 'samples') {
      for (const samples of batchSamples(items as StreamItems['samples'][])) {
        this.#socket.emit('samples', { samples });
        this.#stats.messages++;
      }
    } else {
      for (const m of items) {
        if (stream === 'quota') this.#socket.emit('quota', m as StreamItems['quota']);
        else this.#socket.emit('services', m as StreamItems['services']);
        this.#stats.messages++;
      }
    }
    this.#sent[stream] += items.length;
    this.#emittedUpTo[stream] = Math.max(this.#emittedUpTo[stream], items[items.length - 1].seq);
  }

  #onAck(m: unknown): void {
    const r = ackSchema.safeParse(m);
    if (!r.success) return void this.#log.warn('ignored malformed ack from hub');
    const { stream, seq } = r.data;
    this.spool.ack(stream, seq);
    this.#acked[stream] = Math.max(this.#acked[stream], seq);
    this.emit('ack', r.data);
  }

  #onRefresh(req: unknown, reply: unknown): Promise<void> {
    const r = refreshRequestSchema.safeParse(req);
    const onRefresh = this.#opts.onRefresh;
    return this.#answer<RefreshReply>(reply, 'refresh', async () => {
      if (!r.success) return { ok: false, error: 'invalid refresh request' };
      return onRefresh ? onRefresh(r.data) : { ok: false, error: 'refresh not supported by this agent' };
    });
  }

  #onAction(req: unknown, reply: unknown): Promise<void> {
    const onAction = this.#opts.onAction;
    return this.#answer<ActionReply>(reply, 'action', async () => (onAction ? onAction(req) : { ok: false, error: 'no actions are configured on this agent' }));
  }

  /** Answer a hub request through its ack callback; a failure is logged here and answered without its details. */
  async #answer<R extends { ok: boolean; error?: string }>(reply: unknown, what: string, fn: () => Promise<R>): Promise<void> {
    if (typeof reply !== 'function') return;
    try {
      reply(await fn());
    } catch (e) {
      this.#log.warn({ err: (e as Error).message }, `${what} failed`);
      reply({ ok: false, error: `${what} failed` });
    }
  }

  /** Reconnect after our own backoff (socket.io is not retrying in these cases). */
  #retryLater(): void {
    if (this.#state === 'stopped' || this.#retryTimer) return;
    const delay = backoffDelay(this.#attempts++, {
      base: this.#opts.reconnectionDelay ?? AGENT_BACKOFF.base,
      max: this.#opts.reconnectionDelayMax ?? AGENT_BACKOFF.max,
      jitter: this.#opts.randomizationFactor ?? AGENT_BACKOFF.jitter,
    });
    this.#log.debug({ delayMs: delay }, 'reconnect scheduled');
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = null;
      if (this.#state !== 'stopped') this.#socket.connect();
    }, delay);
  }
}
