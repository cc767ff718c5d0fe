/**
 * Waiting long-polls and how they are answered. A request becomes a waiter of its
 * queue's lane. A lane runs "rounds", one at a time per queue (cursor changes of
 * `clear`/`forget` take their turn among them): the consumer ids to look at are
 * grouped by cursor; each group costs one SELECT of the messages after it and one
 * compare-and-set UPDATE of its cursors, and the oldest request of each id is
 * answered. A request's first round looks at once; later rounds run only when a
 * wake-up says its queue got a message (no polling).
 *
 * With the store in memory (one hub), a request whose messages are already at hand is answered at
 * once, without becoming a waiter (`popReady`).
 */
import { randomBytes } from 'node:crypto';
import type { Logger } from '../logger.js';
import type { ConsumerCache } from './queue.consumers.js';
import type { QueueMetrics } from './queue.metrics.js';
import type { QueueOptions } from './queue.options.js';
import type { QueueRepository, StoredMessage } from './queue.repository.js';
import { MemoryQueueRepository } from './queue.memory.js';
import { KeyedSerial } from './queue.serial.js';

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

/** What a long-poll watches to end early: an AbortSignal, or a lighter stand-in (`clientGone` in queue.routes.ts). */
export interface GiveUp {
  readonly aborted: boolean;
  addEventListener(type: 'abort', listener: () => void, options?: { once?: boolean }): void;
}

/** Pause before a failed round (database unreachable) is tried again, ms. */
const RETRY_MS = 1000;

export class QueueDelivery {
  private lanes = new Map<string, Lane>();
  private rounds = new KeyedSerial();
  private stopped = false;
  /** Names this hub's cursor updates (`moved_by`), unique across hubs. */
  private readonly hubId = randomBytes(6).toString('hex');
  private moves = 0;

  constructor(
    private repo: QueueRepository,
    private consumers: ConsumerCache,
    private options: QueueOptions,
    private metrics: QueueMetrics,
    private log?: Logger,
  ) {}

  /**
   * Without waiting: the next messages of `consumer` when they are at hand, which is when the store holds
   * the queue and the cursor in memory, no round of the queue is queued or running (nothing can move the
   * cursor meanwhile) and no earlier request of that id waits (it is served first). Null: there are
   * none at hand, or it cannot tell without a round (`pop`).
   */
  popReady(queue: string, consumer: string, limit?: number): StoredMessage[] | null {
    const repo = this.repo;
    if (this.stopped || !(repo instanceof MemoryQueueRepository) || this.rounds.busy(queue)) return null;
    if (this.lanes.get(queue)?.waiters.has(consumer)) return null;
    const now = Date.now();
    const st = this.consumers.get(queue, consumer, now);
    st.seenAt = now;
    const from = st.lastId;
    if (from === null) return null;
    const rows = repo.afterNow(queue, from, now - this.options.ttlMs, this.limitOf(limit));
    if (!rows?.length) return null;
    const to = rows[rows.length - 1].id;
    if (!repo.advanceNow(queue, consumer, from, to, now, this.token())) return null;
    st.lastId = to;
    st.persistedAt = now;
    this.metrics.messages.inc({ event: 'delivered' }, rows.length);
    return rows;
  }

  /** See `QueueService.pop`. */
  pop(queue: string, consumer: string, o: { waitMs: number; limit?: number; signal?: GiveUp }): Promise<StoredMessage[]> {
    if (this.stopped || o.signal?.aborted) return Promise.resolve([]);
    const ready = this.popReady(queue, consumer, o.limit);
    if (ready) return Promise.resolve(ready);
    const now = Date.now();
    this.consumers.see(queue, consumer, now);
    return new Promise((resolve, reject) => {
      let lane = this.lanes.get(queue);
      if (!lane) this.lanes.set(queue, (lane = new Lane(queue)));
      const l = lane;
      const w: Waiter = {
        consumer, since: now, limit: this.limitOf(o.limit),
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

  /** `queue` got a message (null: any queue may have): its waiting ids look again. */
  wake(queue: string | null): void {
    for (const lane of queue === null ? this.lanes.values() : [this.lanes.get(queue)]) {
      if (!lane) continue;
      lane.all = true;
      this.schedule(lane);
    }
  }

  /** Run `job` in `queue`'s round order (for cursor changes that must not interleave with a round). */
  inTurn<T>(queue: string, job: () => Promise<T>): Promise<T> {
    return this.rounds.run(queue, job);
  }

  /** Answer the waiting requests of one consumer id with nothing. */
  release(queue: string, consumer: string): void {
    const lane = this.lanes.get(queue);
    for (const w of [...(lane?.waiters.get(consumer) ?? [])]) this.finish(lane!, w, []);
  }

  /** The (queue, consumer id) pairs with a waiting request. */
  *waiting(): Iterable<[string, string]> {
    for (const lane of this.lanes.values()) for (const c of lane.waiters.keys()) yield [lane.queue, c];
  }

  /** Answer every waiting request with nothing and let running rounds finish. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const lane of [...this.lanes.values()]) for (const list of [...lane.waiters.values()]) for (const w of [...list]) this.finish(lane, w, []);
    await this.rounds.drain();
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
      const last = this.consumers.get(queue, c, now).lastId;
      if (last === null) continue;
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
        const take = rows.slice(0, rows.findIndex((r) => r.id === to) + 1);
        for (const c of await this.advance(lane, cs, from, to, now)) {
          const st = this.consumers.get(queue, c, now);
          Object.assign(st, { lastId: to, seenAt: now, persistedAt: now });
          // The chosen request may have gone away meanwhile: the next request of that id gets the messages.
          const w = heads.get(c)!.done ? lane.waiters.get(c)?.[0] : heads.get(c)!;
          if (!w) {
            // Nobody of that id waits any more: put its cursor back so the messages are not lost to it.
            st.lastId = await this.repo.advance(queue, [c], to, from, now, this.token()) === 1 ? from : null;
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

  /**
   * Move the cursors of `cs` from `from` to `to` in one statement; returns the ids whose cursor this
   * hub moved. The others moved meanwhile (another hub served the same id, or it was forgotten):
   * their cursors are read again in the next round.
   */
  private async advance(lane: Lane, cs: string[], from: number, to: number, now: number): Promise<string[]> {
    const token = this.token();
    const n = await this.repo.advance(lane.queue, cs, from, to, now, token);
    let moved = n === cs.length ? cs : [];
    if (n > 0 && n < cs.length) {
      const mine = await this.repo.movedBy(lane.queue, cs, token);
      moved = cs.filter((c) => mine.has(c));
    }
    if (moved.length < cs.length) {
      for (const c of cs) if (!moved.includes(c)) { this.consumers.get(lane.queue, c, now).lastId = null; lane.fresh.add(c); }
    }
    return moved;
  }

  /** Read the cursors this hub does not know; an id seen for the first time gets one at the current end of the queue. */
  private async loadCursors(queue: string, names: string[], now: number): Promise<void> {
    const unknown = names.filter((c) => this.consumers.get(queue, c, now).lastId === null);
    if (!unknown.length) return;
    const found = await this.repo.cursors(queue, unknown);
    const missing = unknown.filter((c) => !found.has(c));
    if (missing.length) {
      await this.repo.createCursors(queue, missing, await this.repo.lastId(queue), now);
      for (const [c, id] of await this.repo.cursors(queue, missing)) found.set(c, id);
    }
    for (const c of unknown) {
      const st = this.consumers.get(queue, c, now);
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
    this.consumers.see(lane.queue, w.consumer, Date.now());
    w.settle(result);
  }

  /** Most messages one request takes: its `limit`, within 1 … batchLimit. */
  private limitOf(limit: number | undefined): number {
    return Math.max(1, Math.min(limit ?? this.options.batchLimit, this.options.batchLimit));
  }

  /** A name for one cursor update, unique across hubs. */
  private token(): string {
    return this.hubId + (++this.moves).toString(36);
  }
}
