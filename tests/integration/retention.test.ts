/**
 * Rollup retention: tiers from ROLLUP_TIERS, batched pruning on both stores, and on MariaDB the
 * finest tier kept in day partitions (ROLLUP_PARTITIONS=1) and pruned by dropping them.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { agentAuth, connectRawAgent, hello, sample, startHub, until, type TestHub } from '../helpers/hub.js';
import { loadConfig } from '../../server/config.js';
import type { AckMessage } from '../../protocol/index.js';

const DAY = 86400;

async function counts(t: TestHub): Promise<Record<number, number>> {
  const knex = (t.hub.deps.orm.em as any).getKnex();
  const rows = await knex('rollups').select('tier').count({ n: '*' }).groupBy('tier');
  return Object.fromEntries(rows.map((r: any) => [Number(r.tier), Number(r.n)]));
}

/** Insert `n` rollup rows of `tier` for host 1 (copies of a stored row), one bucket apart, ending `ageS` seconds ago. */
async function seed(t: TestHub, tier: number, n: number, ageS: number): Promise<void> {
  const knex = (t.hub.deps.orm.em as any).getKnex();
  const end = Math.floor(Date.now() / 1000) - ageS;
  const template = await knex('rollups').first(); // a row the hub wrote: every metric column filled
  const rows = Array.from({ length: n }, (_, i) => ({ ...template, host_id: 1, tier, bucket: end - (end % tier) - i * tier, count: 1 }));
  for (let i = 0; i < rows.length; i += 200) await knex('rollups').insert(rows.slice(i, i + 200)).onConflict(['host_id', 'tier', 'bucket']).ignore();
}

const cfg = suite('ROLLUP_TIERS');
cfg('should parse width:keep pairs with units', () => {
  const c = loadConfig({ ROLLUP_TIERS: '5m:2d,1h:30d' });
  assert.equal(c.ROLLUP_TIERS, [{ widthS: 300, keepS: 2 * DAY }, { widthS: 3600, keepS: 30 * DAY }]);
});
cfg('should refuse a width that is not a multiple of the finer one, naming the variable', () => {
  assert.throws(() => loadConfig({ ROLLUP_TIERS: '5m:2d,7m:30d' }), /ROLLUP_TIERS: tier 2: width must be a larger multiple/);
  assert.throws(() => loadConfig({ ROLLUP_TIERS: '10s:1h' }), /ROLLUP_TIERS: tier 1: width must be at least 1 min/);
  assert.throws(() => loadConfig({ ROLLUP_TIERS: 'lots' }), /ROLLUP_TIERS/);
});
cfg.run();

for (const kind of ['sqlite', 'mysql'] as const) {
  const test = suite(`retention (${kind})`);
  let t: TestHub;
  test.before(async () => {
    t = await startHub(kind, { ROLLUP_TIERS: '2m:1d,1h:10d', PRUNE_BATCH: '100', ...(kind === 'mysql' ? { ROLLUP_PARTITIONS: '1' } : {}) });
  });
  test.after(async () => { await t?.stop(); });

  test('should fold samples into the configured tiers only', async () => {
    const r = await t.admin.post('/api/hosts', { name: 'ret-a' });
    const a = await connectRawAgent(t.url, agentAuth(r.body.token));
    await a.timeout(3000).emitWithAck('hello', hello);
    let acked = 0;
    a.on('ack', (m: AckMessage) => { if (m.stream === 'samples') acked = Math.max(acked, m.seq); });
    const t0 = Date.now() - 600_000;
    a.emit('samples', { samples: Array.from({ length: 30 }, (_, i) => sample(i + 1, t0 + i * 10_000)) });
    await until(() => acked === 30, 5000, 'ack of seq 30');
    const knex = (t.hub.deps.orm.em as any).getKnex();
    const tiers = (await knex('rollups').where('host_id', r.body.host.id).distinct('tier')).map((x: any) => Number(x.tier)).sort((x: number, y: number) => x - y);
    assert.equal(tiers, [120, 3600]);
    a.close();
  });

  test('should prune past each tier and every unconfigured tier in batches, keeping what is young', async () => {
    await seed(t, 120, 250, 2 * DAY);   // expired (kept 1 day)
    await seed(t, 120, 30, 600);        // young
    await seed(t, 3600, 120, 11 * DAY); // expired (kept 10 days)
    await seed(t, 3600, 5, 3600);       // young
    await seed(t, 60, 150, 60);         // a tier no longer configured
    const before = await counts(t);
    const n = await t.hub.deps.ingest.prune();
    const after = await counts(t);
    assert.ok(n >= 250 + 120 + 150, `pruned ${n}`);
    assert.is(after[60], undefined);
    assert.ok(after[120] >= 30 && after[120] < before[120] - 249, `2 min tier left ${after[120]}`);
    assert.ok(after[3600] >= 5 && after[3600] <= before[3600] - 120, `1 h tier left ${after[3600]}`);
    const metrics = await (await fetch(`${t.url}/metrics`)).text();
    assert.match(metrics, /^rackpulse_rollups_pruned_total\{tier="unconfigured"\} 150$/m);
  });

  if (kind === 'mysql') {
    test('should keep the finest tier in day partitions, two days ahead, and drop expired days', async () => {
      const knex = (t.hub.deps.orm.em as any).getKnex();
      const list = async () => (await knex.raw(`SELECT PARTITION_NAME AS p FROM information_schema.PARTITIONS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'rollups' ORDER BY PARTITION_ORDINAL_POSITION`))[0].map((r: any) => r.p);
      const day = (d: number) => 'm' + new Date((Math.floor(Date.now() / 1000 / DAY) + d) * DAY * 1000).toISOString().slice(0, 10).replaceAll('-', '');
      const names: string[] = await list();
      assert.ok(names.includes(day(0)) && names.includes(day(2)), names.join(' '));
      assert.equal(names.slice(-2), ['m_future', 'rest']);
      // Three days later: today and yesterday's partitions are past the 1 day retention and dropped, days ahead are added.
      await t.hub.deps.ingest.prune(Date.now() + 3 * DAY * 1000);
      const later: string[] = await list();
      assert.not.ok(later.includes(day(0)), later.join(' '));
      assert.ok(later.includes(day(5)), later.join(' '));
      assert.equal(later.slice(-2), ['m_future', 'rest']);
    });
  }
  test.run();
}
