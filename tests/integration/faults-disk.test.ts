/**
 * The disk under SQLite fills up during ingest. SQLite's own size limit
 * (`PRAGMA max_page_count`, set on the hub's connection) stands in for the full
 * disk: every write then fails with SQLITE_FULL, exactly as on a full filesystem.
 * The hub stays up, /readyz says commits are failing, live push goes on, acks
 * pause; once there is room again everything is written, each sample once.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { agentAuth, connectLive, connectRawAgent, hello, sample, rollupCount, startHub, until, type TestHub } from '../helpers/hub.js';
import type { AckMessage } from '../../protocol/index.js';

const test = suite('disk full under SQLite');
let t: TestHub;
test.before(async () => { t = await startHub('sqlite'); });
test.after(async () => { await t?.stop(); });

const conn = () => t.hub.deps.orm.em.getConnection();

test('should stay up and report commits failing while the disk is full, then write every sample once', async () => {
  const created = await t.admin.post('/api/hosts', { name: 'full-disk' });
  const hostId = created.body.host.id;
  const agent = await connectRawAgent(t.url, agentAuth(created.body.token));
  await agent.timeout(3000).emitWithAck('hello', hello);
  let acked = 0;
  agent.on('ack', (m: AckMessage) => { if (m.stream === 'samples') acked = Math.max(acked, m.seq); });
  const live = await connectLive(t.url, t.admin.cookie);
  let liveSeen = 0;
  live.on('delta', (m: any) => { liveSeen += (m.data.points ?? []).length; });
  assert.equal(await live.timeout(3000).emitWithAck('subscribe', { topic: `host:${hostId}` }), { ok: true });

  // Minute buckets far apart, so every sample needs new rows (and new pages).
  const t0 = Date.now() - 90 * 24 * 3_600_000;
  let seq = 0;
  const send = (n: number) => { for (let i = 0; i < n; i++) { seq++; agent.emit('samples', { samples: [sample(seq, t0 + seq * 3_600_000)] }); } };
  send(10);
  await until(() => acked === 10, 5000, 'acks before the disk fills');

  const [{ page_count: pages }] = await conn().execute('PRAGMA page_count') as any[];
  await conn().execute(`PRAGMA max_page_count = ${Number(pages)}`);
  try {
    const liveBefore = liveSeen;
    send(400);
    const ready = await until(async () => {
      const r = await fetch(`${t.url}/readyz`);
      return r.status === 503 ? r.json() : null;
    }, 10_000, '/readyz to report the failing commits');
    assert.is((ready as any).commits, 'failing');
    await until(() => liveSeen > liveBefore, 5000, 'live push during the outage');
    assert.ok(acked < seq, `acks held back (${acked} of ${seq})`);
    assert.is((await fetch(`${t.url}/healthz`)).status, 200, 'the hub is up');
    const metrics = await (await fetch(`${t.url}/metrics`)).text();
    assert.match(metrics, /rackpulse_db_commit_failures_total [1-9]/);
  } finally {
    await conn().execute('PRAGMA max_page_count = 1073741823');
  }
  send(5);
  await until(() => acked === seq, 15_000, `every sample acked once there is room (acked ${acked} of ${seq})`);
  assert.is(await rollupCount(t, hostId), seq, 'each sample counted once');
  await until(async () => (await fetch(`${t.url}/readyz`)).status === 200, 5000, 'ready again');
  agent.close(); live.close();
});

test.run();
