// scanTable (server/db/scan.ts): the keyset reads a hub starts from, on SQLite and MariaDB.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { dialectOf, openDatabase, type Orm } from '../../server/db/orm.js';
import { rowsOf, scanTable } from '../../server/db/scan.js';
import { loadLatestState } from '../../server/ingest/latest.loader.js';
import { createTestDb, type TestDb } from '../helpers/db.js';

for (const kind of ['sqlite', 'mysql'] as const) {
  const s = suite<{ db: TestDb; orm: Orm }>(`scanTable (${kind})`, {} as any);
  s.before(async (c) => { c.db = await createTestDb(kind); c.orm = await openDatabase(c.db.url); });
  s.after(async (c) => { await c.orm?.close(true); await c.db?.drop(); });
  const knex = (c: { orm: Orm }) => (c.orm.em as any).getKnex();

  s('should hand over every row once, in key order, across batches that split a first key', async (c) => {
    // 3 hosts × 7 services: batches of 4 end inside a host's rows.
    const rows: unknown[][] = [];
    for (let h = 1; h <= 3; h++) for (let i = 0; i < 7; i++) rows.push([h, `svc-${i}`, i % 2 ? `acct${i}` : null, 'up', i * 1.5, null, 1000 + i, 900, 1100 + i]);
    await knex(c).raw(`INSERT INTO service_states (host_id, name, account, status, latency_ms, reason, checked_at, since, received_at) VALUES ${rows.map(() => '(?,?,?,?,?,?,?,?,?)').join(',')}`, rows.flat());
    const seen: string[] = [];
    let batches = 0;
    const n = await scanTable<Record<string, unknown>>(knex(c), dialectOf(c.db.url), 'service_states', ['status'], ['host_id', 'name'], (part) => {
      batches++;
      for (const r of part) seen.push(`${r.host_id}/${r.name}`);
    }, 4);
    assert.is(n, 21);
    assert.is(batches, 6);
    assert.equal(seen, rows.map((r) => `${r[0]}/${r[1]}`));
  });

  s('should read an empty table without calling back', async (c) => {
    let calls = 0;
    assert.is(await scanTable(knex(c), dialectOf(c.db.url), 'accounts', ['name'], ['id'], () => { calls++; }), 0);
    assert.is(calls, 0);
  });

  s('loadLatestState should read usage and services back with their types', async (c) => {
    await knex(c).raw(`INSERT INTO account_usage (host_id, account, used_bytes, files, soft_limit_bytes, hard_limit_bytes, source, measured_at, received_at, partial, cpu_pct, rss_bytes, processes)
      VALUES (1, 'alice', 5000000000000, 12, NULL, 9000000000000, 'repquota', 1700000000000, 1700000000500, 1, 12.5, 1048576, 3)`);
    const { usage, services } = await loadLatestState(knex(c), dialectOf(c.db.url));
    assert.equal(usage, [{
      hostId: 1, account: 'alice', usedBytes: 5e12, files: 12, softLimitBytes: null, hardLimitBytes: 9e12, source: 'repquota',
      measuredAt: 1700000000000, receivedAt: 1700000000500, partial: true, cpuPct: 12.5, rssBytes: 1048576, processes: 3,
    }]);
    assert.is(services.length, 21);
    assert.equal(services[1], { hostId: 1, name: 'svc-1', account: 'acct1', status: 'up', latencyMs: 1.5, reason: null, checkedAt: 1001, since: 900, receivedAt: 1101 });
    assert.is(rowsOf(await knex(c).raw('SELECT 1 AS x')).length, 1);
  });

  s.run();
}
