/**
 * Redis stopped and started under two hubs (a private redis-server of this test, not the machine's):
 * an agent streams to hub A and a dashboard on hub B follows the host live. Redis is stopped
 * (SIGTERM) for about 5 s, longer than the host lease, and started again on the same port, empty.
 * Both hubs stay up, /readyz says Redis is unreachable meanwhile and a line is logged; afterwards
 * every sample the agent sent is counted exactly once in MariaDB and live delivery across hubs resumes.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import mysql from 'mysql2/promise';
import { ADMIN, Api, connectLive, until, type LiveClient } from '../helpers/hub.js';
import { PrivateRedis, SpoolAgent, startTwoHubs, type TwoHubs } from '../helpers/cluster.js';
import type { DeltaMessage, LivePoint, SnapshotMessage } from '../../protocol/index.js';

const test = suite('Redis stopped and started under two hubs');
let redis: PrivateRedis;
let hubs: TwoHubs;
/** Closed after the test whatever happens (an agent left reconnecting would keep the run alive). */
const closers: { close(): unknown }[] = [];

test.before(async () => {
  redis = await PrivateRedis.start();
  hubs = await startTwoHubs({ HOST_LEASE_MS: '2000' }, redis.url);
});
test.after(async () => { for (const c of closers) c.close(); await hubs?.stop(); await redis?.stop(); });

const readyz = async (url: string) => { const r = await fetch(`${url}/readyz`); return { status: r.status, body: await r.json() as any }; };

test('should stay up, report Redis unreachable, and lose or double no sample', async () => {
  const apiA = await new Api(hubs.urlA).login(ADMIN.email, ADMIN.password);
  const apiB = await new Api(hubs.urlB).login(ADMIN.email, ADMIN.password);
  for (const url of [hubs.urlA, hubs.urlB]) assert.equal(await readyz(url), { status: 200, body: { ready: true, database: 'reachable', commits: 'ok', redis: 'reachable' } });
  const created = await apiA.post('/api/hosts', { name: 'redis-fault-1' });
  const hostId: number = created.body.host.id;

  const agent = new SpoolAgent(created.body.token, () => hubs.urlA);
  closers.push(agent);
  await agent.start();
  const live: LiveClient = await connectLive(hubs.urlB, apiB.cookie);
  closers.push(live);
  const seen = new Set<number>();
  const onPoints = (pts: LivePoint[]) => { for (const p of pts) seen.add(p.t); };
  live.on('snapshot', (m: SnapshotMessage) => { if (m.topic === `host:${hostId}`) onPoints((m.data as any).points); });
  live.on('delta', (m: DeltaMessage) => { if (m.topic === `host:${hostId}`) onPoints((m.data as any).points ?? []); });
  await until(async () => ((await live.timeout(3000).emitWithAck('subscribe', { topic: `host:${hostId}` })) as any).ok, 10_000, 'host known on hub B');
  await until(() => seen.size >= 10, 10_000, 'points of hub A on hub B');

  // Redis goes away for about 5 s while the agent keeps sending.
  await redis.stop();
  for (const url of [hubs.urlA, hubs.urlB]) {
    const r = await until(async () => { const x = await readyz(url); return x.body.redis === 'unreachable' ? x : null; }, 5000, `readyz of ${url} reporting Redis`);
    assert.is(r.status, 503);
    assert.is(r.body.ready, false);
  }
  await new Promise((r) => setTimeout(r, 5000));
  const sentWhileDown = agent.seq;
  await redis.start();

  for (const url of [hubs.urlA, hubs.urlB]) await until(async () => (await readyz(url)).status === 200, 10_000, `readyz of ${url} after Redis returned`);
  // Cross-hub live delivery resumes: a sample sent from now on reaches the dashboard on B.
  const resumeFrom = agent.seq + 1;
  await until(() => seen.has(agent.timeOf(resumeFrom + 5)), 15_000, 'live points on hub B after Redis returned');
  agent.pause();
  const sent = agent.seq;
  assert.ok(sent > sentWhileDown);
  await until(() => agent.acked === sent, 20_000, `ack of every sample (sent ${sent})`);
  assert.is(agent.rejects, 0);
  // The lease (2 s) could not be renewed for 5 s: hub A stopped writing the host and let its agent go; it came back and resent.
  assert.ok(agent.reconnects >= 1, `reconnects ${agent.reconnects}`);
  if (process.env.FAULTS_REDIS_DEBUG) console.log(hubs.a.output(), hubs.b.output());

  // Both hubs stayed up and said what happened.
  assert.is(hubs.a.child.exitCode, null, hubs.a.output());
  assert.is(hubs.b.child.exitCode, null, hubs.b.output());
  for (const p of [hubs.a, hubs.b]) {
    assert.match(p.output(), 'Redis unreachable');
    assert.match(p.output(), 'Redis reachable again');
  }

  const conn = await mysql.createConnection(hubs.db.url);
  try {
    const [rows]: any = await conn.query('SELECT tier, SUM(`count`) AS n FROM rollups WHERE host_id = ? GROUP BY tier ORDER BY tier', [hostId]);
    assert.equal(rows.map((r: any) => [Number(r.tier), Number(r.n)]), [[60, sent], [1800, sent], [86400, sent]]);
  } finally { await conn.end(); }
  agent.close(); live.close();
});

test.run();
