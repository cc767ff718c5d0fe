/**
 * SQL of the kiosk message queue. Each method is one or two statements that use
 * an index: (queue, id) for a consumer's next messages, a new consumer's start and
 * trimming; (at) for expiry; the (queue, consumer) key and (seen_at) for cursors.
 */
import type { Knex } from '@mikro-orm/knex';
import { upsertSql, type Dialect, type Orm } from '../db/orm.js';
import { MessageInserter } from './queue.inserts.js';

/** A message as stored: `body` is JSON text; `at` when it was sent, ms. */
export interface StoredMessage { id: number; body: string; at: number }

/** Cursors of one queue that move to the same place: `lastId`, seen at `seenAt` (ms). */
export interface CursorGroup { queue: string; consumers: string[]; lastId: number; seenAt: number }

const MESSAGES = 'queue_messages';
const CONSUMERS = 'queue_consumers';
const STATS = 'queue_stats';

/** Affected rows of an UPDATE/DELETE as knex answers it: a number, or (raw) mysql2's header or libsql's run result. */
const affected = (r: any): number => (typeof r === 'number' ? r : Number(r?.[0]?.affectedRows ?? r?.changes ?? r?.rowsAffected ?? 0));

export class QueueRepository {
  private knex: Knex;
  /** Pushes are written in batches, one commit each (`queue.inserts.ts`). */
  readonly inserter: MessageInserter;

  constructor(orm: Orm, private dialect: Dialect) {
    this.knex = (orm.em as any).getKnex();
    this.inserter = new MessageInserter(this.knex, dialect);
  }

  /** Store a message; returns its id once it is committed (together with the pushes that came at the same time). */
  insert(queue: string, body: string, at: number): Promise<number> {
    return this.inserter.insert({ queue, body, at });
  }

  /** Up to `limit` messages of `queue` after `afterId` sent at or after `since` (ms), oldest first. */
  async after(queue: string, afterId: number, since: number, limit: number): Promise<StoredMessage[]> {
    const rows = await this.knex(MESSAGES).select('id', 'body', 'at')
      .where('queue', queue).andWhere('id', '>', afterId).andWhere('at', '>=', since)
      .orderBy('id', 'asc').limit(limit);
    return rows.map((r: any) => ({ id: Number(r.id), body: r.body, at: Number(r.at) }));
  }

  /** Every message of `queue`, oldest first. */
  async all(queue: string): Promise<StoredMessage[]> {
    const rows = await this.knex(MESSAGES).select('id', 'body', 'at').where('queue', queue).orderBy('id', 'asc');
    return rows.map((r: any) => ({ id: Number(r.id), body: r.body, at: Number(r.at) }));
  }

  /** Put the cursors of each group's `consumers` at its `lastId`, seen at `seenAt` (those that exist), in one transaction. */
  async writeCursorGroups(groups: CursorGroup[]): Promise<void> {
    const write = (k: Knex | Knex.Transaction, g: CursorGroup) =>
      k(CONSUMERS).update({ last_id: g.lastId, seen_at: g.seenAt }).where('queue', g.queue).whereIn('consumer', g.consumers);
    if (groups.length <= 1) { for (const g of groups) await write(this.knex, g); return; }
    await this.knex.transaction(async (trx) => { for (const g of groups) await write(trx, g); });
  }

  /**
   * In one transaction: the cursor groups (as `writeCursorGroups`), and for each of `drops` the messages of
   * its queue up to id `upTo` deleted and counted as dropped (by the rows deleted).
   */
  async writeCursorsAndDrops(groups: CursorGroup[], drops: { queue: string; upTo: number }[]): Promise<void> {
    if (!drops.length) return this.writeCursorGroups(groups);
    await this.knex.transaction(async (trx) => {
      for (const g of groups) {
        await trx(CONSUMERS).update({ last_id: g.lastId, seen_at: g.seenAt }).where('queue', g.queue).whereIn('consumer', g.consumers);
      }
      for (const d of drops) {
        const n = affected(await trx(MESSAGES).where('queue', d.queue).andWhere('id', '<=', d.upTo).delete());
        if (n) await this.addStats(d.queue, n, 0, trx);
      }
    });
  }

  /** The id of the newest message of `queue` (0 if none): where a new consumer starts. */
  async lastId(queue: string): Promise<number> {
    const row = await this.knex(MESSAGES).where('queue', queue).max({ m: 'id' }).first();
    return Number(row?.m ?? 0);
  }

  async count(queue: string): Promise<number> {
    const row = await this.knex(MESSAGES).where('queue', queue).count({ n: '*' }).first();
    return Number(row?.n ?? 0);
  }

  /** The cursors of these consumers of `queue` that exist. */
  async cursors(queue: string, consumers: string[]): Promise<Map<string, number>> {
    const rows = await this.knex(CONSUMERS).select('consumer', 'last_id').where('queue', queue).whereIn('consumer', consumers);
    return new Map(rows.map((r: any) => [r.consumer, Number(r.last_id)]));
  }

  /** Create cursors at `lastId`, leaving any that exist (another request or hub was first) as they are. */
  async createCursors(queue: string, consumers: string[], lastId: number, now: number): Promise<void> {
    await this.knex(CONSUMERS).insert(consumers.map((consumer) => ({ queue, consumer, last_id: lastId, seen_at: now })))
      .onConflict(['queue', 'consumer']).ignore();
  }

  /**
   * Move the cursors of `consumers` from `fromId` to `toId`, marking them with `token` (compare-and-set:
   * a cursor that moved meanwhile is left alone). Returns how many moved.
   */
  async advance(queue: string, consumers: string[], fromId: number, toId: number, now: number, token: string): Promise<number> {
    return affected(await this.knex(CONSUMERS).update({ last_id: toId, seen_at: now, moved_by: token })
      .where('queue', queue).andWhere('last_id', fromId).whereIn('consumer', consumers));
  }

  /** Which of `consumers` were last moved with `token`. */
  async movedBy(queue: string, consumers: string[], token: string): Promise<Set<string>> {
    const rows = await this.knex(CONSUMERS).select('consumer').where('queue', queue).andWhere('moved_by', token).whereIn('consumer', consumers);
    return new Set(rows.map((r: any) => r.consumer));
  }

  /** Put a consumer's cursor at `lastId` (creating it if needed). */
  async setCursor(queue: string, consumer: string, lastId: number, now: number): Promise<void> {
    await this.knex(CONSUMERS).insert({ queue, consumer, last_id: lastId, seen_at: now })
      .onConflict(['queue', 'consumer']).merge(['last_id', 'seen_at']);
  }

  async deleteConsumer(queue: string, consumer: string): Promise<void> {
    await this.knex(CONSUMERS).where({ queue, consumer }).delete();
  }

  /** Record that these consumers of `queue` were seen at `now`. */
  async touch(queue: string, consumers: string[], now: number): Promise<void> {
    await this.knex(CONSUMERS).update({ seen_at: now }).where('queue', queue).whereIn('consumer', consumers);
  }

  /** Forget consumers last seen before `cutoff` (ms); returns how many. */
  async forgetBefore(cutoff: number): Promise<number> {
    return affected(await this.knex(CONSUMERS).where('seen_at', '<', cutoff).delete());
  }

  /** Delete messages sent before `cutoff` (ms), counting them per queue; returns the counts. */
  async expire(cutoff: number): Promise<Map<string, number>> {
    const queues: string[] = (await this.knex(MESSAGES).distinct('queue').where('at', '<', cutoff)).map((r: any) => r.queue);
    const out = new Map<string, number>();
    for (const queue of queues) {
      const n = affected(await this.knex(MESSAGES).where('queue', queue).andWhere('at', '<', cutoff).delete());
      if (n) { out.set(queue, n); await this.addStats(queue, 0, n); }
    }
    return out;
  }

  /** Drop the oldest messages of `queue` beyond the newest `max`; returns how many were dropped. */
  async trim(queue: string, max: number): Promise<number> {
    const edge = await this.knex(MESSAGES).select('id').where('queue', queue).orderBy('id', 'desc').offset(max).limit(1).first();
    if (!edge) return 0;
    const n = affected(await this.knex(MESSAGES).where('queue', queue).andWhere('id', '<=', Number(edge.id)).delete());
    if (n) await this.addStats(queue, n, 0);
    return n;
  }

  /** Queues holding more than `max` messages (several hubs can each push past the limit at once). */
  async overfull(max: number): Promise<string[]> {
    const rows = await this.knex(MESSAGES).select('queue').groupBy('queue').havingRaw('count(*) > ?', [max]);
    return rows.map((r: any) => r.queue);
  }

  private async addStats(queue: string, dropped: number, expired: number, k: Knex | Knex.Transaction = this.knex): Promise<void> {
    const sql = upsertSql(this.dialect, STATS, ['queue', 'dropped', 'expired'], ['queue'], 1,
      { dropped: 'OLD(dropped) + NEW(dropped)', expired: 'OLD(expired) + NEW(expired)' });
    await k.raw(sql, [queue, dropped, expired]);
  }

  /** Messages held, consumers known, and messages dropped and expired so far, of one queue. */
  async stats(queue: string): Promise<{ messages: number; consumers: number; dropped: number; expired: number }> {
    const [messages, consumers, row] = await Promise.all([
      this.count(queue),
      this.knex(CONSUMERS).where('queue', queue).count({ n: '*' }).first().then((r: any) => Number(r?.n ?? 0)),
      this.knex(STATS).select('dropped', 'expired').where('queue', queue).first(),
    ]);
    return { messages, consumers, dropped: Number(row?.dropped ?? 0), expired: Number(row?.expired ?? 0) };
  }
}
