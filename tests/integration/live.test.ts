// The `/live` namespace (DESIGN.md, "Surfaces"): a real hub on port 0 with its own SQLite database per suite,
// real socket.io clients signed in by session cookie, raw agents feeding it.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { DeltaMessage, SnapshotMessage, SubscribeReply } from '../../protocol/index.js';
import { Api, connectLive, sample, startHub, type LiveClient, type RawAgent, type TestHub } from '../helpers/hub.js';
import { connectAgent, createAccount, createHost, createPlan, createUser, nextEvent, record, refusal } from '../helpers/rest.js';

interface Ctx {
  h: TestHub;
  sockets: { close(): unknown }[];
  hostId: number;
  agent: RawAgent;
  admin: LiveClient;
  alice: { id: number; api: Api; live: LiveClient; account: number };
  bob: { id: number; api: Api; live: LiveClient; account: number };
  seq: number;
}

/** One hub for the suite: a host with a connected agent, customers alice and bob with one account each, everyone on /live. */
function liveSuite(name: string) {
  const s = suite<Ctx>(name, {} as Ctx);
  s.before(async (c) => {
    c.sockets = [];
    c.seq = 0;
    c.h = await startHub('sqlite');
    const plan = await createPlan(c.h.admin, 'Basic', 10e9);
    const host = await createHost(c.h.admin, 'live-01');
    c.hostId = host.id;
    const customer = async (email: string, unix: string) => {
      const u = await createUser(c.h.admin, email);
      const account = await createAccount(c.h.admin, { hostId: host.id, name: unix, ownerId: u.id, planId: plan });
      const live = await connectLive(c.h.url, u.api.cookie);
      c.sockets.push(live);
      return { ...u, live, account };
    };
    c.alice = await customer('alice@example.com', 'alice');
    c.bob = await customer('bob@example.com', 'bob');
    c.admin = await connectLive(c.h.url, c.h.admin.cookie);
    c.agent = await connectAgent(c.h.url, host.token);
    c.sockets.push(c.admin, c.agent);
  });
  s.after(async (c) => { for (const x of c.sockets) x.close(); await c.h?.stop(); });
  return s;
}

const subscribe = (s: LiveClient, topic: unknown): Promise<SubscribeReply> => s.timeout(2000).emitWithAck('subscribe', { topic } as any);
const unsubscribe = (s: LiveClient, topic: string): Promise<SubscribeReply> => s.timeout(2000).emitWithAck('unsubscribe', { topic } as any);
const snapshotOf = (s: LiveClient, topic: string) => nextEvent<SnapshotMessage>(s, 'snapshot', (m) => m.topic === topic);

// ---------------------------------------------------------------------------
const handshake = suite<{ h: TestHub }>('/live handshake', {} as { h: TestHub });
handshake.before(async (c) => { c.h = await startHub('sqlite'); });
handshake.after(async (c) => { await c.h?.stop(); });

handshake('should refuse a connection without a session cookie with "unauthorized"', async ({ h }) => {
  const err = await refusal(connectLive(h.url, ''));
  assert.is(err.message, 'unauthorized');
  assert.is(err.data?.code, 'unauthorized');
});

handshake('should refuse an unknown or signed-out session cookie', async ({ h }) => {
  assert.is((await refusal(connectLive(h.url, 'rp_session=rps_forged'))).message, 'unauthorized');
  const api = await new Api(h.url).login('admin@example.com', 'admin-password-1');
  const live = await connectLive(h.url, api.cookie);
  live.close();
  assert.is((await api.del('/api/session')).status, 204);
  assert.is((await refusal(connectLive(h.url, api.cookie))).message, 'unauthorized');
});

handshake.run();

// ---------------------------------------------------------------------------
const fleet = liveSuite('fleet and host:<id> topics');

fleet('should ack an admin\'s fleet subscription, then send a snapshot with the host', async ({ admin, hostId }) => {
  const snap = snapshotOf(admin, 'fleet');
  assert.equal(await subscribe(admin, 'fleet'), { ok: true });
  const m = await snap;
  assert.is(m.topic, 'fleet');
  const host = (m.data as any).hosts.find((x: any) => x.id === hostId);
  assert.ok(host, 'the snapshot lists the host');
  assert.is(host.name, 'live-01');
  assert.is(host.hostname, 'test-host', 'the hello reached the fleet view');
  assert.is(host.accounts, 2);
});

fleet('should send a sample as a delta on fleet and on host:<id>', async (c) => {
  const { admin, agent, hostId } = c;
  const hostSnap = snapshotOf(admin, `host:${hostId}`);
  assert.equal(await subscribe(admin, `host:${hostId}`), { ok: true });
  const hs = await hostSnap;
  assert.is((hs.data as any).host.id, hostId);
  assert.ok(Array.isArray((hs.data as any).points));

  const s = sample(++c.seq, Date.now(), { cpuPct: 42.5 });
  const onFleet = nextEvent<DeltaMessage>(admin, 'delta', (m) => m.topic === 'fleet' && (m.data as any).hosts.some((x: any) => x.id === hostId && x.latest?.t === s.t));
  const onHost = nextEvent<DeltaMessage>(admin, 'delta', (m) => m.topic === `host:${hostId}` && (m.data as any).points.some((p: any) => p.t === s.t));
  agent.emit('samples', { samples: [s] });
  const f = await onFleet;
  const fh = (f.data as any).hosts.find((x: any) => x.id === hostId);
  assert.is(fh.latest.cpuPct, 42.5);
  assert.is(fh.online, true);
  const hd = await onHost;
  const p = (hd.data as any).points.find((x: any) => x.t === s.t);
  assert.is(p.cpuPct, 42.5);
  assert.is(p.load1, s.load1);
  assert.is((hd.data as any).host.latest.t, s.t);
});

fleet('should refuse fleet and host:<id> to a customer, without a snapshot', async ({ alice, hostId }) => {
  const snaps = record<SnapshotMessage>(alice.live, 'snapshot');
  const r1 = await subscribe(alice.live, 'fleet');
  const r2 = await subscribe(alice.live, `host:${hostId}`);
  assert.is(r1.ok, false);
  assert.is(r2.ok, false);
  // A later allowed subscription's snapshot comes after any wrongly sent one.
  const own = snapshotOf(alice.live, `account:${alice.account}`);
  assert.equal(await subscribe(alice.live, `account:${alice.account}`), { ok: true });
  await own;
  assert.equal(snaps.map((m) => m.topic), [`account:${alice.account}`]);
  await unsubscribe(alice.live, `account:${alice.account}`);
});

fleet('should refuse host:<id> of an unknown host', async ({ admin }) => {
  assert.is((await subscribe(admin, 'host:999999')).ok, false);
});

fleet('should list a deleted host as removed in a fleet delta', async ({ h, admin }) => {
  const { id } = await createHost(h.admin, 'short-lived');
  const removed = nextEvent<DeltaMessage>(admin, 'delta', (m) => m.topic === 'fleet' && ((m.data as any).removed ?? []).includes(id));
  assert.is((await h.admin.del(`/api/hosts/${id}`)).status, 204);
  await removed;
});

fleet('should send a fleet delta marking the host offline when its agent disconnects', async ({ admin, agent, hostId }) => {
  const off = nextEvent<DeltaMessage>(admin, 'delta', (m) => m.topic === 'fleet' && (m.data as any).hosts.some((x: any) => x.id === hostId && x.online === false));
  agent.close();
  await off;
});

fleet.run();

// ---------------------------------------------------------------------------
const accounts = liveSuite('account:<id> topic');

accounts('should send a customer a snapshot of their own account', async ({ alice, hostId }) => {
  const snap = snapshotOf(alice.live, `account:${alice.account}`);
  assert.equal(await subscribe(alice.live, `account:${alice.account}`), { ok: true });
  const a = (await snap).data as any;
  assert.is(a.account.id, alice.account);
  assert.is(a.account.name, 'alice');
  assert.is(a.account.hostId, hostId);
  assert.is(a.account.ownerId, alice.id);
  assert.is(a.account.plan.quotaBytes, 10e9);
});

accounts('should refuse another customer\'s account, without a snapshot', async ({ bob, alice }) => {
  const snaps = record<SnapshotMessage>(bob.live, 'snapshot');
  const r = await subscribe(bob.live, `account:${alice.account}`);
  assert.is(r.ok, false);
  // Same answer as for an account that does not exist.
  assert.equal(await subscribe(bob.live, 'account:999999'), r);
  const own = snapshotOf(bob.live, `account:${bob.account}`);
  assert.equal(await subscribe(bob.live, `account:${bob.account}`), { ok: true });
  await own;
  assert.equal(snaps.map((m) => m.topic), [`account:${bob.account}`]);
});

accounts('should send a quota message as a delta with the new usage to the account\'s subscribers only', async (c) => {
  const { alice, bob, agent } = c;
  const bobDeltas = record<DeltaMessage>(bob.live, 'delta');
  const got = nextEvent<DeltaMessage>(alice.live, 'delta', (m) => m.topic === `account:${alice.account}` && (m.data as any).account.quota?.usedBytes === 4242);
  agent.emit('quota', { seq: 1, t: Date.now(), accounts: [{ account: 'alice', usedBytes: 4242, source: 'walk', measuredAt: Date.now() }] });
  const d = (await got).data as any;
  assert.is(d.account.id, alice.account);
  assert.is(d.account.quota.usedBytes, 4242);
  assert.type(d.account.quota.ageMs, 'number');
  // Round trip on bob's socket: a delta sent to him in the same tick would have arrived before this ack.
  await unsubscribe(bob.live, 'account:999999');
  assert.not.ok(bobDeltas.some((m) => m.topic === `account:${alice.account}`), 'bob must not see alice\'s usage');
});

accounts('should stop deltas after unsubscribe', async (c) => {
  const { alice, agent } = c;
  const topic = `account:${alice.account}`;
  const admin = c.admin;
  const snap = snapshotOf(admin, topic);
  assert.equal(await subscribe(admin, topic), { ok: true });
  await snap;
  assert.equal(await unsubscribe(alice.live, topic), { ok: true });
  const aliceDeltas = record<DeltaMessage>(alice.live, 'delta');
  const adminGot = nextEvent<DeltaMessage>(admin, 'delta', (m) => m.topic === topic && (m.data as any).account.quota?.usedBytes === 5555);
  agent.emit('quota', { seq: 2, t: Date.now(), accounts: [{ account: 'alice', usedBytes: 5555, source: 'walk', measuredAt: Date.now() }] });
  await adminGot;
  // Round trip on alice's socket: anything sent to her in the same tick arrives before this ack.
  await unsubscribe(alice.live, 'account:999999');
  assert.equal(aliceDeltas, [], 'no delta after unsubscribe');
  // The REST view has the new figure, so the delta was real.
  assert.is((await alice.api.get(`/api/accounts/${alice.account}`)).body.state.quota.usedBytes, 5555);
});

accounts.run();

// ---------------------------------------------------------------------------
const validation = liveSuite('subscribe payload validation');

for (const [what, payload] of [
  ['an unknown topic kind', { topic: 'hosts:1' }],
  ['a numeric topic', { topic: 5 }],
  ['a topic with a zero id', { topic: 'host:0' }],
  ['extra fields', { topic: 'fleet', extra: true }],
  ['no payload', undefined],
] as const) {
  validation(`should answer {ok:false} with bad_request for ${what}`, async ({ admin }) => {
    const snaps = record<SnapshotMessage>(admin, 'snapshot');
    const r = await admin.timeout(2000).emitWithAck('subscribe', payload as any);
    assert.is(r.ok, false);
    assert.is((r as any).error.code, 'bad_request');
    assert.type((r as any).error.message, 'string');
    await unsubscribe(admin, 'account:999999'); // round trip: a snapshot sent after the ack would be here by now
    assert.equal(snaps, []);
  });
}

validation.run();
