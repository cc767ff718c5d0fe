/**
 * The kiosk message queue. Messages and cursors live in the database; this
 * class answers long-polls the moment a message arrives.
 *
 * - Push: one INSERT, then a wake-up (`QueueWaker`). Pushes of one queue are
 *   serialized here, so their ids grow in the order they are committed and a
 *   cursor never passes a message that is not yet visible.
 * - Pop: a request becomes a waiter of its queue's lane. A lane runs "rounds",
 *   one at a time per queue: the waiting consumer ids are grouped by cursor,
 *   each group costs one SELECT of the messages after it and one compare-and-set
 *   UPDATE of the cursors, and the oldest request of each id is answered. A
 *   request's first round looks at once; later rounds run only on a wake-up.
 * - A sweep expires messages, trims queues to their maximum length (counting
 *   the drops), and forgets consumer ids unseen for `forgetAfterMs`.
 */
import type { Registry } from 'prom-client';
import type { Dialect, Orm } from '../db/orm.js';
import type { Logger } from '../logger.js';
import { createQueueMetrics, type QueueMetrics } from './queue.metrics.js';
import { QUEUE_DEFAULTS, type QueueOptions } from './queue.options.js';
import { QueueRepository, type StoredMessage } from './queue.repository.js';
import { KeyedSerial } from './queue.serial.js';
import type { QueueWaker } from './queue.waker.js';

export type { StoredMessage };

interface Waiter {
  consumer: string;
  limit: number;
  /** When the request began, ms. */
  since: number;
  /** Its first look at the store is done; until then a timeout waits for it. */
  checked: boolean;
  /** Its wait ran out. */
  expired: boolean;
  /** A round chose it to receive messages; a timeout waits for that round. */
  claimed: boolean;
  done: boolean;
  timer: NodeJS.Timeout | null;
  settle(result: StoredMessage[] | Error): void;
}

/** The waiting requests of one queue, by consumer id (oldest first). */
class Lane {
  waiters = new Map<string, Waiter[]>();
  /** Consumer ids with a request that has not looked yet. */
  fresh = new Set<string>();
  /** A wake-up came: every waiting id looks again. */
  all = false;
  /** A round is queued and has not started. */
  pending = false;
  constructor(readonly queue: string) {}
}

/** What this hub knows of a consumer id: its cursor (null: read it from the database) and when it was last seen, ms. */
interface ConsumerState { lastId: number | null; seenAt: number; persistedAt: number }

/** Pause before a failed round (database unreachable) is tried again, ms. */
const RETRY_MS = 1000;

export class QueueService {
  readonly options: QueueOptions;
  readonly metrics: QueueMetrics;
  private repo: QueueRepository;
  private lanes = new Map<string, Lane>();
  private states = new Map<string, ConsumerState>();
  /** Messages per queue as far as this hub knows (missing: count before trimming). */
  private lengths = new Map<string, number>();
  private rounds = new KeyedSerial();
  private pushes = new KeyedSerial();
  private sweepTimer: NodeJS.Timeout | null = null;
  private sweeping: Promise<void> | null = null;
  private unsubscribe: (() => void) | null = null;
  private stopped = false;

  constructor(orm: Orm, dialect: Dialect, private waker: QueueWaker, options: Partial<QueueOptions> = {}, private log?: Logger, registry?: Registry) {
    this.options = { ...QUEUE_DEFAULTS, ...options };
    this.repo = new QueueRepository(orm, dialect);
    this.metrics = createQueueMetrics(registry);
  }

  start(): void {
    this.unsubscribe = this.waker.onWake((queue) => this.onWake(queue));
    this.sweepTimer = setInterval(() => { void this.sweep(); }, this.options.sweepEveryMs);
    this.sweepTimer.unref();
  }

  /** Answer every waiting request with nothing (so the HTTP server can close) and let running statements finish. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    this.unsubscribe?.();
    for (const lane of [...this.lanes.values()]) for (const list of [...lane.waiters.values()]) for (const w of [...list]) this.finish(lane, w, []);
    await Promise.all([this.rounds.drain(), this.pushes.drain(), this.sweeping]);
  }

  /** Store a message (`body`: its JSON text) and wake the consumers waiting on `queue`. Names are already checked. */
  push(queue: string, body: string): Promise<{ id: number; at: number }> {
    return this.pushes.run(queue, async () => {
      const at = Date.now();
      const id = await this.repo.insert(queue, body, at);
      this.waker.wake(queue);
      this.metrics.messages.inc({ event: 'pushed' });
      const known = this.lengths.get(queue);
      if (known !== undefined && known < this.options.maxLength) this.lengths.set(queue, known + 1);
      else {
        if (known !== undefined) this.lengths.set(queue, known + 1);
        // Behind this push and before the next one; not on this push's answer.
        void this.pushes.run(queue, () => this.fit(queue)).catch((err) => this.log?.warn({ err: err?.message, queue }, 'queue trim failed'));
      }
      return { id, at };
    });
  }

  /**
   * The next messages (at most `limit`) of `consumer` on `queue`, waiting up to `waitMs` for one;
   * empty when the wait ran out, the request went away (`signal`) or the hub is stopping.
   * A consumer id seen for the first time starts at the current end of the queue.
   */
  pop(queue: string, consumer: string, o: { waitMs: number; limit?: number; signal?: AbortSignal }): Promise<StoredMessage[]> {
    if (this.stopped || o.signal?.aborted) return Promise.resolve([]);
    const now = Date.now();
    this.see(queue, consumer, now);
    return new Promise((resolve, reject) => {
      let lane = this.lanes.get(queue);
      if (!lane) this.lanes.set(queue, (lane = new Lane(queue)));
      const l = lane;
      const w: Waiter = {
        consumer, since: now, limit: Math.max(1, Math.min(o.limit ?? this.options.batchLimit, this.options.batchLimit)),
        checked: false, expired: false, claimed: false, done: false, timer: null,
        settle: (r) => (r instanceof Error ? reject(r) : resolve(r)),
      };
      const list = l.waiters.get(consumer);
      if (list) list.push(w); else l.waiters.set(consumer, [w]);
      this.metrics.waiting.inc();
      w.timer = setTimeout(() => { w.expired = true; if (w.checked && !w.claimed) this.finish(l, w, []); }, Math.max(0, o.waitMs));
      o.signal?.addEventListener('abort', () => this.finish(l, w, []), { once: true });
      l.fresh.add(consumer);
      this.schedule(l);
    });
  }

  /** Move `consumer`'s cursor to the current end of `queue`: its pending messages are skipped. */
  clear(queue: string, consumer: string): Promise<void> {
    return this.rounds.run(queue, async () => {
      const now = Date.now();
      const end = await this.repo.lastId(queue);
      await this.repo.setCursor(queue, consumer, end, now);
      Object.assign(this.state(queue, consumer, now), { lastId: end, seenAt: now, persistedAt: now });
    });
  }

  /** Forget `consumer`'s cursor; its waiting requests are answered with nothing. */
  forget(queue: string, consumer: string): Promise<void> {
    return this.rounds.run(queue, async () => {
      await this.repo.deleteConsumer(queue, consumer);
      const lane = this.lanes.get(queue);
      for (const w of [...(lane?.waiters.get(consumer) ?? [])]) this.finish(lane!, w, []);
      this.states.delete(key(queue, consumer));
    });
  }

  stats(queue: string) { return this.repo.stats(queue); }

  /** Expire, trim, persist when consumers were seen and forget the unseen. Runs every `sweepEveryMs`; exposed for tests. */
  sweep(now = Date.now()): Promise<void> {
    if (!this.sweeping) {
      this.sweeping = this.sweepOnce(now)
        .catch((err) => this.log?.warn({ err: err?.message }, 'queue sweep failed'))
        .finally(() => { this.sweeping = null; });
    }
    return this.sweeping;
  }

  private async sweepOnce(now: number): Promise<void> {
    for (const lane of this.lanes.values()) for (const c of lane.waiters.keys()) this.see(lane.queue, c, now);
    // When each consumer was last seen, one UPDATE per (queue, time): ids polling together share their times.
    const seen = new Map<string, { queue: string; at: number; consumers: string[] }>();
    for (const [k, st] of this.states) {
      if (st.seenAt <= st.persistedAt) continue;
      const [queue, c] = k.split('\n');
      const g = seen.get(`${queue}\n${st.seenAt}`);
      if (g) g.consumers.push(c); else seen.set(`${queue}\n${st.seenAt}`, { queue, at: st.seenAt, consumers: [c] });
      st.persistedAt = st.seenAt;
    }
    for (const g of seen.values()) {
      for (let i = 0; i < g.consumers.length; i += 500) await this.repo.touch(g.queue, g.consumers.slice(i, i + 500), g.at);
    }
    const cutoff = now - this.options.forgetAfterMs;
    await this.repo.forgetBefore(cutoff);
    for (const [k, st] of this.states) if (st.seenAt < cutoff) this.states.delete(k);
    for (const n of (await this.repo.expire(now - this.options.ttlMs)).values()) this.metrics.messages.inc({ event: 'expired' }, n);
    for (const q of await this.repo.overfull(this.options.maxLength)) {
      this.metrics.messages.inc({ event: 'dropped' }, await this.repo.trim(q, this.options.maxLength));
    }
    this.lengths.clear();
  }

  /** Trim `queue` to its maximum length (runs in the queue's push order). */
  private async fit(queue: string): Promise<void> {
    const n = this.lengths.get(queue) ?? await this.repo.count(queue);
    const dropped = n > this.options.maxLength ? await this.repo.trim(queue, this.options.maxLength) : 0;
    if (dropped) this.metrics.messages.inc({ event: 'dropped' }, dropped);
    this.lengths.set(queue, dropped ? this.options.maxLength : n);
  }

  private onWake(queue: string | null): void {
    for (const lane of queue === null ? this.lanes.values() : [this.lanes.get(queue)]) {
      if (!lane) continue;
      lane.all = true;
      this.schedule(lane);
    }
  }

  private schedule(lane: Lane): void {
    if (lane.pending || this.stopped) return;
    lane.pending = true;
    void this.rounds.run(lane.queue, async () => { lane.pending = false; await this.round(lane); });
  }

  private async round(lane: Lane): Promise<void> {
    const names = lane.all ? [...lane.waiters.keys()] : [...lane.fresh].filter((c) => lane.waiters.has(c));
    lane.all = false;
    lane.fresh.clear();
    if (!names.length) return;
    const present = names.flatMap((c) => lane.waiters.get(c) ?? []);
    try {
      await this.deliver(lane, names);
    } catch (err: any) {
      this.log?.warn({ err: err?.message, queue: lane.queue }, 'queue round failed');
      // A request that could not even look fails; the others keep waiting and look again shortly.
      for (const w of present) if (!w.checked) this.finish(lane, w, err instanceof Error ? err : new Error(String(err)));
      setTimeout(() => { lane.all = true; if (lane.waiters.size) this.schedule(lane); }, RETRY_MS).unref();
    } finally {
      for (const w of present) {
        w.checked = true;
        w.claimed = false;
        if (w.expired) this.finish(lane, w, []);
      }
    }
    if (lane.fresh.size) this.schedule(lane);
  }

  private async deliver(lane: Lane, names: string[]): Promise<void> {
    const queue = lane.queue, now = Date.now();
    await this.loadCursors(queue, names, now);
    const groups = new Map<number, string[]>();
    for (const c of names) {
      const last = this.states.get(key(queue, c))?.lastId;
      if (last == null) continue;
      const g = groups.get(last);
      if (g) g.push(c); else groups.set(last, [c]);
    }
    for (const [from, members] of groups) {
      const heads = new Map<string, Waiter>();
      for (const c of members) {
        const w = lane.waiters.get(c)?.[0];
        if (w) { w.claimed = true; heads.set(c, w); }
      }
      if (!heads.size) continue;
      const limit = Math.max(...[...heads.values()].map((w) => w.limit));
      const rows = await this.repo.after(queue, from, now - this.options.ttlMs, limit);
      if (!rows.length) continue;
      // Ids whose requests take the same number of messages move their cursors together.
      const byTo = new Map<number, string[]>();
      for (const [c, w] of heads) {
        const to = rows[Math.min(w.limit, rows.length) - 1].id;
        const g = byTo.get(to);
        if (g) g.push(c); else byTo.set(to, [c]);
      }
      for (const [to, cs] of byTo) {
        let moved = cs;
        if (await this.repo.advance(queue, cs, from, to, now) !== cs.length) {
          // Some cursor moved meanwhile (another hub, or the id was forgotten): believe the database.
          const actual = await this.repo.cursors(queue, cs);
          moved = cs.filter((c) => actual.get(c) === to);
          for (const c of cs) if (!moved.includes(c)) { this.state(queue, c, now).lastId = null; lane.fresh.add(c); }
        }
        const take = rows.slice(0, rows.findIndex((r) => r.id === to) + 1);
        for (const c of moved) {
          const st = this.state(queue, c, now);
          Object.assign(st, { lastId: to, seenAt: now, persistedAt: now });
          // The chosen request may have gone away meanwhile: the next request of that id gets the messages.
          const w = heads.get(c)!.done ? lane.waiters.get(c)?.[0] : heads.get(c)!;
          if (!w) {
            // Nobody of that id waits any more: put its cursor back so the messages are not lost to it.
            if (await this.repo.advance(queue, [c], to, from, now) === 1) st.lastId = from;
            else st.lastId = null;
            continue;
          }
          const newest = take[take.length - 1];
          if (w.since <= newest.at) this.metrics.deliverSeconds.observe(Math.max(0, Date.now() - newest.at) / 1000);
          this.metrics.messages.inc({ event: 'delivered' }, take.length);
          this.finish(lane, w, take);
          // More may be pending for this id's next request.
          if (lane.waiters.has(c) && (take.length < rows.length || rows.length === limit)) lane.fresh.add(c);
        }
      }
    }
  }

  /** Read the cursors this hub does not know; an id seen for the first time gets one at the current end of the queue. */
  private async loadCursors(queue: string, names: string[], now: number): Promise<void> {
    const unknown = names.filter((c) => this.state(queue, c, now).lastId === null);
    if (!unknown.length) return;
    const found = await this.repo.cursors(queue, unknown);
    const missing = unknown.filter((c) => !found.has(c));
    if (missing.length) {
      await this.repo.createCursors(queue, missing, await this.repo.lastId(queue), now);
      for (const [c, id] of await this.repo.cursors(queue, missing)) found.set(c, id);
    }
    for (const c of unknown) {
      const st = this.state(queue, c, now);
      st.lastId = found.get(c) ?? null;
      if (missing.includes(c)) st.persistedAt = now;
    }
  }

  private finish(lane: Lane, w: Waiter, result: StoredMessage[] | Error): void {
    if (w.done) return;
    w.done = true;
    if (w.timer) clearTimeout(w.timer);
    this.metrics.waiting.dec();
    const list = lane.waiters.get(w.consumer);
    if (list) {
      const i = list.indexOf(w);
      if (i >= 0) list.splice(i, 1);
      if (!list.length) lane.waiters.delete(w.consumer);
    }
    if (!lane.waiters.size && this.lanes.get(lane.queue) === lane) this.lanes.delete(lane.queue);
    this.see(lane.queue, w.consumer, Date.now());
    w.settle(result);
  }

  private state(queue: string, consumer: string, now: number): ConsumerState {
    const k = key(queue, consumer);
    let st = this.states.get(k);
    if (!st) this.states.set(k, (st = { lastId: null, seenAt: now, persistedAt: 0 }));
    return st;
  }

  private see(queue: string, consumer: string, now: number): void {
    this.state(queue, consumer, now).seenAt = now;
  }
}

const key = (queue: string, consumer: string) => `${queue}\n${consumer}`;
