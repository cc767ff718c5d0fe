/**
 * An agent whose clock is an hour off: the hub files its samples by the hub's
 * clock (rollups and live points line up with the other hosts), flags the host
 * for the fleet overview, and loses or doubles nothing.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { agentAuth, connectLive, connectRawAgent, hello, sample, startHub, until, type TestHub } from '../helpers/hub.js';
import type { AckMessage, FleetSnapshot } from '../../protocol/index.js';

const HOUR = 3_600_000;
const test = suite('agent clock an hour off');
let t: TestHub;
test.before(async () => { t = await startHub('sqlite'); });
test.after(async () => { await t?.stop(); });

async function buckets(hostId: number): Promise<{ bucket: number; count: number }[]> {
  const knex = (t.hub.deps.orm.em as any).getKnex();
  return (await knex('rollups').where({ host_id: hostId, tier: 60 }).select('bucket', 'count')).map((r: any) => ({ bucket: Number(r.bucket), count: Number(r.count) }));
}

for (const [label, skew] of [['ahead', HOUR], ['behind', -HOUR]] as const) {
  test(`should file the samples of an agent an hour ${label} by the hub's clock and flag the host`, async () => {
    const created = await t.admin.post('/api/hosts', { name: `skewed-${skew > 0 ? 'ahead' : 'behind'}` });
    const hostId = created.body.host.id;
    const agent = await connectRawAgent(t.url, agentAuth(created.body.token));
    const agentNow = () => Date.now() + skew;
    await agent.timeout(3000).emitWithAck('hello', { ...hello, sentAt: agentNow() });
    let acked = 0;
    agent.on('ack', (m: AckMessage) => { if (m.stream === 'samples') acked = Math.max(acked, m.seq); });
    const N = 12;
    for (let i = 1; i <= N; i++) { agent.emit('samples', { samples: [sample(i, agentNow())] }); await new Promise((r) => setTimeout(r, 15)); }
    await until(() => acked === N, 5000, 'every sample acked');

    const rows = await buckets(hostId);
    assert.is(rows.reduce((s, r) => s + r.count, 0), N, 'each sample counted once');
    // Buckets are in seconds.
    for (const r of rows) assert.ok(Math.abs(r.bucket * 1000 - Date.now()) < 5 * 60_000, `bucket ${new Date(r.bucket * 1000).toISOString()} is near the hub's now`);

    const live = await connectLive(t.url, t.admin.cookie);
    const snap = new Promise<FleetSnapshot>((resolve) => live.on('snapshot', (m: any) => { if (m.topic === 'fleet') resolve(m.data); }));
    await live.timeout(3000).emitWithAck('subscribe', { topic: 'fleet' });
    const host = (await snap).hosts.find((h) => h.id === hostId)!;
    assert.ok(host.clockSkewMs && Math.abs(host.clockSkewMs - skew) < 2000, `flagged with ${host.clockSkewMs}`);
    assert.ok(Math.abs(host.latest!.t - Date.now()) < 60_000, 'the live point is on the hub\'s clock');
    live.close(); agent.close();
  });
}

test('should take an agent that sends no clock at its word (history replayed is not a wrong clock)', async () => {
  const created = await t.admin.post('/api/hosts', { name: 'replay' });
  const agent = await connectRawAgent(t.url, agentAuth(created.body.token));
  await agent.timeout(3000).emitWithAck('hello', hello);
  let acked = 0;
  agent.on('ack', (m: AckMessage) => { if (m.stream === 'samples') acked = Math.max(acked, m.seq); });
  const then = Date.now() - 2 * HOUR;
  for (let i = 1; i <= 6; i++) agent.emit('samples', { samples: [sample(i, then + i * 1000)] });
  await until(() => acked === 6, 5000, 'acks');
  for (const r of await buckets(created.body.host.id)) assert.ok(Math.abs(r.bucket * 1000 - then) < 5 * 60_000, 'filed at the times it gave');
  agent.close();
});

test('should not flag an agent whose clock is right', async () => {
  const created = await t.admin.post('/api/hosts', { name: 'on-time' });
  const agent = await connectRawAgent(t.url, agentAuth(created.body.token));
  await agent.timeout(3000).emitWithAck('hello', { ...hello, sentAt: Date.now() });
  let acked = 0;
  agent.on('ack', (m: AckMessage) => { if (m.stream === 'samples') acked = Math.max(acked, m.seq); });
  for (let i = 1; i <= 6; i++) agent.emit('samples', { samples: [sample(i)] });
  await until(() => acked === 6, 5000, 'acks');
  const live = await connectLive(t.url, t.admin.cookie);
  const snap = new Promise<FleetSnapshot>((resolve) => live.on('snapshot', (m: any) => { if (m.topic === 'fleet') resolve(m.data); }));
  await live.timeout(3000).emitWithAck('subscribe', { topic: 'fleet' });
  assert.is((await snap).hosts.find((h) => h.id === created.body.host.id)!.clockSkewMs, null);
  live.close(); agent.close();
});

test.run();
