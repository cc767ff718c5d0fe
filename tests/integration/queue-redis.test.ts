/**
 * Two hubs on one database, woken through a real Redis (REDIS_URL, default redis://127.0.0.1:6379),
 * on SQLite and on MariaDB. Needs the `ioredis` package: it fails with a clear message until it is installed.
 */
import { openDatabase } from '../../server/db/orm.js';
import { randomBytes } from 'node:crypto';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { MikroORM } from '@mikro-orm/core';
import { dialectOf, ormOptions, type Orm } from '../../server/db/orm.js';
import { entities } from '../../server/db/entities.js';
import { queueEntities } from '../../server/queue/queue.entities.js';
import { QueueService } from '../../server/queue/queue.service.js';
import { connectRedisWaker, type RedisQueueWaker } from '../../server/queue/queue.waker.redis.js';
import { createTestDb, type TestDb } from '../helpers/db.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

async function openQueueDb(url: string): Promise<Orm> {
  return openDatabase(url);
}

interface TestQueueHub { queues: QueueService; waker: RedisQueueWaker; orm: Orm; close(): Promise<void> }

async function startQueueHub(db: TestDb, channel: string): Promise<TestQueueHub> {
  let waker: RedisQueueWaker;
  try {
    waker = await connectRedisWaker(REDIS_URL, { channel });
  } catch (err: any) {
    if (err?.code === 'ERR_MODULE_NOT_FOUND') throw new Error('the ioredis package is not installed: `npm i ioredis` (needed for REDIS_URL)');
    throw new Error(`Redis is required for this test and is not reachable at ${REDIS_URL}: ${err?.message}`);
  }
  const orm = await openQueueDb(db.url);
  const queues = new QueueService(orm, dialectOf(db.url), waker);
  queues.start();
  return { queues, waker, orm, async close() { await queues.stop(); await waker.close(); await orm.close(true); } };
}

for (const kind of ['sqlite', 'mysql'] as const) {
  const ctx = { db: undefined as unknown as TestDb, a: undefined as unknown as TestQueueHub, b: undefined as unknown as TestQueueHub, setupError: null as unknown };
  const test = suite(`RedisQueueWaker across two hubs (${kind})`, ctx);
  test.before(async (c) => {
    // uvu 0.5 drops an error thrown in `before` (and exits 0): keep it and fail every test with it.
    try {
      const channel = `rackpulse:test:${randomBytes(4).toString('hex')}`;
      c.db = await createTestDb(kind);
      c.a = await startQueueHub(c.db, channel);
      c.b = await startQueueHub(c.db, channel);
    } catch (err) { c.setupError = err; }
  });
  test.before.each((c) => { if (c.setupError) throw c.setupError; });
  test.after(async (c) => {
    await c.a?.close();
    await c.b?.close();
    await c.db?.drop();
  });

  test('should answer a long-poll on one hub within 50 ms of a push on the other', async ({ a, b }) => {
    await b.queues.pop('wall', 'd', { waitMs: 0 });
    const poll = b.queues.pop('wall', 'd', { waitMs: 5000 }).then((m) => ({ m, at: performance.now() }));
    await new Promise((r) => setTimeout(r, 50));
    await a.queues.push('wall', '"from a"');
    const pushed = performance.now();
    const { m, at } = await poll;
    assert.equal(m.map((x) => x.body), ['"from a"']);
    assert.ok(at - pushed < 50, `answered ${(at - pushed).toFixed(1)} ms after the push`);
  });

  test('should give a message once to a consumer id waiting on both hubs', async ({ a, b }) => {
    await a.queues.pop('both', 'd', { waitMs: 0 });
    const polls = [a.queues.pop('both', 'd', { waitMs: 1000 }), b.queues.pop('both', 'd', { waitMs: 1000 })];
    await new Promise((r) => setTimeout(r, 50));
    await a.queues.push('both', '1');
    const got = (await Promise.all(polls)).flat().map((x) => x.body);
    assert.equal(got, ['1']);
  });

  test.run();
}
