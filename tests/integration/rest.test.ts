// REST surface of the hub (DESIGN.md, "Surfaces"): a real hub on port 0 with its own SQLite database per suite, real fetch.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ADMIN, Api, agentAuth, connectRawAgent, sample, startHub, until, type RawAgent, type TestHub } from '../helpers/hub.js';
import { assertError, connectAgent, createAccount, createHost, createPlan, createUser, nextEvent, refusal } from '../helpers/rest.js';

/** A suite with its own hub, and agents/clients closed before the hub stops. */
function hubSuite(name: string) {
  const ctx = { h: undefined as unknown as TestHub, sockets: [] as { close(): unknown }[] };
  const s = suite(name, ctx);
  s.before(async (c) => { c.h = await startHub('sqlite'); });
  s.after(async (c) => { for (const x of c.sockets) x.close(); await c.h?.stop(); });
  return s;
}

// ---------------------------------------------------------------------------
const session = hubSuite('POST|DELETE /api/session, GET /api/me');

session('should answer 200 with the user and set an HttpOnly SameSite=Strict cookie for the right credentials', async ({ h }) => {
  const res = await fetch(h.url + '/api/session', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(ADMIN) });
  assert.is(res.status, 200);
  const body = await res.json();
  assert.is(body.user.email, ADMIN.email);
  assert.is(body.user.role, 'admin');
  assert.not.ok('passwordHash' in body.user, 'the password hash must not be sent');
  const cookie = res.headers.get('set-cookie') ?? '';
  assert.match(cookie, /^rp_session=[^;]+;/);
  assert.match(cookie, /;\s*httponly/i);
  assert.match(cookie, /;\s*samesite=strict/i);
});

session('should answer 401 with the same message for a wrong password and an unknown email', async ({ h }) => {
  const api = new Api(h.url);
  const wrong = await api.post('/api/session', { email: ADMIN.email, password: 'not-the-password' });
  const unknown = await api.post('/api/session', { email: 'nobody@example.com', password: 'not-the-password' });
  assertError(wrong, 401);
  assertError(unknown, 401);
  assert.is(wrong.body.error.message, unknown.body.error.message);
  assert.is(wrong.body.error.code, unknown.body.error.code);
  assert.is(wrong.headers.get('set-cookie'), null, 'no cookie on a failed sign-in');
});

session('should answer 400 naming the missing field', async ({ h }) => {
  const res = await new Api(h.url).post('/api/session', { email: ADMIN.email });
  assertError(res, 400, 'bad_request', 'password');
});

session('should answer 400 without internals for a malformed JSON body', async ({ h }) => {
  for (const raw of ['{"email": "admin@example.com", "password":', 'null', '"admin"']) {
    const res = await new Api(h.url).req('POST', '/api/session', raw);
    assertError(res, 400, 'bad_request');
    const text = JSON.stringify(res.body);
    assert.not.match(text, /SyntaxError|at .*\.js|node_modules|Unexpected|JSON\.parse|internal/, `body for ${raw}: ${text}`);
  }
});

session('should answer 413 for a body over 64 kB', async ({ h }) => {
  const res = await new Api(h.url).post('/api/session', { email: 'a'.repeat(70 * 1024), password: 'x' });
  assertError(res, 413);
});

session('should answer 401 on GET /api/me without a cookie and 200 with one', async ({ h }) => {
  assertError(await new Api(h.url).get('/api/me'), 401, 'unauthorized');
  const me = await h.admin.get('/api/me');
  assert.is(me.status, 200);
  assert.is(me.body.user.email, ADMIN.email);
});

session('should refuse the old cookie on GET /api/me after DELETE /api/session', async ({ h }) => {
  const api = await new Api(h.url).login(ADMIN.email, ADMIN.password);
  assert.is((await api.get('/api/me')).status, 200);
  const out = await api.del('/api/session');
  assert.is(out.status, 204);
  assertError(await api.get('/api/me'), 401, 'unauthorized');
  // Another session of the same user is not affected.
  assert.is((await h.admin.get('/api/me')).status, 200);
});

session.run();

// ---------------------------------------------------------------------------
const users = hubSuite('GET|POST /api/users, GET|POST /api/plans');

users('should create a customer (201) that can then sign in', async ({ h }) => {
  const res = await h.admin.post('/api/users', { email: 'carol@example.com', password: 'carol-pass-1', name: 'Carol' });
  assert.is(res.status, 201);
  assert.is(res.body.user.email, 'carol@example.com');
  assert.is(res.body.user.role, 'customer');
  assert.not.ok('passwordHash' in res.body.user);
  const list = await h.admin.get('/api/users');
  assert.ok(list.body.users.some((u: any) => u.id === res.body.user.id));
  const me = await (await new Api(h.url).login('carol@example.com', 'carol-pass-1')).get('/api/me');
  assert.is(me.body.user.id, res.body.user.id);
});

users('should answer 409 with field email for a duplicate email, whatever its case', async ({ h }) => {
  await h.admin.post('/api/users', { email: 'dup@example.com', password: 'dup-pass-12' });
  assertError(await h.admin.post('/api/users', { email: 'dup@example.com', password: 'dup-pass-12' }), 409, 'conflict', 'email');
  assertError(await h.admin.post('/api/users', { email: 'Dup@Example.com', password: 'dup-pass-12' }), 409, 'conflict', 'email');
});

users('should answer 400 naming the field of a bad user', async ({ h }) => {
  assertError(await h.admin.post('/api/users', { email: 'not-an-email', password: 'long-enough-1' }), 400, 'bad_request', 'email');
  assertError(await h.admin.post('/api/users', { email: 'short@example.com', password: 'short' }), 400, 'bad_request', 'password');
});

users('should create a plan (201) and list it', async ({ h }) => {
  const res = await h.admin.post('/api/plans', { name: 'Small', quotaBytes: 10e9, priceCents: 500, public: true });
  assert.is(res.status, 201);
  assert.equal(res.body.plan, { id: res.body.plan.id, name: 'Small', quotaBytes: 10e9, priceCents: 500, public: true });
  const list = await h.admin.get('/api/plans');
  assert.ok(list.body.plans.some((p: any) => p.id === res.body.plan.id));
});

users('should answer 400 naming the field of a bad plan', async ({ h }) => {
  assertError(await h.admin.post('/api/plans', { name: 'Neg', quotaBytes: -1, priceCents: 0, public: true }), 400, 'bad_request', 'quotaBytes');
  assertError(await h.admin.post('/api/plans', { name: 'Frac', quotaBytes: 10, priceCents: 1.5, public: true }), 400, 'bad_request', 'priceCents');
  assertError(await h.admin.post('/api/plans', { quotaBytes: 10, priceCents: 1, public: true }), 400, 'bad_request', 'name');
  const list = await h.admin.get('/api/plans');
  assert.not.ok(list.body.plans.some((p: any) => p.name === 'Neg' || p.name === 'Frac'), 'a refused plan must not be stored');
});

users('should answer 403 to a customer on users and plans', async ({ h }) => {
  const { api } = await createUser(h.admin, 'cust403@example.com');
  assertError(await api.get('/api/users'), 403, 'forbidden');
  assertError(await api.post('/api/users', { email: 'x@example.com', password: 'xxxxxxxx1' }), 403, 'forbidden');
  assertError(await api.get('/api/plans'), 403, 'forbidden');
  assertError(await api.post('/api/plans', { name: 'Mine', quotaBytes: 1, priceCents: 0, public: true }), 403, 'forbidden');
  assert.not.ok((await h.admin.get('/api/users')).body.users.some((u: any) => u.email === 'x@example.com'));
});

users('should answer 401 to an anonymous caller on users and plans', async ({ h }) => {
  const anon = new Api(h.url);
  assertError(await anon.get('/api/users'), 401, 'unauthorized');
  assertError(await anon.post('/api/users', { email: 'y@example.com', password: 'yyyyyyyy1' }), 401, 'unauthorized');
  assertError(await anon.get('/api/plans'), 401, 'unauthorized');
  assertError(await anon.post('/api/plans', { name: 'Anon', quotaBytes: 1, priceCents: 0, public: true }), 401, 'unauthorized');
});

users.run();

// ---------------------------------------------------------------------------
const hosts = hubSuite('/api/hosts');

hosts('should answer 201 with the host and its agent token, which GET never shows again', async ({ h }) => {
  const res = await h.admin.post('/api/hosts', { name: 'web-01', monthlyCostCents: 4200 });
  assert.is(res.status, 201);
  assert.is(res.body.host.name, 'web-01');
  assert.is(res.body.host.monthlyCostCents, 4200);
  assert.is(res.body.host.online, false);
  const token: string = res.body.token;
  assert.type(token, 'string');
  assert.ok(token.length >= 20, 'a token long enough to be unguessable');
  const list = await h.admin.get('/api/hosts');
  assert.is(list.status, 200);
  assert.ok(list.body.hosts.some((x: any) => x.id === res.body.host.id));
  const one = await h.admin.get(`/api/hosts/${res.body.host.id}`);
  assert.is(one.status, 200);
  assert.is(one.body.host.name, 'web-01');
  for (const r of [list, one]) {
    const text = JSON.stringify(r.body);
    assert.not.ok(text.includes(token), 'the token must not be shown again');
    assert.not.match(text, /"token|tokenHash/);
  }
});

hosts('should answer 400 with field name for a bad name', async ({ h }) => {
  assertError(await h.admin.post('/api/hosts', { name: 'bad name!' }), 400, 'bad_request', 'name');
  assertError(await h.admin.post('/api/hosts', { name: '' }), 400, 'bad_request', 'name');
  assertError(await h.admin.post('/api/hosts', {}), 400, 'bad_request', 'name');
});

hosts('should answer 409 for a duplicate name', async ({ h }) => {
  await createHost(h.admin, 'dup-01');
  assertError(await h.admin.post('/api/hosts', { name: 'dup-01' }), 409, 'conflict', 'name');
  assert.is((await h.admin.get('/api/hosts')).body.hosts.filter((x: any) => x.name === 'dup-01').length, 1);
});

hosts('should answer 404 for an unknown or non-numeric host id', async ({ h }) => {
  assertError(await h.admin.get('/api/hosts/999999'), 404, 'not_found');
  assertError(await h.admin.get('/api/hosts/abc'), 404, 'not_found');
  assertError(await h.admin.del('/api/hosts/999999'), 404, 'not_found');
  assertError(await h.admin.get('/api/hosts/999999/series?metric=cpu'), 404, 'not_found');
});

hosts('should answer 403 to a customer and 401 to an anonymous caller', async ({ h }) => {
  const { api } = await createUser(h.admin, 'hostcust@example.com');
  assertError(await api.get('/api/hosts'), 403, 'forbidden');
  assertError(await api.post('/api/hosts', { name: 'sneaky' }), 403, 'forbidden');
  assertError(await new Api(h.url).get('/api/hosts'), 401, 'unauthorized');
});

hosts('should answer 204 to DELETE, disconnect its agent and refuse its token afterwards', async (c) => {
  const { h } = c;
  const { id, token } = await createHost(h.admin, 'doomed-01');
  const agent = await connectAgent(h.url, token);
  c.sockets.push(agent);
  const dropped = nextEvent<string>(agent, 'disconnect');
  const res = await h.admin.del(`/api/hosts/${id}`);
  assert.is(res.status, 204);
  assert.is(await dropped, 'io server disconnect');
  assertError(await h.admin.get(`/api/hosts/${id}`), 404, 'not_found');
  assert.not.ok((await h.admin.get('/api/hosts')).body.hosts.some((x: any) => x.id === id));
  const err = await refusal(connectRawAgent(h.url, agentAuth(token)));
  assert.is(err.data?.code, 'invalid_token');
});

hosts.run();

// ---------------------------------------------------------------------------
const series = hubSuite('GET /api/hosts/:id/series');

series('should return the 1 s points an agent sent, with their values', async (c) => {
  const { h } = c;
  const { id, token } = await createHost(h.admin, 'series-01');
  const agent = await connectAgent(h.url, token);
  c.sockets.push(agent);
  const t0 = Date.now() - 5000;
  const sent = [sample(1, t0, { cpuPct: 11 }), sample(2, t0 + 1000, { cpuPct: 22 }), sample(3, t0 + 2000, { cpuPct: 33.5 })];
  agent.emit('samples', { samples: sent });
  const res = await until(async () => {
    const r = await h.admin.get(`/api/hosts/${id}/series?metric=cpu`);
    return r.status === 200 && r.body.points.length === 3 ? r : null;
  }, 3000, 'three points in the series');
  assert.is(res.body.metric, 'cpu');
  assert.is(res.body.step, 1);
  assert.equal(res.body.points.map((p: any) => [p.t, p.avg, p.min, p.max, p.count]), sent.map((s) => [s.t, s.cpuPct, s.cpuPct, s.cpuPct, 1]));
  // from/to select a part of the range.
  const part = await h.admin.get(`/api/hosts/${id}/series?metric=cpu&from=${t0 + 500}&to=${t0 + 1500}`);
  assert.is(part.status, 200);
  assert.equal(part.body.points.map((p: any) => p.avg), [22]);
  // The host shows as online with its latest sample.
  const host = await h.admin.get(`/api/hosts/${id}`);
  assert.is(host.body.host.online, true);
  assert.is(host.body.summary.latest.cpuPct, 33.5);
  // Another metric reads the other field.
  const mem = await h.admin.get(`/api/hosts/${id}/series?metric=mem`);
  assert.equal(mem.body.points.map((p: any) => p.avg), sent.map((s) => s.memUsedBytes));
});

series('should answer 400 with field metric for an unknown metric', async ({ h }) => {
  const { id } = await createHost(h.admin, 'series-02');
  assertError(await h.admin.get(`/api/hosts/${id}/series?metric=nope`), 400, 'bad_request', 'metric');
  assertError(await h.admin.get(`/api/hosts/${id}/series`), 400, 'bad_request', 'metric');
});

series('should answer 400 when from is after to', async ({ h }) => {
  const { id } = await createHost(h.admin, 'series-03');
  const now = Date.now();
  const res = await h.admin.get(`/api/hosts/${id}/series?metric=cpu&from=${now}&to=${now - 60000}`);
  assertError(res, 400, 'bad_request');
  assert.ok(['from', 'to'].includes(res.body.error.field), `field: ${res.body.error.field}`);
});

series.run();

// ---------------------------------------------------------------------------
type AccountsCtx = { h: TestHub; sockets: { close(): unknown }[]; a: Api; b: Api; aId: number; bId: number; hostId: number; token: string; planId: number; accA: number; accB: number };
const accounts = suite<AccountsCtx>('/api/accounts', {} as AccountsCtx);
accounts.before(async (c) => {
  c.sockets = [];
  c.h = await startHub('sqlite');
  c.planId = await createPlan(c.h.admin, 'Basic', 10e9);
  const a = await createUser(c.h.admin, 'alice@example.com');
  const b = await createUser(c.h.admin, 'bob@example.com');
  Object.assign(c, { a: a.api, aId: a.id, b: b.api, bId: b.id });
  const host = await createHost(c.h.admin, 'box-01');
  c.hostId = host.id; c.token = host.token;
  c.accA = await createAccount(c.h.admin, { hostId: c.hostId, name: 'alice', ownerId: c.aId, planId: c.planId });
  c.accB = await createAccount(c.h.admin, { hostId: c.hostId, name: 'bob', ownerId: c.bId, planId: c.planId });
});
accounts.after(async (c) => { for (const x of c.sockets) x.close(); await c.h?.stop(); });

accounts('should list only the caller\'s own accounts to a customer, and all to an admin', async ({ h, a, b, accA, accB }) => {
  const la = await a.get('/api/accounts');
  assert.is(la.status, 200);
  assert.equal(la.body.accounts.map((x: any) => x.id), [accA]);
  assert.is(la.body.accounts[0].name, 'alice');
  assert.equal((await b.get('/api/accounts')).body.accounts.map((x: any) => x.id), [accB]);
  const all = (await h.admin.get('/api/accounts')).body.accounts.map((x: any) => x.id);
  assert.ok(all.includes(accA) && all.includes(accB));
});

accounts('should show a customer their own account with its state', async ({ a, accA, planId }) => {
  const res = await a.get(`/api/accounts/${accA}`);
  assert.is(res.status, 200);
  assert.is(res.body.account.id, accA);
  assert.is(res.body.state.name, 'alice');
  assert.is(res.body.state.hostName, 'box-01');
  assert.equal(res.body.state.plan, { id: planId, name: 'Basic', quotaBytes: 10e9 });
});

accounts('should answer 404 for another customer\'s account, as for a missing one', async ({ a, accB }) => {
  const other = await a.get(`/api/accounts/${accB}`);
  const missing = await a.get('/api/accounts/999999');
  assertError(other, 404, 'not_found');
  assertError(missing, 404, 'not_found');
  assert.equal(other.body, missing.body, 'a customer cannot tell that another\'s account exists');
  assertError(await a.post(`/api/accounts/${accB}/refresh`), 404, 'not_found');
  assertError(await a.get('/api/accounts/abc'), 404, 'not_found');
});

accounts('should answer 403 to a customer creating an account and 401 to an anonymous caller', async ({ h, a, aId, hostId, planId }) => {
  assertError(await a.post('/api/accounts', { hostId, name: 'mine', ownerId: aId, planId }), 403, 'forbidden');
  assertError(await new Api(h.url).get('/api/accounts'), 401, 'unauthorized');
});

accounts('should answer 400 naming the field of a bad account', async ({ h, aId, hostId, planId }) => {
  assertError(await h.admin.post('/api/accounts', { hostId, name: 'Bad Name!', ownerId: aId, planId }), 400, 'bad_request', 'name');
  assertError(await h.admin.post('/api/accounts', { hostId: 999999, name: 'ghost', ownerId: aId, planId }), 400, 'bad_request', 'hostId');
  assertError(await h.admin.post('/api/accounts', { hostId, name: 'ghost', ownerId: 999999, planId }), 400, 'bad_request', 'ownerId');
  assertError(await h.admin.post('/api/accounts', { hostId, name: 'ghost', ownerId: aId, planId: 999999 }), 400, 'bad_request', 'planId');
  assert.not.ok((await h.admin.get('/api/accounts')).body.accounts.some((x: any) => x.name === 'ghost'));
});

accounts('should answer 409 for a second account of the same name on a host', async ({ h, bId, hostId, planId }) => {
  assertError(await h.admin.post('/api/accounts', { hostId, name: 'alice', ownerId: bId, planId }), 409, 'conflict', 'name');
});

accounts('should answer stale with a reason when no agent is connected', async ({ a, accA }) => {
  const res = await a.post(`/api/accounts/${accA}/refresh`);
  assert.is(res.status, 200);
  assert.is(res.body.stale, true);
  assert.type(res.body.reason, 'string');
  assert.match(res.body.reason, /connect/i);
  assert.is(res.body.state.id, accA);
});

accounts('should return the agent\'s fresh figures, not stale, when the agent answers', async (c) => {
  const { h, a, accA, token } = c;
  const agent = await connectAgent(h.url, token);
  c.sockets.push(agent);
  const asked: unknown[] = [];
  agent.on('refresh', (req, reply) => {
    asked.push(req);
    reply({ ok: true, quota: [{ account: 'alice', usedBytes: 123, source: 'walk', measuredAt: Date.now() }, { account: 'bob', usedBytes: 999, source: 'walk', measuredAt: Date.now() }], services: [] });
  });
  const res = await a.post(`/api/accounts/${accA}/refresh`);
  agent.close(); // before asserting, so a failure here does not leave it connected for the next tests
  assert.is(res.status, 200);
  assert.is(res.body.stale, false);
  assert.is(res.body.state.quota.usedBytes, 123);
  assert.equal(asked, [{ account: 'alice' }]);
  // The figure is kept: the account page shows it afterwards.
  assert.is((await a.get(`/api/accounts/${accA}`)).body.state.quota.usedBytes, 123);
});

accounts('should answer stale with the cached figures within ~2.5 s when the agent never answers', async (c) => {
  const { h, a, accA, token } = c;
  await until(() => !h.hub.deps.agents.agentOf(c.hostId), 2000, 'the previous agent to be gone');
  const agent = await connectAgent(h.url, token);
  c.sockets.push(agent);
  let asked = 0;
  agent.on('refresh', () => { asked++; /* never replies */ });
  const started = Date.now();
  const res = await a.post(`/api/accounts/${accA}/refresh`);
  const took = Date.now() - started;
  agent.close();
  assert.is(res.status, 200);
  assert.is(res.body.stale, true);
  assert.is(asked, 1);
  assert.ok(took < 2500, `took ${took} ms`);
  assert.match(res.body.reason, /time/i);
  // The cached figure from the previous refresh, with its age.
  assert.is(res.body.state.quota.usedBytes, 123);
  assert.type(res.body.ageMs, 'number');
  assert.ok(res.body.ageMs >= 0);
});

accounts('should answer stale with the agent\'s reason when the agent cannot measure', async (c) => {
  const { h, a, accA, token } = c;
  await until(() => !h.hub.deps.agents.agentOf(c.hostId), 2000, 'the previous agent to be gone');
  const agent = await connectAgent(h.url, token);
  c.sockets.push(agent);
  agent.on('refresh', (_req, reply) => reply({ ok: false, error: 'quota tools missing' }));
  const res = await a.post(`/api/accounts/${accA}/refresh`);
  agent.close();
  assert.is(res.body.stale, true);
  assert.is(res.body.reason, 'quota tools missing');
});

accounts.run();

// ---------------------------------------------------------------------------
const capacity = hubSuite('GET /api/capacity');

capacity('should show size, used, allocated and how many accounts of each public plan still fit', async (c) => {
  const { h } = c;
  const host = await createHost(h.admin, 'cap-01');
  const small = await createPlan(h.admin, 'Small', 10e9, true);
  const hidden = await createPlan(h.admin, 'Internal', 1e9, false);
  const cust = await createUser(h.admin, 'cap@example.com');
  // No mount: counted on the host's largest disk (/home).
  await createAccount(h.admin, { hostId: host.id, name: 'capuser', ownerId: cust.id, planId: small });
  const agent = await connectAgent(h.url, host.token);
  c.sockets.push(agent);
  agent.emit('samples', { samples: [sample(1, Date.now(), { disks: [
    { mount: '/', device: '/dev/sda2', fsType: 'ext4', sizeBytes: 20e9, usedBytes: 5e9, availBytes: 15e9 },
    { mount: '/home', device: '/dev/sda1', fsType: 'ext4', sizeBytes: 100e9, usedBytes: 10e9, availBytes: 90e9 },
  ] })] });
  const res = await until(async () => {
    const r = await h.admin.get('/api/capacity');
    return r.body?.disks?.length === 2 ? r : null;
  }, 3000, 'two disks in /api/capacity');
  const home = res.body.disks.find((d: any) => d.mount === '/home');
  const root = res.body.disks.find((d: any) => d.mount === '/');
  assert.is(home.hostId, host.id);
  assert.is(home.hostName, 'cap-01');
  assert.is(home.sizeBytes, 100e9);
  assert.is(home.usedBytes, 10e9);
  assert.is(home.allocatedBytes, 10e9);
  assert.is(home.freeBytes, 90e9);
  assert.is(home.unallocatedBytes, 90e9);
  // Documented rule: floor(min(unallocated, available) / plan quota) = floor(min(90e9, 90e9) / 10e9).
  assert.equal(home.fits, [{ planId: small, planName: 'Small', count: 9 }], 'only public plans are offered');
  assert.not.ok(home.fits.some((f: any) => f.planId === hidden));
  assert.is(root.allocatedBytes, 0);
  assert.is(root.unallocatedBytes, 20e9);
  // Bounded by what is available (15e9), not by the unallocated 20e9.
  assert.equal(root.fits, [{ planId: small, planName: 'Small', count: 1 }]);
});

capacity('should answer 403 to a customer', async ({ h }) => {
  const { api } = await createUser(h.admin, 'capcust@example.com');
  assertError(await api.get('/api/capacity'), 403, 'forbidden');
});

capacity.run();

// ---------------------------------------------------------------------------
const health = hubSuite('/healthz, /readyz, /metrics');

health('should answer 200 on /healthz', async ({ h }) => {
  const res = await fetch(h.url + '/healthz');
  assert.is(res.status, 200);
});

health('should send a strict Content-Security-Policy and the usual security headers', async ({ h }) => {
  const res = await fetch(h.url + '/healthz');
  const csp = res.headers.get('content-security-policy') ?? '';
  assert.match(csp, "default-src 'self'");
  assert.match(csp, "script-src 'self'");
  assert.match(csp, "frame-ancestors 'none'");
  assert.not.match(csp, /script-src[^;]*unsafe-inline/);
  assert.is(res.headers.get('x-content-type-options'), 'nosniff');
  assert.is(res.headers.get('x-frame-options'), 'DENY');
});

health('should answer 200 on /readyz with the database reachable', async ({ h }) => {
  const res = await fetch(h.url + '/readyz');
  assert.is(res.status, 200);
  const body = await res.json();
  assert.is(body.database, 'reachable');
  assert.is(body.ready, true);
});

health('should count connected agents in rackpulse_agents_connected on /metrics', async (c) => {
  const { h } = c;
  const read = async () => {
    const res = await fetch(h.url + '/metrics');
    assert.is(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /text\/plain/);
    const m = /^rackpulse_agents_connected (\d+)$/m.exec(await res.text());
    assert.ok(m, 'rackpulse_agents_connected is exported');
    return Number(m![1]);
  };
  assert.is(await read(), 0);
  const host = await createHost(h.admin, 'metrics-01');
  const agent: RawAgent = await connectAgent(h.url, host.token);
  c.sockets.push(agent);
  assert.is(await read(), 1);
  agent.close();
  await until(async () => (await read()) === 0, 2000, 'the gauge to drop back to 0');
});

health('should answer 404 with a JSON error for an unknown /api path', async ({ h }) => {
  const res = await h.admin.get('/api/nope');
  assertError(res, 404, 'not_found');
  assert.match(res.headers.get('content-type') ?? '', /application\/json/);
});

health('should answer 405 with a JSON error for a method an /api path does not support', async ({ h }) => {
  const res = await h.admin.req('PUT', '/api/hosts', {});
  assert.match(res.headers.get('content-type') ?? '', /application\/json/);
  assertError(res, 405);
  assert.type(res.body.error.code, 'string');
});

health.run();
