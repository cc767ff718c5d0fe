// NOC kiosk tokens (protocol/kiosk.schema.ts): admin REST, what a kiosk token may and may not do over
// REST, its own queue and `/live`, and revocation that ends its sockets and long-polls at once.
// A real hub on port 0 on SQLite and on MariaDB.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createHash } from 'node:crypto';
import type { KioskCreated, SubscribeReply } from '../../protocol/index.js';
import { KioskSchema } from '../../server/kiosk/kiosk.entities.js';
import { Api, KioskApi, connectLive, connectLiveKiosk, sample, startHub, type LiveClient, type TestHub } from '../helpers/hub.js';
import { assertError, connectAgent, createAccount, createHost, createPlan, createUser, nextEvent, refusal } from '../helpers/rest.js';

interface Ctx {
  h: TestHub;
  hostId: number; accountId: number; planId: number; customerId: number;
  customer: Api;
  wall: KioskCreated; wallApi: KioskApi;
  other: KioskCreated;
  closers: { close(): unknown }[];
}

const subscribe = (s: LiveClient, topic: string): Promise<SubscribeReply> => s.timeout(2000).emitWithAck('subscribe', { topic } as any);

function kioskSuite(kind: 'sqlite' | 'mysql') {
  const s = suite<Ctx>(`kiosk tokens (${kind})`, {} as Ctx);
  s.before(async (c) => {
    c.closers = [];
    c.h = await startHub(kind);
    c.planId = await createPlan(c.h.admin, 'Basic', 10e9);
    const host = await createHost(c.h.admin, 'rack-01');
    c.hostId = host.id;
    const cust = await createUser(c.h.admin, 'carol@example.com');
    c.customer = cust.api; c.customerId = cust.id;
    c.accountId = await createAccount(c.h.admin, { hostId: host.id, name: 'carol', ownerId: cust.id, planId: c.planId });
    const agent = await connectAgent(c.h.url, host.token);
    c.closers.push(agent);
    agent.emit('samples', { samples: [sample(1)] });
    const res = await c.h.admin.post('/api/kiosks', { name: 'NOC wall', canAck: true });
    assert.is(res.status, 201, JSON.stringify(res.body));
    c.wall = res.body;
    c.wallApi = new KioskApi(c.h.url, c.wall.token);
    c.other = (await c.h.admin.post('/api/kiosks', { name: 'lobby' })).body;
  });
  s.after(async (c) => { for (const x of c.closers) x.close(); await c.h?.stop(); });

  s('POST /api/kiosks should return the kiosk and a token shown once, stored only as its SHA-256', async (c) => {
    assert.is(c.wall.kiosk.name, 'NOC wall');
    assert.is(c.wall.kiosk.canAck, true);
    assert.is(c.wall.kiosk.queue, `kiosk-${c.wall.kiosk.id}`);
    assert.is(c.wall.kiosk.revokedAt, null);
    assert.is(c.other.kiosk.canAck, false, 'canAck defaults to false');
    assert.ok(c.wall.token.startsWith('rpk_') && c.wall.token.length > 40);
    const row = await c.h.hub.deps.orm.em.fork().findOne(KioskSchema, { id: c.wall.kiosk.id });
    assert.is(row!.tokenHash, createHash('sha256').update(c.wall.token).digest('hex'));
    const list = await c.h.admin.get('/api/kiosks');
    assert.equal(list.body.kiosks.map((k: any) => k.name), ['NOC wall', 'lobby']);
    assert.not.ok(JSON.stringify(list.body).includes(c.wall.token), 'the token is never listed');
  });

  s('POST /api/kiosks should answer 400 to a bad body, 403 to a customer and 401 anonymously', async (c) => {
    assertError(await c.h.admin.post('/api/kiosks', { name: '' }), 400, 'bad_request', 'name');
    assertError(await c.h.admin.post('/api/kiosks', { name: 'x', canAck: 'yes' }), 400, 'bad_request', 'canAck');
    assertError(await c.h.admin.post('/api/kiosks', { name: 'x', admin: true }), 400, 'bad_request');
    assertError(await c.customer.post('/api/kiosks', { name: 'x' }), 403, 'forbidden');
    assertError(await c.customer.get('/api/kiosks'), 403, 'forbidden');
    assertError(await new Api(c.h.url).post('/api/kiosks', { name: 'x' }), 401);
    assert.is((await c.h.admin.get('/api/kiosks')).body.kiosks.length, 2, 'nothing was created');
  });

  s('a kiosk token should read its own kiosk and the fleet, and record its use', async (c) => {
    const me = await c.wallApi.get('/api/kiosk');
    assert.is(me.status, 200);
    assert.equal(me.body, { ...c.wall.kiosk, lastUsedAt: me.body.lastUsedAt });
    assert.type(me.body.lastUsedAt, 'number');
    const hosts = await c.wallApi.get('/api/hosts');
    assert.is(hosts.status, 200);
    assert.equal(hosts.body.hosts.map((h: any) => h.id), [c.hostId]);
    assert.is((await c.wallApi.get(`/api/hosts/${c.hostId}`)).status, 200);
    assert.is((await c.wallApi.get(`/api/hosts/${c.hostId}/series?metric=load`)).status, 200);
    assertError(await c.wallApi.get('/api/hosts/99999'), 404);
    const audit = (await c.h.admin.get('/api/audit')).body.entries;
    const uses = audit.filter((e: any) => e.action === 'kiosk.use' && e.target === `kiosk:${c.wall.kiosk.id}`);
    assert.is(uses.length, 1, 'one audit row for the first use, not one per request');
    assert.is(uses[0].actor, 'kiosk:NOC wall');
    assert.ok(audit.some((e: any) => e.action === 'kiosk.create' && e.target.startsWith(`kiosk:${c.wall.kiosk.id} `)));
    const row = await c.h.hub.deps.orm.em.fork().findOne(KioskSchema, { id: c.wall.kiosk.id });
    assert.type(row!.lastUsedAt, 'number');
  });

  s('an unknown or malformed kiosk token should get 401, and the cookie is not looked at beside it', async (c) => {
    assertError(await new KioskApi(c.h.url, 'rpk_nope').get('/api/kiosk'), 401, 'invalid_token');
    assertError(await new KioskApi(c.h.url, 'garbage').get('/api/hosts'), 401, 'invalid_token');
    // An admin cookie with a bad bearer is still refused.
    const both = await c.h.admin.req('GET', '/api/hosts', undefined, { authorization: 'Bearer rpk_nope' });
    assertError(both, 401, 'invalid_token');
    // GET /api/kiosk is for kiosks only.
    assertError(await c.h.admin.get('/api/kiosk'), 401);
  });

  s('a kiosk should push to and pop from its own queue only; a customer may not use queues', async (c) => {
    const q = `/api/queues/${c.wall.kiosk.queue}`;
    assert.is((await c.wallApi.get(`${q}/messages?consumer=wall&wait=0`)).status, 204);
    const pushed = await c.wallApi.post(`${q}/messages`, { body: { command: 'next' } });
    assert.is(pushed.status, 201);
    const popped = await c.wallApi.get(`${q}/messages?consumer=wall&wait=0`);
    assert.equal(popped.body.messages.map((m: any) => m.body), [{ command: 'next' }]);
    assert.is((await c.wallApi.get(q)).status, 200);
    // The admin may use any queue, the kiosk's too.
    assert.is((await c.h.admin.post(`${q}/messages`, { body: { command: 'prev' } })).status, 201);
    const otherQ = `/api/queues/${c.other.kiosk.queue}`;
    assertError(await c.wallApi.post(`${otherQ}/messages`, { body: 1 }), 404);
    assertError(await c.wallApi.get(`${otherQ}/messages?consumer=x&wait=0`), 404);
    assertError(await c.wallApi.post('/api/queues/wall/messages', { body: 1 }), 404);
    assertError(await c.customer.post(`${q}/messages`, { body: 1 }), 403);
    assertError(await c.customer.get(`${q}/messages?consumer=c&wait=0`), 403);
  });

  s('every write endpoint (and every other read) should refuse a kiosk token and change nothing', async (c) => {
    const a = c.hostId, acc = c.accountId, k = c.other.kiosk.id;
    const state = async () => JSON.stringify(await Promise.all(['/api/users', '/api/plans', '/api/hosts', '/api/accounts'].map((p) => c.h.admin.get(p).then((r) => r.body)))
      .then(async (x) => [...x, (await c.h.admin.get('/api/kiosks')).body.kiosks.map((q: any) => [q.id, q.name, q.canAck, q.revokedAt])]));
    const before = await state();
    const depthBefore = (await c.h.admin.get('/api/queues/wall')).body.messages;
    const table: [string, string, unknown?][] = [
      ['POST', '/api/session', { email: 'admin@example.com', password: 'admin-password-1' }],
      ['DELETE', '/api/session'],
      ['POST', '/api/users', { email: 'evil@example.com', password: 'evil-password-1', role: 'admin' }],
      ['POST', '/api/plans', { name: 'Evil', quotaBytes: 1, priceCents: 0, public: true }],
      ['POST', '/api/hosts', { name: 'evil' }],
      ['DELETE', `/api/hosts/${a}`],
      ['POST', '/api/accounts', { hostId: a, name: 'evil', ownerId: c.customerId, planId: c.planId }],
      ['POST', `/api/accounts/${acc}/refresh`],
      ['POST', `/api/accounts/${acc}/actions/restart-services`],
      ['POST', '/api/kiosks', { name: 'evil', canAck: true }],
      ['DELETE', `/api/kiosks/${k}`],
      ['PUT', '/api/alert-rules/load_high', { threshold: 99 }],
      ['PUT', `/api/hosts/${a}/alert-rules/load_high`, { threshold: 99 }],
      ['DELETE', `/api/hosts/${a}/alert-rules/load_high`],
      ['POST', '/api/queues/wall/messages', { body: 'evil' }],
      ['DELETE', '/api/queues/wall/consumers/someone'],
      ['GET', '/api/me'], ['GET', '/api/users'], ['GET', '/api/plans'], ['GET', '/api/accounts'], ['GET', `/api/accounts/${acc}`],
      ['GET', '/api/audit'], ['GET', '/api/capacity'], ['GET', '/api/usage'], ['GET', '/api/kiosks'], ['GET', '/api/alert-rules'],
      ['GET', '/api/queues/wall/messages?consumer=x&wait=0'],
    ];
    for (const [method, path, body] of table) {
      const res = await c.wallApi.req(method, path, body);
      // Another queue is a 404 (kiosks cannot tell whether it exists); everything else 401/403.
      const ok = path.startsWith('/api/queues/') ? [403, 404] : [401, 403];
      assert.ok(ok.includes(res.status), `${method} ${path} answered ${res.status} to a kiosk token: ${JSON.stringify(res.body)}`);
      assert.type(res.body?.error?.code, 'string', `${method} ${path}`);
    }
    assert.is(await state(), before, 'nothing changed');
    assert.is((await c.h.admin.get('/api/queues/wall')).body.messages, depthBefore);
  });

  s('/live with a kiosk token should serve fleet and host topics, never an account', async (c) => {
    const live = await connectLiveKiosk(c.h.url, c.wall.token);
    c.closers.push(live);
    const snap = nextEvent(live, 'snapshot', (m: any) => m.topic === 'fleet');
    assert.equal(await subscribe(live, 'fleet'), { ok: true });
    assert.equal((await snap).data.hosts.map((h: any) => h.id), [c.hostId]);
    assert.equal(await subscribe(live, `host:${c.hostId}`), { ok: true });
    const r = await subscribe(live, `account:${c.accountId}`);
    assert.is(r.ok, false);
    live.close();
    for (const bad of ['rpk_nope', 42, '']) {
      const err = await refusal(connectLiveKiosk(c.h.url, bad as string));
      assert.is(err.data?.code, 'unauthorized', String(bad));
    }
  });

  s('DELETE /api/kiosks/:id should revoke at once: sockets disconnected, long-polls ended, token refused', async (c) => {
    const created: KioskCreated = (await c.h.admin.post('/api/kiosks', { name: 'doomed' })).body;
    const api = new KioskApi(c.h.url, created.token);
    const q = `/api/queues/${created.kiosk.queue}/messages`;
    assert.is((await api.get(`${q}?consumer=wall&wait=0`)).status, 204);
    const live = await connectLiveKiosk(c.h.url, created.token);
    c.closers.push(live);
    assert.equal(await subscribe(live, 'fleet'), { ok: true });
    const disconnected = new Promise<string>((res) => live.once('disconnect', (reason) => res(reason)));
    const poll = api.get(`${q}?consumer=wall&wait=30`);
    await new Promise((r) => setTimeout(r, 200)); // let the long-poll start waiting
    assertError(await c.customer.del(`/api/kiosks/${created.kiosk.id}`), 403);
    assert.is((await c.h.admin.del(`/api/kiosks/${created.kiosk.id}`)).status, 204);
    assert.is(await disconnected, 'io server disconnect');
    assertError(await poll, 401, 'invalid_token');
    assertError(await api.get('/api/kiosk'), 401, 'invalid_token');
    assertError(await api.get('/api/hosts'), 401, 'invalid_token');
    const err = await refusal(connectLiveKiosk(c.h.url, created.token));
    assert.is(err.data?.code, 'unauthorized');
    const listed = (await c.h.admin.get('/api/kiosks')).body.kiosks.find((k: any) => k.id === created.kiosk.id);
    assert.type(listed.revokedAt, 'number');
    const audit = (await c.h.admin.get('/api/audit')).body.entries;
    assert.ok(audit.some((e: any) => e.action === 'kiosk.revoke' && e.target.startsWith(`kiosk:${created.kiosk.id} `)));
    assertError(await c.h.admin.del('/api/kiosks/999999'), 404);
    // The other kiosks still work.
    assert.is((await c.wallApi.get('/api/kiosk')).status, 200);
  });

  s('a customer on /live should still be refused the fleet', async (c) => {
    const live = await connectLive(c.h.url, c.customer.cookie);
    c.closers.push(live);
    assert.is((await subscribe(live, 'fleet')).ok, false);
  });

  return s;
}

kioskSuite('sqlite').run();
kioskSuite('mysql').run();
