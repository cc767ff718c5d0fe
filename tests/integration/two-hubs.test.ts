/**
 * Two hub processes on different ports sharing MariaDB and Redis (the socket.io Redis streams
 * adapter, host leases): an agent on hub A, a dashboard on hub B sees its samples live; hub A is
 * killed (SIGKILL), the agent moves to B and resends what was not acknowledged; the rollups in
 * MariaDB count every sample exactly once.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import mysql from 'mysql2/promise';
import { ADMIN, Api, agentAuth, connectLive, connectRawAgent, hello, sample, until, type LiveClient } from '../helpers/hub.js';
import { startTwoHubs, trackAcks as track, type TwoHubs } from '../helpers/cluster.js';
import type { DeltaMessage, LivePoint, SnapshotMessage } from '../../protocol/index.js';

const test = suite('several hubs (MariaDB + Redis)');
let hubs: TwoHubs;
let db: TwoHubs['db'], a: TwoHubs['a'], urlA: string, urlB: string;

test.before(async () => {
  hubs = await startTwoHubs();
  ({ db, a, urlA, urlB } = hubs);
});
test.after(async () => { await hubs?.stop(); });

test('should show an agent on hub A live on hub B, move it to B when A dies, and count every sample once', async () => {
  const apiA = await new Api(urlA).login(ADMIN.email, ADMIN.password);
  const apiB = await new Api(urlB).login(ADMIN.email, ADMIN.password);
  const created = await apiA.post('/api/hosts', { name: 'two-hubs-1' });
  assert.is(created.status, 201);
  const hostId: number = created.body.host.id;
  const t0 = Math.floor(Date.now() / 60_000) * 60_000 - 10 * 60_000; // whole minutes, in the past
  const at = (seq: number) => t0 + seq * 1000;

  // The agent on A.
  let agent = await connectRawAgent(urlA, agentAuth(created.body.token));
  let st = track(agent);
  const first: any = await agent.timeout(5000).emitWithAck('hello', hello);
  assert.equal(first.watermarks, { samples: 0, quota: 0, services: 0 });
  for (let i = 1; i <= 20; i++) agent.emit('samples', { samples: [sample(i, at(i))] });
  await until(() => st.acked === 20, 10_000, 'ack of seq 20 from hub A');

  // The dashboard on B: the host (added through A) and its points arrive live.
  const live: LiveClient = await connectLive(urlB, apiB.cookie);
  const seen = new Set<number>();
  const onPoints = (pts: LivePoint[]) => { for (const p of pts) seen.add(p.t); };
  live.on('snapshot', (m: SnapshotMessage) => { if (m.topic === `host:${hostId}`) onPoints((m.data as any).points); });
  live.on('delta', (m: DeltaMessage) => { if (m.topic === `host:${hostId}`) onPoints((m.data as any).points ?? []); });
  await until(async () => ((await live.timeout(3000).emitWithAck('subscribe', { topic: `host:${hostId}` })) as any).ok, 10_000, 'host known on hub B');
  await until(() => seen.has(at(20)), 10_000, 'points of hub A on hub B');
  for (let i = 21; i <= 30; i++) agent.emit('samples', { samples: [sample(i, at(i))] });
  await until(() => seen.has(at(30)), 10_000, 'live delta of hub A on hub B');
  const ackedOnA = st.acked;

  // Hub A dies with samples accepted but maybe not committed; the load balancer sends the agent to B.
  for (let i = 31; i <= 40; i++) agent.emit('samples', { samples: [sample(i, at(i))] });
  await a.kill('SIGKILL');
  agent.close();
  agent = await connectRawAgent(urlB, agentAuth(created.body.token));
  st = track(agent);
  const moved: any = await agent.timeout(10_000).emitWithAck('hello', hello);
  assert.ok(moved.watermarks.samples >= ackedOnA && moved.watermarks.samples <= 40, `watermark ${moved.watermarks.samples}`);
  // The agent's spool: it resends from a bit before the watermark (duplicates are ignored), then goes on.
  for (let i = Math.max(1, moved.watermarks.samples - 5); i <= 60; i++) agent.emit('samples', { samples: [sample(i, at(i))] });
  await until(() => st.acked === 60, 15_000, 'ack of seq 60 from hub B');
  await until(() => seen.has(at(60)), 10_000, 'live points on hub B after the move');
  assert.is(st.rejects, 0);

  const conn = await mysql.createConnection(db.url);
  try {
    const [rows]: any = await conn.query('SELECT tier, SUM(`count`) AS n, MAX(`count`) AS most FROM rollups WHERE host_id = ? GROUP BY tier ORDER BY tier', [hostId]);
    assert.equal(rows.map((r: any) => [Number(r.tier), Number(r.n)]), [[60, 60], [1800, 60], [86400, 60]]);
    const [mins]: any = await conn.query('SELECT bucket, `count` AS n FROM rollups WHERE host_id = ? AND tier = 60 ORDER BY bucket', [hostId]);
    // 1 s samples from a whole minute: seq 1–59 in the first minute bucket, 60 in the next.
    assert.equal(mins.map((r: any) => Number(r.n)), [59, 1]);
  } finally { await conn.end(); }
  live.close(); agent.close();
});

test.run();
