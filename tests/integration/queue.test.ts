/**
 * The kiosk message queue (REST and the Touchscreen `/messenger`) over real HTTP, on SQLite and on MariaDB.
 * Until the hub mounts the queue, each suite builds a small Koa app the way the hub does (error handler,
 * session user, JSON body parser) with the queue router and service, over a database of its own whose
 * schema comes from the entities (`updateSchema`) rather than the migrations.
 */
import { openDatabase } from '../../server/db/orm.js';
import { createServer, type Server } from 'node:http';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import Koa from 'koa';
import { bodyParser } from '@koa/bodyparser';
import { MikroORM } from '@mikro-orm/core';
import { pino } from 'pino';
import { dialectOf, ormOptions, type Orm } from '../../server/db/orm.js';
import { entities } from '../../server/db/entities.js';
import { SessionService, SESSION_COOKIE } from '../../server/auth/session.service.js';
import { createMetrics } from '../../server/metrics.js';
import { errorMiddleware } from '../../server/http/errors.js';
import { sessionRoutes } from '../../server/http/session.routes.js';
import type { AppState, HubDeps } from '../../server/http/context.js';
import { queueEntities } from '../../server/queue/queue.entities.js';
import { QueueService } from '../../server/queue/queue.service.js';
import { LocalQueueWaker } from '../../server/queue/queue.waker.js';
import { queueRoutes } from '../../server/queue/queue.routes.js';
import { messengerRoutes } from '../../server/queue/queue.messenger.js';
import type { QueueOptions } from '../../server/queue/queue.options.js';
import { ADMIN, Api, until } from '../helpers/hub.js';
import { assertError } from '../helpers/rest.js';
import { createTestDb, type DbKind, type TestDb } from '../helpers/db.js';

const log = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });

/** The hub's database, brought up to date by the migrations. */
async function openQueueDb(url: string): Promise<Orm> {
  return openDatabase(url);
}

/** Which store the apps below use: the database alone (as with several hubs) or with the in-memory copy (one hub). */
const mode = { exclusive: false };

interface QueueApp { url: string; admin: Api; queues: QueueService; db: TestDb; close(): Promise<void> }

async function startQueueApp(db: TestDb, options: Partial<QueueOptions> = {}, messenger: { enabled?: boolean; waitMs?: number } = {}): Promise<QueueApp> {
  const orm = await openQueueDb(db.url);
  const sessions = new SessionService(orm);
  await sessions.ensureAdmin(ADMIN.email, ADMIN.password);
  const queues = new QueueService(orm, dialectOf(db.url), new LocalQueueWaker(), { exclusive: mode.exclusive, ...options }, log);
  queues.start();
  const app = new Koa<AppState>();
  app.use(errorMiddleware(log));
  app.use(async (ctx, next) => {
    ctx.state.user = ctx.path.startsWith('/api/') ? await sessions.userOf(ctx.cookies.get(SESSION_COOKIE)) : null;
    await next();
  });
  app.use(bodyParser({ enableTypes: ['json'], jsonLimit: '64kb', encoding: 'utf-8' }));
  const routers = [
    sessionRoutes({ sessions, metrics: createMetrics() } as unknown as HubDeps),
    queueRoutes(queues),
    messengerRoutes(queues, { enabled: messenger.enabled ?? true, waitMs: messenger.waitMs, log }),
  ];
  for (const r of routers) app.use(r.routes()).use(r.allowedMethods());
  const http: Server = createServer(app.callback());
  await new Promise<void>((res) => http.listen(0, '127.0.0.1', res));
  const addr = http.address();
  const url = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
  const admin = await new Api(url).login(ADMIN.email, ADMIN.password);
  return {
    url, admin, queues, db,
    async close() {
      await queues.stop();
      http.closeAllConnections();
      await new Promise<void>((res) => http.close(() => res()));
      await orm.close(true);
    },
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const pop = (api: Api, queue: string, consumer: string, wait = 0) => api.get(`/api/queues/${queue}/messages?consumer=${consumer}&wait=${wait}`);
const push = async (api: Api, queue: string, body: unknown) => {
  const res = await api.post(`/api/queues/${queue}/messages`, { body });
  assert.is(res.status, 201, JSON.stringify(res.body));
  return res.body.id as number;
};
const bodies = (res: { status: number; body: any }) => (res.status === 204 ? [] : res.body.messages.map((m: any) => m.body));
const waiting = async (q: QueueService) => (await q.metrics.waiting.get()).values[0]?.value ?? 0;

/**
 * A suite with its own database and app; `opts` are the queue options of its app. A failed set-up fails
 * every test of the suite (uvu 0.5 drops an error thrown in `before` and exits 0).
 */
function queueSuite(name: string, kind: DbKind, opts: Partial<QueueOptions> = {}, messenger: { enabled?: boolean; waitMs?: number } = {}) {
  const ctx = { a: undefined as unknown as QueueApp, setupError: null as unknown };
  // Taken now: the suites run after the loop that sets the mode has ended.
  const exclusive = mode.exclusive;
  const s = suite(`${name} (${kind}${exclusive ? ', one hub: in memory' : ''})`, ctx);
  s.before(async (c) => {
    try { c.a = await startQueueApp(await createTestDb(kind), { exclusive, ...opts }, messenger); } catch (err) { c.setupError = err; }
  });
  s.before.each((c) => { if (c.setupError) throw c.setupError; });
  s.after(async (c) => { if (c.a) { await c.a.close(); await c.a.db.drop(); } });
  return s;
}

for (const [kind, exclusive] of [['sqlite', true], ['sqlite', false], ['mysql', true], ['mysql', false]] as const) {
  mode.exclusive = exclusive;
  // ---------------------------------------------------------------------------
  const rest = queueSuite('POST|GET /api/queues/:queue/messages', kind);

  rest('should answer 201 with an id for a JSON body, and 401 without a session', async ({ a }) => {
    const res = await a.admin.post('/api/queues/wall/messages', { body: { screen: 'fleet', t: 3 } });
    assert.is(res.status, 201);
    assert.equal(Object.keys(res.body), ['id']);
    assert.type(res.body.id, 'number');
    const anon = new Api(a.url);
    assertError(await anon.post('/api/queues/wall/messages', { body: 1 }), 401, 'unauthorized');
    assertError(await pop(anon, 'wall', 'd1'), 401, 'unauthorized');
    assertError(await anon.del('/api/queues/wall/consumers/d1'), 401, 'unauthorized');
  });

  rest('should give every consumer id every message sent after its first GET, oldest first', async ({ a }) => {
    await push(a.admin, 'fan', 'before');
    for (const c of ['d1', 'd2', 'd3']) assert.is((await pop(a.admin, 'fan', c)).status, 204, 'the first GET starts at the end');
    const ids = [await push(a.admin, 'fan', { n: 1 }), await push(a.admin, 'fan', [2]), await push(a.admin, 'fan', 'three')];
    for (const c of ['d1', 'd2', 'd3']) {
      const res = await pop(a.admin, 'fan', c);
      assert.is(res.status, 200);
      assert.equal(res.body.messages.map((m: any) => m.id), ids);
      assert.equal(bodies(res), [{ n: 1 }, [2], 'three']);
      for (const m of res.body.messages) assert.ok(Math.abs(m.at - Date.now()) < 10_000, 'at is the time it was stored, ms');
      assert.is((await pop(a.admin, 'fan', c)).status, 204, `${c} got each message once`);
    }
  });

  rest('should answer at most 100 messages, the rest on the next GET', async ({ a }) => {
    await pop(a.admin, 'many', 'd');
    for (let i = 0; i < 130; i++) await a.admin.post('/api/queues/many/messages', { body: i });
    const first = await pop(a.admin, 'many', 'd');
    const second = await pop(a.admin, 'many', 'd');
    assert.equal(bodies(first), Array.from({ length: 100 }, (_, i) => i));
    assert.equal(bodies(second), Array.from({ length: 30 }, (_, i) => 100 + i));
  });

  rest('should deliver each message once to the GETs that share a consumer id', async ({ a }) => {
    await pop(a.admin, 'shared', 'wall');
    const polls = [pop(a.admin, 'shared', 'wall', 5), pop(a.admin, 'shared', 'wall', 5)];
    await until(async () => (await waiting(a.queues)) === 2, 2000, 'two waiting GETs');
    await push(a.admin, 'shared', 'm1');
    await push(a.admin, 'shared', 'm2');
    const got = (await Promise.all(polls)).flatMap(bodies).sort();
    assert.equal(got, ['m1', 'm2'], 'one message each, none twice');
    assert.is((await pop(a.admin, 'shared', 'wall')).status, 204);
    assert.equal(bodies(await pop(a.admin, 'shared', 'other')), [], 'another id starts at the end');
  });

  rest('should answer a waiting long-poll within 50 ms of a push, before its wait runs out', async ({ a }) => {
    await pop(a.admin, 'fast', 'd');
    const started = Date.now();
    const poll = pop(a.admin, 'fast', 'd', 10).then((r) => ({ r, at: performance.now() }));
    await until(async () => (await waiting(a.queues)) === 1, 2000, 'a waiting GET');
    await sleep(50);
    await push(a.admin, 'fast', 'wake');
    const pushed = performance.now();
    const { r, at } = await poll;
    assert.is(r.status, 200);
    assert.equal(bodies(r), ['wake']);
    assert.ok(at - pushed < 50, `answered ${(at - pushed).toFixed(1)} ms after the push was answered`);
    assert.ok(Date.now() - started < 5000, 'long before its wait of 10 s ran out');
  });

  rest('should answer 204 when wait runs out without a message', async ({ a }) => {
    await pop(a.admin, 'quiet', 'd');
    const t0 = Date.now();
    const res = await pop(a.admin, 'quiet', 'd', 1);
    const took = Date.now() - t0;
    assert.is(res.status, 204);
    assert.is(res.body, null);
    assert.ok(took >= 950 && took < 2000, `took ${took} ms`);
  });

  rest('should answer 400 naming the field for a bad queue or consumer name or wait', async ({ a }) => {
    assertError(await a.admin.post('/api/queues/bad%20name/messages', { body: 1 }), 400, 'bad_request', 'queue');
    assertError(await a.admin.post(`/api/queues/${'q'.repeat(65)}/messages`, { body: 1 }), 400, 'bad_request', 'queue');
    assertError(await a.admin.get('/api/queues/ok/messages'), 400, 'bad_request', 'consumer');
    assertError(await pop(a.admin, 'ok', 'a%2Fb'), 400, 'bad_request', 'consumer');
    assertError(await pop(a.admin, 'ok', 'c'.repeat(65)), 400, 'bad_request', 'consumer');
    assertError(await pop(a.admin, 'ok', 'd', 61), 400, 'bad_request', 'wait');
    assertError(await a.admin.get('/api/queues/ok/messages?consumer=d&wait=1.5'), 400, 'bad_request', 'wait');
    assertError(await a.admin.del('/api/queues/ok/consumers/b%C3%A4d'), 400, 'bad_request', 'consumer');
    assertError(await a.admin.post('/api/queues/ok/messages', {}), 400, 'bad_request', 'body');
    assertError(await a.admin.post('/api/queues/ok/messages', { body: 1, extra: 2 }), 400, 'bad_request', 'extra');
    assert.is((await push(a.admin, `Q.${'x'.repeat(62)}`, 1)) > 0, true, 'a 64-character name with a dot is fine');
  });

  rest('should answer 413 for a body over 64 KiB, and take one just under it', async ({ a }) => {
    assertError(await a.admin.post('/api/queues/big/messages', { body: 'x'.repeat(64 * 1024) }), 413, 'too_large');
    await pop(a.admin, 'big', 'd');
    await push(a.admin, 'big', 'y'.repeat(64 * 1024 - 20));
    assert.is(bodies(await pop(a.admin, 'big', 'd'))[0].length, 64 * 1024 - 20);
  });

  rest('should forget a consumer on DELETE (204), which then starts again at the end of the queue', async ({ a }) => {
    await pop(a.admin, 'forget', 'd');
    await push(a.admin, 'forget', 'missed');
    assert.is((await a.admin.del('/api/queues/forget/consumers/d')).status, 204);
    assert.is((await a.admin.del('/api/queues/forget/consumers/never-seen')).status, 204, 'idempotent');
    assert.is((await pop(a.admin, 'forget', 'd')).status, 204, 'the message sent before it appeared again is not given');
    await push(a.admin, 'forget', 'after');
    assert.equal(bodies(await pop(a.admin, 'forget', 'd')), ['after']);
  });

  rest('should free the waiter of a long-poll the client closed, without losing the next message', async ({ a }) => {
    await pop(a.admin, 'gone', 'd');
    const ac = new AbortController();
    const closed = fetch(`${a.url}/api/queues/gone/messages?consumer=d&wait=30`, { headers: { cookie: a.admin.cookie }, signal: ac.signal }).catch(() => 'aborted');
    await until(async () => (await waiting(a.queues)) === 1, 2000, 'a waiting GET');
    ac.abort();
    assert.is(await closed, 'aborted');
    await until(async () => (await waiting(a.queues)) === 0, 2000, 'the waiter to be freed');
    await push(a.admin, 'gone', 'kept');
    assert.equal(bodies(await pop(a.admin, 'gone', 'd')), ['kept']);
  });

  rest('should count every queue apart in GET /api/queues/:queue', async ({ a }) => {
    await pop(a.admin, 'stats', 'd');
    await push(a.admin, 'stats', 1);
    const res = await a.admin.get('/api/queues/stats');
    assert.is(res.status, 200);
    assert.equal(res.body, { queue: 'stats', messages: 1, consumers: 1, dropped: 0, expired: 0 });
  });

  rest('should treat names without regard to case', async ({ a }) => {
    await pop(a.admin, 'CaseQ', 'Disp');
    await push(a.admin, 'caseq', 'lower');
    assert.equal(bodies(await pop(a.admin, 'CASEQ', 'disp')), ['lower']);
  });

  rest.run();

  // ---------------------------------------------------------------------------
  const limits = queueSuite('queue TTL, maximum length and forgetting', kind, { ttlMs: 400, maxLength: 3, forgetAfterMs: 300, sweepEveryMs: 60_000 });

  limits('should not deliver a message older than the TTL, and expire it in the sweep', async ({ a }) => {
    await pop(a.admin, 'ttl', 'd');
    await push(a.admin, 'ttl', 'old');
    await sleep(500);
    await push(a.admin, 'ttl', 'new');
    assert.equal(bodies(await pop(a.admin, 'ttl', 'd')), ['new']);
    await sleep(500);
    await a.queues.sweep();
    const s = await a.queues.stats('ttl');
    assert.is(s.messages, 0);
    assert.is(s.expired, 2);
  });

  limits('should keep the newest messages up to the maximum length, dropping and counting the oldest', async ({ a }) => {
    await pop(a.admin, 'full', 'd');
    for (let i = 1; i <= 5; i++) await push(a.admin, 'full', i);
    await push(a.admin, 'other', 'x');
    await until(async () => (await a.queues.stats('full')).dropped === 2, 2000, 'two drops');
    assert.equal(bodies(await pop(a.admin, 'full', 'd')), [3, 4, 5]);
    const s = (await a.admin.get('/api/queues/full')).body;
    assert.equal([s.messages, s.dropped], [3, 2]);
    assert.is((await a.queues.stats('other')).dropped, 0, 'counted per queue');
  });

  limits('should forget a consumer id unseen for the forget time, in the sweep', async ({ a }) => {
    await pop(a.admin, 'idle', 'gone');
    await pop(a.admin, 'idle', 'here');
    await sleep(200);
    await pop(a.admin, 'idle', 'here');
    await sleep(200);
    await a.queues.sweep();
    assert.is((await a.queues.stats('idle')).consumers, 1);
    await push(a.admin, 'idle', 'm');
    assert.equal(bodies(await pop(a.admin, 'idle', 'gone')), [], 'a forgotten id starts again at the end');
    assert.equal(bodies(await pop(a.admin, 'idle', 'here')), ['m']);
  });

  limits.run();

  // ---------------------------------------------------------------------------
  const durable = suite(`queue across a hub restart (${kind}${exclusive ? ', one hub: in memory' : ''})`);

  durable('should keep messages and cursors when the hub is closed and opened again on the same database', async () => {
    const db = await createTestDb(kind);
    try {
      let a = await startQueueApp(db, { exclusive });
      await pop(a.admin, 'keep', 'd');
      await push(a.admin, 'keep', 'm1');
      assert.equal(bodies(await pop(a.admin, 'keep', 'd')), ['m1']);
      await push(a.admin, 'keep', 'm2');
      await push(a.admin, 'keep', 'm3');
      await a.close();
      a = await startQueueApp(db, { exclusive });
      try {
        assert.equal(bodies(await pop(a.admin, 'keep', 'd')), ['m2', 'm3'], 'the cursor and the messages survived');
        assert.is((await pop(a.admin, 'keep', 'new')).status, 204, 'a new id starts at the end');
        await push(a.admin, 'keep', 'm4');
        assert.equal(bodies(await pop(a.admin, 'keep', 'd')), ['m4'], 'ids keep growing after the restart');
      } finally {
        await a.close();
      }
    } finally {
      await db.drop();
    }
  });

  if (exclusive) {
    durable('should drop and count once the messages a hub dropped in memory but died before deleting', async () => {
      const db = await createTestDb(kind);
      try {
        // A writes its cursors and drops only when it stops: it "dies" holding two drops.
        const a = await startQueueApp(db, { exclusive: true, maxLength: 3, cursorFlushMs: 60_000 });
        let b: QueueApp | null = null;
        try {
          await pop(a.admin, 'cut', 'd');
          for (let i = 1; i <= 5; i++) await push(a.admin, 'cut', i);
          await until(async () => (await a.queues.stats('cut')).dropped === 2, 2000, 'two drops in memory');
          assert.equal(bodies(await pop(a.admin, 'cut', 'd')), [3, 4, 5], 'the dropped are never delivered');
          // The next hub on the database finds all five and drops the oldest three (two of them again) at its first push.
          b = await startQueueApp(db, { exclusive: true, maxLength: 3, cursorFlushMs: 20 });
          await push(b.admin, 'cut', 6);
          await until(async () => (await b!.queues.stats('cut')).dropped === 3, 2000, 'three drops');
          await sleep(60);
          const s = (await b.admin.get('/api/queues/cut')).body;
          assert.equal([s.messages, s.dropped], [3, 3]);
        } finally {
          await a.close(); // its late write of the two drops deletes nothing and counts nothing
          await b?.close();
        }
        const c = await startQueueApp(db, { exclusive: true, maxLength: 3 });
        try {
          const s = (await c.admin.get('/api/queues/cut')).body;
          assert.equal([s.messages, s.dropped], [3, 3], 'each message counted once');
        } finally {
          await c.close();
        }
      } finally {
        await db.drop();
      }
    });
  }

  durable.run();

  // ---------------------------------------------------------------------------
  const twoHubs = suite(`QueueService: two hubs on one database (${kind})`);

  twoHubs('should give each message once to a consumer id waiting on both hubs, and to every other id', async () => {
    const db = await createTestDb(kind);
    // One waker shared in-process stands in for Redis (tests/integration/queue-redis.test.ts uses the real one).
    const waker = new LocalQueueWaker();
    const orms = [await openQueueDb(db.url), await openQueueDb(db.url)];
    const [a, b] = orms.map((orm) => new QueueService(orm, dialectOf(db.url), waker, {}, log));
    a.start(); b.start();
    try {
      for (const c of ['shared', 'x', 'y']) await a.pop('two', c, { waitMs: 0 });
      for (let round = 1; round <= 5; round++) {
        const polls = [a.pop('two', 'shared', { waitMs: 300 }), b.pop('two', 'shared', { waitMs: 300 }), a.pop('two', 'x', { waitMs: 2000 }), b.pop('two', 'y', { waitMs: 2000 })];
        await sleep(30);
        await (round % 2 ? a : b).push('two', String(round));
        const [sa, sb, x, y] = await Promise.all(polls);
        assert.equal([...sa, ...sb].map((m) => m.body), [String(round)], `round ${round}: once for the shared id`);
        assert.equal(x.map((m) => m.body), [String(round)]);
        assert.equal(y.map((m) => m.body), [String(round)]);
      }
    } finally {
      await a.stop(); await b.stop();
      for (const orm of orms) await orm.close(true);
      await db.drop();
    }
  });

  if (!exclusive) twoHubs.run(); // several hubs never hold the queues in memory

  // ---------------------------------------------------------------------------
  const messenger = queueSuite('GET /messenger', kind, {}, { waitMs: 400 });
  const m = async (a: QueueApp, qs: string, init?: RequestInit) => {
    const res = await fetch(`${a.url}/messenger?${qs}`, init);
    return { status: res.status, text: await res.text(), cors: res.headers.get('access-control-allow-origin'), type: res.headers.get('content-type') };
  };

  messenger('should answer 1 to c=1, then the message texts oldest first one per c=0, then 0 when none comes', async ({ a }) => {
    assert.equal(await m(a, 'c=0&q=touch&u=disp'), { status: 200, text: '0', cors: '*', type: 'text/plain; charset=utf-8' });
    assert.equal(await m(a, 'c=1&q=touch&m=slide%203&u=ctl'), { status: 200, text: '1', cors: '*', type: 'text/plain; charset=utf-8' });
    assert.is((await m(a, 'c=1&q=touch&m=%3Cb%3Enext&u=ctl')).text, '1');
    assert.is((await m(a, 'c=0&q=touch&u=disp')).text, 'slide 3');
    assert.is((await m(a, 'c=0&q=touch&u=disp')).text, '<b>next');
    const t0 = Date.now();
    assert.is((await m(a, 'c=0&q=touch&u=disp')).text, '0');
    assert.ok(Date.now() - t0 >= 350, 'waited before answering 0');
  });

  messenger('should answer a waiting c=0 as soon as a message is sent', async ({ a }) => {
    await m(a, 'c=2&q=live&u=disp');
    const poll = m(a, 'c=0&q=live&u=disp');
    await until(async () => (await waiting(a.queues)) === 1, 2000, 'a waiting receive');
    await m(a, 'c=1&q=live&m=go&u=ctl');
    assert.is((await poll).text, 'go');
  });

  messenger('should give each client only the messages sent after it first appeared', async ({ a }) => {
    await m(a, 'c=0&q=late&u=early');
    await m(a, 'c=1&q=late&m=one&u=ctl');
    await m(a, 'c=0&q=late&u=late');
    await m(a, 'c=1&q=late&m=two&u=ctl');
    assert.is((await m(a, 'c=0&q=late&u=early')).text, 'one');
    assert.is((await m(a, 'c=0&q=late&u=early')).text, 'two');
    assert.is((await m(a, 'c=0&q=late&u=late')).text, 'two');
  });

  messenger("should answer 1 to c=2 and drop that client's pending messages only", async ({ a }) => {
    await m(a, 'c=2&q=clr&u=a');
    await m(a, 'c=2&q=clr&u=b');
    await m(a, 'c=1&q=clr&m=x&u=ctl');
    assert.equal((await m(a, 'c=2&q=clr&u=a')).text, '1');
    assert.is((await m(a, 'c=0&q=clr&u=a')).text, '0');
    assert.is((await m(a, 'c=0&q=clr&u=b')).text, 'x');
  });

  messenger('should answer -1 with the CORS header for a missing parameter or a bad c', async ({ a }) => {
    for (const qs of ['', 'c=1&q=x&u=y', 'q=x&u=y', 'c=0&u=y', 'c=0&q=x', 'c=3&q=x&u=y', 'c=abc&q=x&u=y', 'c=0&q=bad%20name&u=y']) {
      const res = await m(a, qs);
      assert.is(res.text, '-1', `for ?${qs}`);
      assert.is(res.cors, '*');
    }
  });

  messenger('should share the store with the REST API in both directions', async ({ a }) => {
    await pop(a.admin, 'mixed', 'rest');
    await m(a, 'c=0&q=mixed&u=touch');
    await m(a, 'c=1&q=mixed&m=from%20touch&u=ctl');
    await push(a.admin, 'mixed', { from: 'rest' });
    assert.equal(bodies(await pop(a.admin, 'mixed', 'rest')), ['from touch', { from: 'rest' }]);
    assert.is((await m(a, 'c=0&q=mixed&u=touch')).text, 'from touch');
    assert.is((await m(a, 'c=0&q=mixed&u=touch')).text, '{"from":"rest"}');
  });

  messenger('should take the parameters from a POSTed form too', async ({ a }) => {
    await m(a, 'c=2&q=form&u=disp');
    const res = await fetch(`${a.url}/messenger`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'c=1&q=form&m=posted&u=ctl' });
    assert.is(await res.text(), '1');
    assert.is((await m(a, 'c=0&q=form&u=disp')).text, 'posted');
  });

  messenger.run();

  const off = queueSuite('GET /messenger when disabled', kind, {}, { enabled: false });
  off('should answer 404 -1 and store nothing', async ({ a }) => {
    await pop(a.admin, 'touch', 'd');
    const res = await m(a, 'c=1&q=touch&m=x&u=ctl');
    assert.equal([res.status, res.text, res.cors], [404, '-1', '*']);
    assert.is((await pop(a.admin, 'touch', 'd')).status, 204);
  });
  off.run();
}
