/**
 * Tables of the kiosk message queue (append these schemas to `entities` in
 * `server/db/entities.ts`). Times are Unix milliseconds. Message ids come from
 * one auto-increment sequence shared by all queues: a consumer's cursor is the
 * id of the last message it was given, and it is given the messages of its
 * queue with a larger id. Queue and consumer names are stored in lower case
 * (MariaDB's default collation compares them without case, SQLite would not).
 */
import { BigIntType, EntitySchema } from '@mikro-orm/core';

/** Longest queue or consumer name, characters. */
export const NAME_MAX = 64;

/** One message. `body` is its JSON text. */
export interface QueueMessage { id: number; queue: string; body: string; at: number }
export const QueueMessageSchema = new EntitySchema<QueueMessage>({
  name: 'QueueMessage', tableName: 'queue_messages',
  // (queue, id): a consumer's next messages, a new consumer's start, trimming to the maximum length.
  // (at): the expiry sweep.
  indexes: [{ properties: ['queue', 'id'] }, { properties: ['at'] }],
  properties: {
    // Never reused (SQLite: AUTOINCREMENT; MariaDB ≥ 10.2.4 and MySQL 8 keep the counter across restarts), so a
    // cursor never hides a newer message. INT UNSIGNED on MySQL (4.29e9 ids, 136 years at one message a second):
    // MikroORM 6 reads a BIGINT key back from SQLite as a schema change, so it is the type the other tables use.
    id: { type: 'integer', primary: true, autoincrement: true },
    queue: { type: 'string', length: NAME_MAX },
    body: { type: 'text' },
    at: { type: new BigIntType('number') },
  },
});

/**
 * The cursor of one consumer id on one queue: `lastId` is the id of the last message given to it.
 * `movedBy` names the hub round that last moved it, so a hub that moved several cursors in one
 * statement can tell which were its own when another hub moved some of them first.
 */
export interface QueueConsumer { queue: string; consumer: string; lastId: number; seenAt: number; movedBy: string | null }
export const QueueConsumerSchema = new EntitySchema<QueueConsumer>({
  name: 'QueueConsumer', tableName: 'queue_consumers',
  // (seen_at): forgetting consumers unseen for a while.
  indexes: [{ properties: ['seenAt'] }],
  properties: {
    queue: { type: 'string', length: NAME_MAX, primary: true },
    consumer: { type: 'string', length: NAME_MAX, primary: true },
    lastId: { type: new BigIntType('number') },
    seenAt: { type: new BigIntType('number') },
    movedBy: { type: 'string', length: 24, nullable: true },
  },
});

/** Per queue: messages dropped because the queue was full (oldest first), and messages removed when their TTL ran out. */
export interface QueueStats { queue: string; dropped: number; expired: number }
export const QueueStatsSchema = new EntitySchema<QueueStats>({
  name: 'QueueStats', tableName: 'queue_stats',
  properties: {
    queue: { type: 'string', length: NAME_MAX, primary: true },
    dropped: { type: new BigIntType('number'), default: 0 },
    expired: { type: new BigIntType('number'), default: 0 },
  },
});

export const queueEntities = [QueueMessageSchema, QueueConsumerSchema, QueueStatsSchema];
