/**
 * The queue's store when this hub is the only one using the database's queues
 * (no REDIS_URL): the same SQL underneath, with every queue's messages and every
 * cursor also held in memory, so a long-poll is answered without reading the
 * database and a delivery without writing it at once.
 *
 * - A push is still one INSERT, done before it is answered (a message the hub
 *   accepted survives a crash); the message then joins the queue's copy in memory.
 * - A queue's messages are read once, on its first use after a start.
 * - Cursors move in memory (compare-and-set as in the database) and are written
 *   in batches (one transaction) every `flushEveryMs` and when the hub stops. After a hard crash a
 *   consumer may be given again what it got in the last `flushEveryMs` (never
 *   less than that): delivery is at-least-once across a crash, exactly-once across
 *   a clean restart.
 * - A queue past its maximum length loses its oldest messages in memory at once
 *   (they are never delivered again); they are deleted from the database, and
 *   counted as dropped there, with the next cursor write (the same transaction).
 *   After a hard crash in between, the database holds them still: the next trim
 *   of that queue (its next push, or the sweep) drops and counts them then.
 */
import type { Dialect, Orm } from '../db/orm.js';
import type { Logger } from '../logger.js';
import { QueueRepository, type CursorGroup, type StoredMessage } from './queue.repository.js';

interface Cursor { lastId: number; seenAt: number; token: string; dirty: boolean }
const key = (queue: string, consumer: string) => `${queue}\n${consumer}`;

export class MemoryQueueRepository extends QueueRepository {
  private messages = new Map<string, StoredMessage[]>();
  private loading = new Map<string, Promise<StoredMessage[]>>();
  private cursorsByKey = new Map<string, Cursor>();
  private dirty = 0;
  /** Per queue, messages dropped in memory and not yet in the database: up to which id, and how many. */
  private drops = new Map<string, { upTo: number; n: number }>();
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> | null = null;

  constructor(orm: Orm, dialect: Dialect, private flushEveryMs = 200, private log?: Logger) {
    super(orm, dialect);
  }

  start(): void {
    this.timer = setInterval(() => { void this.flush(); }, this.flushEveryMs);
    this.timer.unref();
  }

  /** Write the cursors that moved; resolves when they are written (or the write failed and they wait for the next). */
  async flush(): Promise<void> {
    while (this.flushing) await this.flushing;
    if (!this.dirty && !this.drops.size) return;
    this.flushing = this.writeCursors().finally(() => { this.flushing = null; });
    return this.flushing;
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.flush();
  }

  private async writeCursors(): Promise<void> {
    const groups = new Map<string, { queue: string; lastId: number; seenAt: number; consumers: string[] }>();
    const taken: Cursor[] = [];
    for (const [k, c] of this.cursorsByKey) {
      if (!c.dirty) continue;
      const [queue, consumer] = k.split('\n');
      const gk = `${queue}\n${c.lastId}\n${c.seenAt}`;
      const g = groups.get(gk);
      if (g) g.consumers.push(consumer); else groups.set(gk, { queue, lastId: c.lastId, seenAt: c.seenAt, consumers: [consumer] });
      c.dirty = false;
      taken.push(c);
    }
    this.dirty = 0;
    const drops = this.drops;
    this.drops = new Map();
    try {
      const parts: CursorGroup[] = [];
      for (const g of groups.values()) {
        for (let i = 0; i < g.consumers.length; i += 500) parts.push({ ...g, consumers: g.consumers.slice(i, i + 500) });
      }
      await this.writeCursorsAndDrops(parts, [...drops].map(([queue, d]) => ({ queue, upTo: d.upTo })));
    } catch (err: any) {
      this.log?.warn({ err: err?.message }, 'queue cursors not written; trying again');
      for (const c of taken) if (!c.dirty) { c.dirty = true; this.dirty++; }
      for (const [queue, d] of drops) this.addDrops(queue, d.upTo, d.n);
    }
  }

  private async ensure(queue: string): Promise<StoredMessage[]> {
    const have = this.messages.get(queue);
    if (have) return have;
    let p = this.loading.get(queue);
    if (!p) {
      p = this.all(queue).then((rows) => { this.messages.set(queue, rows); return rows; }).finally(() => this.loading.delete(queue));
      this.loading.set(queue, p);
    }
    return p;
  }

  /**
   * Without waiting: up to `limit` messages of `queue` after `afterId` sent at or after `since`, oldest
   * first; null when the queue's messages are not in memory yet.
   */
  afterNow(queue: string, afterId: number, since: number, limit: number): StoredMessage[] | null {
    const list = this.messages.get(queue);
    if (!list) return null;
    let lo = 0, hi = list.length;
    while (lo < hi) { const mid = (lo + hi) >> 1; if (list[mid].id <= afterId) lo = mid + 1; else hi = mid; }
    const out: StoredMessage[] = [];
    for (let i = lo; i < list.length && out.length < limit; i++) if (list[i].at >= since) out.push(list[i]);
    return out;
  }

  /** Without waiting: move one cursor held in memory from `fromId` to `toId` (compare-and-set); false if it is not there or moved. */
  advanceNow(queue: string, consumer: string, fromId: number, toId: number, now: number, token: string): boolean {
    const cur = this.cursorsByKey.get(key(queue, consumer));
    if (!cur || cur.lastId !== fromId) return false;
    cur.lastId = toId; cur.seenAt = now; cur.token = token;
    if (!cur.dirty) { cur.dirty = true; this.dirty++; }
    return true;
  }

  override async insert(queue: string, body: string, at: number): Promise<number> {
    const list = this.messages.get(queue) ?? await this.ensure(queue);
    const id = await super.insert(queue, body, at);
    // Pushes of one queue are serialized by the service, so ids arrive in order.
    if (!list.length || list[list.length - 1].id < id) list.push({ id, body, at });
    return id;
  }

  override async after(queue: string, afterId: number, since: number, limit: number): Promise<StoredMessage[]> {
    if (!this.messages.has(queue)) await this.ensure(queue);
    return this.afterNow(queue, afterId, since, limit)!;
  }

  override async lastId(queue: string): Promise<number> {
    const list = await this.ensure(queue);
    return list.length ? list[list.length - 1].id : 0;
  }

  override async count(queue: string): Promise<number> {
    return (await this.ensure(queue)).length;
  }

  override async cursors(queue: string, consumers: string[]): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    const unknown: string[] = [];
    for (const c of consumers) {
      const cur = this.cursorsByKey.get(key(queue, c));
      if (cur) out.set(c, cur.lastId); else unknown.push(c);
    }
    if (unknown.length) {
      for (const [c, id] of await super.cursors(queue, unknown)) {
        if (!this.cursorsByKey.has(key(queue, c))) this.cursorsByKey.set(key(queue, c), { lastId: id, seenAt: Date.now(), token: '', dirty: false });
        out.set(c, this.cursorsByKey.get(key(queue, c))!.lastId);
      }
    }
    return out;
  }

  override async advance(queue: string, consumers: string[], fromId: number, toId: number, now: number, token: string): Promise<number> {
    const unknown = consumers.filter((c) => !this.cursorsByKey.has(key(queue, c)));
    if (unknown.length) await this.cursors(queue, unknown);
    let n = 0;
    for (const c of consumers) {
      const cur = this.cursorsByKey.get(key(queue, c));
      if (!cur || cur.lastId !== fromId) continue;
      cur.lastId = toId; cur.seenAt = now; cur.token = token;
      if (!cur.dirty) { cur.dirty = true; this.dirty++; }
      n++;
    }
    return n;
  }

  override async movedBy(queue: string, consumers: string[], token: string): Promise<Set<string>> {
    return new Set(consumers.filter((c) => this.cursorsByKey.get(key(queue, c))?.token === token));
  }

  override async setCursor(queue: string, consumer: string, lastId: number, now: number): Promise<void> {
    await super.setCursor(queue, consumer, lastId, now);
    const cur = this.cursorsByKey.get(key(queue, consumer));
    if (cur) { cur.lastId = lastId; cur.seenAt = now; cur.token = ''; if (cur.dirty) { cur.dirty = false; this.dirty--; } }
    else this.cursorsByKey.set(key(queue, consumer), { lastId, seenAt: now, token: '', dirty: false });
  }

  override async deleteConsumer(queue: string, consumer: string): Promise<void> {
    const cur = this.cursorsByKey.get(key(queue, consumer));
    if (cur?.dirty) this.dirty--;
    this.cursorsByKey.delete(key(queue, consumer));
    await super.deleteConsumer(queue, consumer);
  }

  override async touch(queue: string, consumers: string[], now: number): Promise<void> {
    await super.touch(queue, consumers, now);
    for (const c of consumers) { const cur = this.cursorsByKey.get(key(queue, c)); if (cur && cur.seenAt < now) cur.seenAt = now; }
  }

  override async forgetBefore(cutoff: number): Promise<number> {
    await this.flush();
    const n = await super.forgetBefore(cutoff);
    for (const [k, cur] of this.cursorsByKey) {
      if (cur.seenAt < cutoff) { if (cur.dirty) this.dirty--; this.cursorsByKey.delete(k); }
    }
    return n;
  }

  override async expire(cutoff: number): Promise<Map<string, number>> {
    await this.flush(); // the drops first, so a message dropped and expired is counted once
    const out = await super.expire(cutoff);
    for (const [queue, list] of this.messages) {
      const keep = list.filter((m) => m.at >= cutoff);
      if (keep.length !== list.length) this.messages.set(queue, keep);
    }
    return out;
  }

  /** Drop the oldest messages of `queue` beyond the newest `max` in memory now, in the database with the next flush. */
  override async trim(queue: string, max: number): Promise<number> {
    const list = this.messages.get(queue) ?? await this.ensure(queue);
    if (list.length <= max) return 0;
    const gone = list.splice(0, list.length - max);
    this.addDrops(queue, gone[gone.length - 1].id, gone.length);
    return gone.length;
  }

  /** Counts the drops not yet written, too. */
  override async stats(queue: string): Promise<{ messages: number; consumers: number; dropped: number; expired: number }> {
    const s = await super.stats(queue);
    return { ...s, dropped: s.dropped + (this.drops.get(queue)?.n ?? 0) };
  }

  private addDrops(queue: string, upTo: number, n: number): void {
    const d = this.drops.get(queue);
    if (d) { d.upTo = Math.max(d.upTo, upTo); d.n += n; } else this.drops.set(queue, { upTo, n });
  }
}
