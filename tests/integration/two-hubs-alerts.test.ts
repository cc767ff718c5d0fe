/**
 * Alerts with two hub processes on MariaDB and Redis: a host's alerts are evaluated by the one hub
 * holding its lease. A load alert raised on hub A is stored once, webhooked once and pushed to a
 * dashboard on hub B; hub A is killed (SIGKILL), the agent moves to B, which takes the firing alert
 * over from the database: it is not raised again, and B resolves that same alert when the load drops.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import mysql from 'mysql2/promise';
import { ADMIN, Api, connectLive, until, type LiveClient } from '../helpers/hub.js';
import { SpoolAgent, startTwoHubs, webhookReceiver, type Receiver, type TwoHubs } from '../helpers/cluster.js';
import type { AlertDto, DeltaMessage, SnapshotMessage } from '../../protocol/index.js';

const test = suite('alerts on several hubs (MariaDB + Redis)');
let hubs: TwoHubs;
let hook: Receiver;

test.before(async () => {
  hubs = await startTwoHubs({ ALERT_WEBHOOK_RETRY_MS: '50' });
  hook = await webhookReceiver();
});
test.after(async () => { hook?.close(); await hubs?.stop(); });

test('a load alert should fire once across hubs, reach a dashboard on the other hub, and survive its hub dying', async () => {
  const apiA = await new Api(hubs.urlA).login(ADMIN.email, ADMIN.password);
  const apiB = await new Api(hubs.urlB).login(ADMIN.email, ADMIN.password);
  const created = await apiA.post('/api/hosts', { name: 'alerting-1' });
  assert.is(created.status, 201);
  const hostId: number = created.body.host.id;
  // At once above 1.0 per CPU, with a webhook; changed on A, in force on B too.
  assert.is((await apiA.req('PUT', '/api/alert-rules/load_high', { threshold: 1, forSeconds: 0, webhookUrl: hook.url })).status, 200);
  await until(async () => (await apiB.get('/api/alert-rules')).body.rules.find((r: any) => r.kind === 'load_high' && r.hostId === null)?.webhookUrl === hook.url,
    5000, 'the rule on hub B');

  // A dashboard on B, on the alerts topic.
  const live: LiveClient = await connectLive(hubs.urlB, apiB.cookie);
  const seen: AlertDto[] = [];
  live.on('snapshot', (m: SnapshotMessage) => { if (m.topic === 'alerts') seen.push(...(m.data as any).alerts); });
  live.on('delta', (m: DeltaMessage) => { if (m.topic === 'alerts') seen.push(...(m.data as any).alerts); });
  assert.ok(((await live.timeout(3000).emitWithAck('subscribe', { topic: 'alerts' })) as any).ok);

  // The agent on A: load 5 on 2 CPUs.
  let load = 5;
  const agent = new SpoolAgent(created.body.token, () => hubs.urlA, () => ({ load1: load }), 100);
  await agent.start();
  await until(() => hook.got.length >= 1, 10_000, 'the firing webhook');
  const fired = hook.got[0];
  assert.equal([fired.event, fired.alert.kind, fired.alert.hostId, fired.alert.state], ['firing', 'load_high', hostId, 'firing']);
  await until(() => seen.some((a) => a.id === fired.alert.id && a.state === 'firing'), 5000, 'the alert on the dashboard of hub B');

  // Hub A dies; the load balancer sends the agent to B, which takes the host's lease once A's lapsed.
  const ackedOnA = agent.acked;
  await hubs.a.kill('SIGKILL');
  agent.target = () => hubs.urlB;
  await until(() => agent.reconnects === 1 && agent.acked > ackedOnA + 10, 15_000, 'samples acknowledged by hub B');
  // B evaluates the host now (it resolves the alert when the load drops): the high load it saw meanwhile did not raise a new one.
  load = 0.2;
  await until(() => hook.got.length >= 2, 10_000, 'the resolved webhook from hub B');
  assert.equal(hook.got.map((w) => [w.event, w.alert.id]), [['firing', fired.alert.id], ['resolved', fired.alert.id]]);
  await until(() => seen.some((a) => a.id === fired.alert.id && a.state === 'resolved'), 5000, 'the resolution on the dashboard');
  assert.ok(seen.every((a) => a.kind !== 'load_high' || a.id === fired.alert.id), 'no second load alert on the dashboard');
  assert.is(agent.rejects, 0);

  const conn = await mysql.createConnection(hubs.db.url);
  try {
    const [rows]: any = await conn.query("SELECT id, state FROM alerts WHERE host_id = ? AND kind = 'load_high'", [hostId]);
    assert.equal(rows.map((r: any) => [Number(r.id), r.state]), [[fired.alert.id, 'resolved']]);
  } finally { await conn.end(); }
  assert.is(hook.got.length, 2);
  agent.close(); live.close();
});

test.run();
