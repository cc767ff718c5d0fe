// Alerts (protocol/alerts.schema.ts) against the real hub on SQLite and MariaDB: a raw agent's samples
// open load_high (pending, then firing), disk_full and, once it goes silent, host_offline; the `alerts`
// topic pushes them; acknowledgement; customers see only their accounts' alerts; alerts survive a
// restart; rules REST and its validation.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { AlertDto, KioskCreated, SubscribeReply } from '../../protocol/index.js';
import { Api, KioskApi, connectLive, sample, startHub, until, type LiveClient, type RawAgent, type TestHub } from '../helpers/hub.js';
import { assertError, connectAgent, createAccount, createHost, createPlan, createUser, nextEvent } from '../helpers/rest.js';

interface Ctx {
  h: TestHub; hostId: number; agent: RawAgent; seq: number; feeding: NodeJS.Timeout | null;
  admin: LiveClient; alice: { api: Api; account: number; live: LiveClient }; bob: { api: Api; account: number };
  wall: KioskCreated; lobby: KioskCreated; closers: { close(): unknown }[];
  over: Record<string, unknown>;
}

const subscribe = (s: LiveClient, topic: string): Promise<SubscribeReply> => s.timeout(2000).emitWithAck('subscribe', { topic } as any);
const alertsOf = async (api: Api, state = 'active'): Promise<AlertDto[]> => {
  const r = await api.get(`/api/alerts?state=${state}`);
  if (r.status !== 200) throw new Error(`GET /api/alerts: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body.alerts;
};
const find = (list: AlertDto[], kind: string, subject = '') => list.find((a) => a.kind === kind && a.subject === subject);

function alertsSuite(kind: 'sqlite' | 'mysql') {
  const s = suite<Ctx>(`alerts (${kind})`, {} as Ctx);
  s.before(async (c) => {
    c.closers = []; c.seq = 0; c.over = {};
    c.h = await startHub(kind, { OFFLINE_AFTER_MS: '1500' });
    const plan = await createPlan(c.h.admin, 'Tiny', 1000);
    const host = await createHost(c.h.admin, 'web-3');
    c.hostId = host.id;
    const a = await createUser(c.h.admin, 'alice@example.com');
    const b = await createUser(c.h.admin, 'bob@example.com');
    c.alice = { api: a.api, account: await createAccount(c.h.admin, { hostId: host.id, name: 'alice', ownerId: a.id, planId: plan }), live: await connectLive(c.h.url, a.api.cookie) };
    c.bob = { api: b.api, account: await createAccount(c.h.admin, { hostId: host.id, name: 'bob', ownerId: b.id, planId: plan }) };
    c.admin = await connectLive(c.h.url, c.h.admin.cookie);
    c.agent = await connectAgent(c.h.url, host.token); // hello: 2 CPUs
    c.closers.push(c.admin, c.alice.live, c.agent);
    c.wall = (await c.h.admin.post('/api/kiosks', { name: 'wall', canAck: true })).body;
    c.lobby = (await c.h.admin.post('/api/kiosks', { name: 'lobby' })).body;
    // The agent sends a sample every 200 ms with whatever `over` says.
    c.feeding = setInterval(() => { c.agent.emit('samples', { samples: [sample(++c.seq, Date.now(), { load1: 0.2, cpuPct: 5, ...c.over })] }); }, 200);
  });
  s.after(async (c) => { if (c.feeding) clearInterval(c.feeding); for (const x of c.closers) x.close(); await c.h?.stop(); });

  s('PUT /api/alert-rules should validate, and be for admins only', async (c) => {
    assertError(await c.h.admin.req('PUT', '/api/alert-rules/nope', { threshold: 1 }), 404);
    assertError(await c.h.admin.req('PUT', '/api/alert-rules/load_high', { threshold: -1 }), 400, 'bad_request', 'threshold');
    assertError(await c.h.admin.req('PUT', '/api/alert-rules/load_high', { threshold: null }), 400, 'bad_request', 'threshold');
    assertError(await c.h.admin.req('PUT', '/api/alert-rules/host_offline', { threshold: 3 }), 400, 'bad_request', 'threshold');
    assertError(await c.h.admin.req('PUT', '/api/alert-rules/load_high', { webhookUrl: 'ftp://x/' }), 400, 'bad_request', 'webhookUrl');
    assertError(await c.h.admin.req('PUT', '/api/alert-rules/load_high', { extra: 1 }), 400);
    assertError(await c.alice.api.req('PUT', '/api/alert-rules/load_high', { threshold: 1 }), 403);
    assertError(await c.alice.api.get('/api/alert-rules'), 403);
    assertError(await new Api(c.h.url).get('/api/alert-rules'), 401);
    assertError(await c.h.admin.req('PUT', '/api/hosts/99999/alert-rules/load_high', { threshold: 1 }), 404);
    const rules = (await c.h.admin.get('/api/alert-rules')).body.rules;
    assert.equal(rules.find((r: any) => r.kind === 'load_high'), { kind: 'load_high', hostId: null, enabled: true, threshold: 2, unit: 'load_per_cpu', forSeconds: 300, webhookUrl: null, webhook: null });
    assert.is(rules.length, 6, 'nothing was changed by the refused updates');
  });

  s('a high load should open load_high pending, then firing, pushed on the alerts topic', async (c) => {
    const snap = nextEvent(c.admin, 'snapshot', (m: any) => m.topic === 'alerts');
    assert.equal(await subscribe(c.admin, 'alerts'), { ok: true });
    assert.equal((await snap).data, { alerts: [], firing: 0 });
    const put = await c.h.admin.req('PUT', `/api/hosts/${c.hostId}/alert-rules/load_high`, { forSeconds: 1 });
    assert.is(put.status, 200, JSON.stringify(put.body));
    assert.equal([put.body.rule.hostId, put.body.rule.threshold, put.body.rule.forSeconds], [c.hostId, 2, 1]);
    const firing = nextEvent(c.admin, 'delta', (m: any) => m.topic === 'alerts' && m.data.alerts.some((a: AlertDto) => a.kind === 'load_high' && a.state === 'firing'), 5000);
    c.over = { load1: 5 }; // 2.5 per CPU
    const pending = await until(async () => find(await alertsOf(c.h.admin), 'load_high'), 3000, 'load_high');
    assert.is(pending.state, 'pending');
    const d = await firing;
    const a = d.data.alerts.find((x: AlertDto) => x.kind === 'load_high');
    assert.equal([a.id, a.hostId, a.hostName, a.value, a.threshold, a.severity], [pending.id, c.hostId, 'web-3', 2.5, 2, 'warning']);
    assert.ok(a.firingAt >= a.startedAt + 1000);
    assert.is(d.data.firing, 1);
    assert.is((await alertsOf(c.h.admin, 'firing'))[0].id, a.id);
    assert.match((await c.h.admin.get('/metrics')).body, /rackpulse_alerts_firing 1/);
  });

  s('POST /api/alerts/:id/ack should record who and when (admin or kiosk with canAck), and be audit-logged', async (c) => {
    const a = find(await alertsOf(c.h.admin), 'load_high')!;
    assertError(await c.alice.api.post(`/api/alerts/${a.id}/ack`), 403);
    assertError(await new KioskApi(c.h.url, c.lobby.token).post(`/api/alerts/${a.id}/ack`), 403);
    assertError(await c.h.admin.post('/api/alerts/999999/ack'), 404);
    const delta = nextEvent(c.admin, 'delta', (m: any) => m.topic === 'alerts' && m.data.alerts.some((x: AlertDto) => x.id === a.id && x.ackedBy));
    const res = await new KioskApi(c.h.url, c.wall.token).post(`/api/alerts/${a.id}/ack`);
    assert.is(res.status, 200, JSON.stringify(res.body));
    assert.is(res.body.alert.ackedBy, 'kiosk:wall');
    assert.is((await delta).data.alerts[0].ackedBy, 'kiosk:wall');
    assert.is((await c.h.admin.post(`/api/alerts/${a.id}/ack`)).body.alert.ackedBy, 'kiosk:wall', 'the first acknowledgement stays');
    const seen = find(await new KioskApi(c.h.url, c.lobby.token).get('/api/alerts').then((r) => r.body.alerts), 'load_high')!;
    assert.type(seen.ackedAt, 'number');
    const audit = (await c.h.admin.get('/api/audit')).body.entries;
    assert.ok(audit.some((e: any) => e.action === 'alert.ack' && e.actor === 'kiosk:wall' && e.target.startsWith(`alert:${a.id} `)));
  });

  s('a disk over 90 % should fire disk_full at once; the load falling should resolve load_high', async (c) => {
    c.over = { load1: 0.1, disks: [{ mount: '/data', device: '/dev/sdb1', fsType: 'ext4', sizeBytes: 1000, usedBytes: 950, availBytes: 50 }] };
    const disk = await until(async () => find(await alertsOf(c.h.admin), 'disk_full', '/data'), 3000, 'disk_full');
    assert.equal([disk.state, disk.value, disk.threshold, disk.severity], ['firing', 95, 90, 'critical']);
    assert.match(disk.message, /web-3: \/data 95 % used/);
    await until(async () => !find(await alertsOf(c.h.admin), 'load_high'), 3000, 'load_high resolved');
    const resolved = find(await alertsOf(c.h.admin, 'resolved'), 'load_high')!;
    assert.type(resolved.resolvedAt, 'number');
  });

  s('quota_over should be seen by its account\'s owner only, over REST and live', async (c) => {
    const snap = nextEvent(c.alice.live, 'snapshot', (m: any) => m.topic === 'alerts');
    assert.equal(await subscribe(c.alice.live, 'alerts'), { ok: true });
    assert.equal((await snap).data.alerts, [], 'the host alerts are not a customer\'s');
    const pushed = nextEvent(c.alice.live, 'delta', (m: any) => m.topic === 'alerts', 5000);
    const now = Date.now();
    c.agent.emit('quota', { seq: 1, t: now, accounts: [{ account: 'alice', usedBytes: 1500, source: 'walk', measuredAt: now }, { account: 'bob', usedBytes: 10, source: 'walk', measuredAt: now }] });
    const d = await pushed;
    assert.equal(d.data.alerts.map((a: AlertDto) => [a.kind, a.subject, a.accountId, a.value]), [['quota_over', 'alice', c.alice.account, 150]]);
    assert.is(d.data.firing, 1);
    assert.equal((await alertsOf(c.alice.api)).map((a) => a.kind), ['quota_over']);
    assert.equal(await alertsOf(c.bob.api), []);
    assert.is((await c.bob.api.get('/api/alerts')).body.firing, 0);
    assertError(await c.alice.api.get('/api/alerts?state=bogus'), 400, 'bad_request', 'state');
    assertError(await c.alice.api.get('/api/alerts?limit=501'), 400, 'bad_request', 'limit');
    assertError(await new Api(c.h.url).get('/api/alerts'), 401);
    const all = await alertsOf(c.h.admin);
    assert.ok(find(all, 'quota_over', 'alice') && find(all, 'disk_full', '/data'), 'admins see all');
  });

  s('an agent that goes silent should fire host_offline', async (c) => {
    clearInterval(c.feeding!); c.feeding = null;
    const a = await until(async () => find(await alertsOf(c.h.admin), 'host_offline'), 6000, 'host_offline');
    assert.equal([a.state, a.severity, a.hostId], ['firing', 'critical', c.hostId]);
  });

  s('a restarted hub should still list its alerts, with the same ids', async (c) => {
    const before = (await alertsOf(c.h.admin)).map((a) => [a.id, a.kind, a.state, a.ackedBy]).sort();
    c.agent.close();
    c.admin.close(); c.alice.live.close();
    c.h = await c.h.restart();
    const after = (await alertsOf(c.h.admin)).map((a) => [a.id, a.kind, a.state, a.ackedBy]).sort();
    assert.equal(after, before);
    // The latest state read back at start: alice's card keeps her last quota, with its age; the host counts its accounts.
    const alice = Object.assign(new Api(c.h.url), { cookie: c.alice.api.cookie });
    const card = (await alice.get(`/api/accounts/${c.alice.account}`)).body;
    assert.is(card.state.quota.usedBytes, 1500);
    assert.ok(card.state.quota.ageMs >= 0);
    assert.is((await c.h.admin.get(`/api/hosts/${c.hostId}`)).body.summary.accounts, 2);
    assert.ok((await alertsOf(c.h.admin, 'resolved')).some((a) => a.kind === 'load_high'));
    const rules = (await c.h.admin.get('/api/alert-rules')).body.rules;
    assert.ok(rules.some((r: any) => r.kind === 'load_high' && r.hostId === c.hostId && r.forSeconds === 1), 'the override survived');
    assert.is((await c.h.admin.del(`/api/hosts/${c.hostId}/alert-rules/load_high`)).status, 204);
    assertError(await c.h.admin.del(`/api/hosts/${c.hostId}/alert-rules/load_high`), 404);
  });

  return s;
}

alertsSuite('sqlite').run();
alertsSuite('mysql').run();
