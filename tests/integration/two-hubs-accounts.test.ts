/**
 * A customer's box on any hub: two hub processes sharing MariaDB and Redis, the agent on hub A, the
 * customer on hub B. "Refresh now" and a named action reach the agent through hub A and come back,
 * what hub A takes from the agent reaches the customer's card on B live, and a silent or missing
 * agent gives the cached figure with the reason.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import mysql from 'mysql2/promise';
import { ADMIN, Api, agentAuth, connectLive, connectRawAgent, hello, until, type LiveClient, type RawAgent } from '../helpers/hub.js';
import { startTwoHubs, type TwoHubs } from '../helpers/cluster.js';
import { createAccount, createHost, createPlan, createUser, nextEvent } from '../helpers/rest.js';

const test = suite('several hubs: account cards, refresh and actions from any hub (MariaDB + Redis)');
let hubs: TwoHubs;
let agent: RawAgent | null = null, live: LiveClient | null = null;

test.before(async () => { hubs = await startTwoHubs(); });
test.after(async () => { agent?.close(); live?.close(); await hubs?.stop(); });

test('a customer on hub B should refresh and run actions through the agent on hub A, and follow its figures live', async () => {
  const adminA = await new Api(hubs.urlA).login(ADMIN.email, ADMIN.password);
  const plan = await createPlan(adminA, 'Box', 10_000);
  const host = await createHost(adminA, 'two-hubs-box');
  const carol = await createUser(adminA, 'carol@example.com');
  const id = await createAccount(adminA, { hostId: host.id, name: 'carol', ownerId: carol.id, planId: plan });
  const onB = Object.assign(new Api(hubs.urlB), { cookie: carol.api.cookie });

  // Nothing connected anywhere: the cached figure (none yet) and why.
  const before = await onB.post(`/api/accounts/${id}/refresh`);
  assert.equal([before.status, before.body.stale, before.body.reason], [200, true, 'the server is not connected']);

  agent = await connectRawAgent(hubs.urlA, agentAuth(host.token));
  const helloed: any = await agent.timeout(5000).emitWithAck('hello', { ...hello, actions: [{ name: 'restart-services', description: 'Restart your services', accounts: ['carol'] }] });
  assert.is(helloed.hostId, host.id);
  agent.on('action', (req, ack) => ack({ ok: true, exitCode: 0, signal: null, timedOut: false, durationMs: 12, output: `restarted for ${req.account}` }));
  let answer = true;
  agent.on('refresh', (req, ack) => {
    if (answer) ack({ ok: true, quota: [{ account: req.account ?? 'carol', usedBytes: 7777, source: 'quota', measuredAt: Date.now() }], services: [] });
  });
  // Hub B learns from hub A that the agent is connected there (the owner publishes its hosts' state).
  const fresh = await until(async () => {
    const r = await onB.post(`/api/accounts/${id}/refresh`);
    return r.body.stale === false ? r : null;
  }, 10_000, 'a fresh refresh on hub B');
  assert.is(fresh.status, 200);
  assert.is(fresh.body.state.quota.usedBytes, 7777);

  // Hub A, which has the agent, keeps and writes the refreshed figure.
  const conn = await mysql.createConnection(hubs.db.url);
  try {
    await until(async () => {
      const [rows]: any = await conn.query('SELECT used_bytes FROM account_usage WHERE host_id = ? AND account = ?', [host.id, 'carol']);
      return Number(rows[0]?.used_bytes) === 7777;
    }, 5000, 'the refreshed figure stored');
  } finally { await conn.end(); }
  assert.is((await carol.api.get(`/api/accounts/${id}`)).body.state.quota.usedBytes, 7777, 'hub A shows it too');

  // The card on hub B follows the agent's quota stream on hub A live.
  live = await connectLive(hubs.urlB, carol.api.cookie);
  const snap = nextEvent(live, 'snapshot', (m: any) => m.topic === `account:${id}`);
  assert.equal(await live.timeout(3000).emitWithAck('subscribe', { topic: `account:${id}` } as any), { ok: true });
  assert.is((await snap).data.account.quota.usedBytes, 7777);
  const moved = nextEvent(live, 'delta', (m: any) => m.topic === `account:${id}` && m.data.account.quota?.usedBytes === 8888, 5000);
  agent.emit('quota', { seq: 1, t: Date.now(), accounts: [{ account: 'carol', usedBytes: 8888, source: 'quota', measuredAt: Date.now() }] });
  await moved;

  // A named action asked on hub B runs on the agent connected to hub A, and its outcome comes back.
  await until(async () => (await onB.get(`/api/accounts/${id}`)).body.state.actions.length === 1, 5000, 'the action offered on hub B');
  const ran = await onB.post(`/api/accounts/${id}/actions/restart-services`);
  assert.equal([ran.status, ran.body.outcome, ran.body.output], [200, 'succeeded', 'restarted for carol']);

  // The agent stops answering: hub B gives the cached figure within the refresh's 2 s, and says why.
  answer = false;
  const t0 = Date.now();
  const late = await onB.post(`/api/accounts/${id}/refresh`);
  assert.ok(Date.now() - t0 < 3500, `answered after ${Date.now() - t0} ms`);
  assert.equal([late.body.stale, late.body.reason, late.body.state.quota.usedBytes], [true, 'the server did not respond in time', 8888]);
});

test.run();
