/**
 * `GET /api/usage` at fleet scale on MariaDB: the hub (pinned to core 0) on a database seeded
 * with 1,000,000 accounts over 20 servers (100,000 with --quick; the note says so) by bulk
 * INSERTs into the usage tables, as the ingest commit keeps them. Measures pages of 1,000 by
 * name and by total from random starting points (p50/p95 over HTTP), against the same page
 * (the hub's one statement) run bare with mysql2 in interleaved pairs; the totals (a `limit=0`
 * request: the totals alone) against `GET /healthz` on the same hub in interleaved pairs; the
 * full CSV export's time and the hub's peak RSS during it.
 * Issue aims: page p95 ≤ 50 ms, totals ≤ 5 ms.
 *
 * `--keep-seed`: seed into the database `rackpulse_bench_usage` and keep it after the run; the next
 * run with `--keep-seed` reuses it when it holds as many accounts (skips the ~25 s seed). The hub
 * then starts on a filled database (it loads the registered accounts at start), so its RSS is
 * higher than in a run that seeds after the hub is up: quote RSS from a run without it.
 */
import { createConnection, type Connection } from 'mysql2/promise';
import { encodeCursor } from '../server/usage/usage.cursor.js';
import { SERVER_CORE, rssMb, sleep } from './lib/proc.js';
import type { Bench, BenchContext, Figure } from './lib/report.js';
import { median, percentile } from './lib/stats.js';
import { MARIADB, startHub, type Target } from './lib/targets.js';

/** The kept database of `--keep-seed`. */
const KEPT_DB = 'rackpulse_bench_usage';

const HOSTS = 20;
const PAGE = 1000;

const name = (i: number) => `acct${String(i).padStart(7, '0')}`;
/** Bytes of account i on its first host; repeats every 50,000 accounts, so totals tie. */
const bytesOf = (i: number) => ((i * 7919) % 50_000) * 4096;

async function seed(db: Connection, accounts: number, hostIds: number[], log: (m: string) => void): Promise<void> {
  const t0 = performance.now();
  const hostBytes = new Map<number, { bytes: number; accounts: number }>(hostIds.map((h) => [h, { bytes: 0, accounts: 0 }]));
  let fleetBytes = 0;
  const BATCH = 5000, now = Date.now();
  await db.query('SET unique_checks = 0');
  for (let start = 0; start < accounts; start += BATCH) {
    const bytesRows: unknown[][] = [], totalRows: unknown[][] = [], accountRows: unknown[][] = [], latestRows: unknown[][] = [];
    for (let i = start; i < Math.min(accounts, start + BATCH); i++) {
      // Every account on one host, every third on a second one too; every tenth registered to the admin.
      const on = [hostIds[i % HOSTS], ...(i % 3 === 0 ? [hostIds[(i + 7) % HOSTS]] : [])];
      let total = 0;
      on.forEach((h, k) => {
        const b = k === 0 ? bytesOf(i) : bytesOf(i) >> 1;
        bytesRows.push([name(i), h, b]);
        // The latest figure as the agent reported it (ingest writes it in the same commit): what a hub loads at start.
        latestRows.push([h, name(i), b, 100, 'walk', now, now, 0]);
        const t = hostBytes.get(h)!; t.bytes += b; t.accounts++;
        total += b;
      });
      totalRows.push([name(i), total, on.length]);
      fleetBytes += total;
      if (i % 10 === 0) accountRows.push([on[0], name(i), 1, null, null, Date.now()]);
    }
    await db.query('INSERT INTO usage_bytes (account, host_id, bytes) VALUES ?', [bytesRows]);
    await db.query('INSERT INTO usage_totals (account, total_bytes, hosts) VALUES ?', [totalRows]);
    await db.query('INSERT INTO account_usage (host_id, account, used_bytes, files, source, measured_at, received_at, `partial`) VALUES ?', [latestRows]);
    if (accountRows.length) await db.query('INSERT INTO accounts (host_id, name, owner_id, plan_id, mount, created_at) VALUES ?', [accountRows]);
  }
  await db.query('INSERT INTO host_usage_totals (host_id, bytes, accounts) VALUES ? ON DUPLICATE KEY UPDATE bytes = VALUES(bytes), accounts = VALUES(accounts)',
    [[[0, fleetBytes, accounts], ...[...hostBytes].map(([h, t]) => [h, t.bytes, t.accounts])]]);
  await db.query('SET unique_checks = 1');
  await db.query('ANALYZE TABLE usage_bytes, usage_totals, accounts, account_usage');
  log(`usage: seeded ${accounts} accounts over ${HOSTS} hosts in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}

/**
 * The same page a hub request reads, bare: the hub's one statement (the keyset query as a derived
 * table joined to the accounts' bytes per host, their registrations and the owners), rows as mysql2 gives them.
 */
async function barePage(db: Connection, sort: 'account' | 'total', i: number): Promise<number> {
  const [page, params, order] = sort === 'account'
    ? ['SELECT account, total_bytes AS total FROM usage_totals WHERE account > ? ORDER BY account LIMIT ?', [name(i), PAGE + 1], 'p.account']
    : ['SELECT account, total_bytes AS total FROM usage_totals WHERE total_bytes <= ? AND (total_bytes < ? OR (total_bytes = ? AND account > ?)) ORDER BY total_bytes DESC, account ASC LIMIT ?',
      [bytesOf(i), bytesOf(i), bytesOf(i), name(i), PAGE + 1], 'p.total DESC, p.account'];
  const [rows] = await db.query(`SELECT p.account, p.total, b.host_id, b.bytes, a.id, a.owner_id, u.name, u.email FROM (${page}) p`
    + ' LEFT JOIN usage_bytes b ON b.account = p.account LEFT JOIN accounts a ON a.host_id = b.host_id AND a.name = b.account'
    + ` LEFT JOIN users u ON u.id = a.owner_id ORDER BY ${order}`, params);
  return (rows as unknown[]).length;
}

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const t = performance.now();
  await fn();
  return performance.now() - t;
}

async function run(ctx: BenchContext): Promise<Figure[]> {
  const accounts = ctx.quick ? 100_000 : 1_000_000;
  const rounds = ctx.quick ? 20 : 60;
  const conn = { host: MARIADB.host, port: MARIADB.port, user: MARIADB.user, password: MARIADB.password };
  const keep = ctx.argv.includes('--keep-seed');
  let reuse = false, hub: Target;
  if (keep) {
    // Reuse the kept database when a run with as many accounts seeded it (its hosts and admin are there already).
    const admin = await createConnection(conn);
    try {
      const [dbs] = await admin.query('SHOW DATABASES LIKE ?', [KEPT_DB]);
      if ((dbs as any[]).length) {
        const [r] = await admin.query(`SELECT accounts, EXISTS (SELECT 1 FROM \`${KEPT_DB}\`.account_usage) AS latest FROM \`${KEPT_DB}\`.host_usage_totals WHERE host_id = 0`).catch(() => [[]]);
        reuse = Number((r as any[])[0]?.accounts) === accounts && Number((r as any[])[0]?.latest) === 1;
      }
      if (!reuse) {
        await admin.query(`DROP DATABASE IF EXISTS \`${KEPT_DB}\``);
        await admin.query(`CREATE DATABASE \`${KEPT_DB}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
      }
    } finally { await admin.end(); }
    const auth = MARIADB.password ? `${MARIADB.user}:${encodeURIComponent(MARIADB.password)}` : MARIADB.user;
    hub = await startHub('mariadb', SERVER_CORE, reuse ? 0 : HOSTS, ctx.log, undefined, { databaseUrl: `mysql://${auth}@${MARIADB.host}:${MARIADB.port}/${KEPT_DB}` });
  } else hub = await startHub('mariadb', SERVER_CORE, HOSTS, ctx.log);
  const db = await createConnection({ ...conn, database: keep ? KEPT_DB : MARIADB.database });
  try {
    const [hosts] = await db.query('SELECT id FROM hosts ORDER BY id');
    if (reuse) ctx.log(`usage: reusing the ${accounts} accounts seeded in ${KEPT_DB}`);
    else await seed(db, accounts, (hosts as any[]).map((h) => Number(h.id)), ctx.log);
    const get = async (q: string) => {
      const res = await fetch(`${hub.url}/api/usage?${q}`, { headers: { cookie: hub.cookie! } });
      if (res.status !== 200) throw new Error(`GET /api/usage?${q}: HTTP ${res.status}`);
      return res.json() as Promise<any>;
    };
    // Warm up: the first pages load the indexes into the buffer pool.
    for (let k = 0; k < 5; k++) { await get(`limit=${PAGE}`); await get(`limit=${PAGE}&sort=total`); }

    const figures: Figure[] = [];
    for (const sort of ['account', 'total'] as const) {
      const hubMs: number[] = [], bareMs: number[] = [], ratios: number[] = [];
      for (let r = 0; r < rounds; r++) {
        const i = Math.floor(Math.random() * (accounts - PAGE));
        const after = encodeCursor(sort === 'account' ? { sort, account: name(i) } : { sort, totalBytes: bytesOf(i), account: name(i) });
        let rows = 0;
        const a = await timed(async () => { rows = (await get(`limit=${PAGE}&sort=${sort}&after=${after}`)).rows.length; });
        const b = await timed(() => barePage(db, sort, i));
        if (rows === 0) throw new Error(`empty page for sort=${sort}`);
        hubMs.push(a); bareMs.push(b); ratios.push(a / b);
      }
      const p50 = percentile(hubMs, 50), p95 = percentile(hubMs, 95);
      figures.push(
        { name: `usage.mariadb.page_by_${sort}_p50`, value: round(p50), unit: 'ms', baseline: { name: 'bare SQL (mysql2), same page', value: round(percentile(bareMs, 50)) }, ratio: round(median(ratios)) },
        { name: `usage.mariadb.page_by_${sort}_p95`, value: round(p95), unit: 'ms', baseline: { name: 'bare SQL (mysql2), same page', value: round(percentile(bareMs, 95)) } },
      );
      ctx.log(`usage: page of ${PAGE} by ${sort}: p50 ${p50.toFixed(1)} ms, p95 ${p95.toFixed(1)} ms (bare p50 ${percentile(bareMs, 50).toFixed(1)} ms)`);
    }

    // The totals against the HTTP round trip to the same hub (`GET /healthz`: no session, no database), in interleaved pairs.
    const totalsMs: number[] = [], tripMs: number[] = [], tripRatios: number[] = [];
    let fleetAccounts = 0;
    for (let r = 0; r < rounds * 2; r++) {
      const a = await timed(async () => { fleetAccounts = (await get('limit=0')).totals.accounts; });
      const b = await timed(async () => { const res = await fetch(`${hub.url}/healthz`); await res.json(); });
      totalsMs.push(a); tripMs.push(b); tripRatios.push(a / b);
    }
    if (fleetAccounts !== accounts) throw new Error(`totals say ${fleetAccounts} accounts, seeded ${accounts}`);
    const trip = { name: 'GET /healthz on the same hub (HTTP round trip)' };
    figures.push(
      { name: 'usage.mariadb.totals_p50', value: round(percentile(totalsMs, 50)), unit: 'ms', baseline: { ...trip, value: round(percentile(tripMs, 50)) }, ratio: round(median(tripRatios)) },
      { name: 'usage.mariadb.totals_p95', value: round(percentile(totalsMs, 95)), unit: 'ms', baseline: { ...trip, value: round(percentile(tripMs, 95)) } },
    );
    ctx.log(`usage: totals p50 ${percentile(totalsMs, 50).toFixed(2)} ms, p95 ${percentile(totalsMs, 95).toFixed(2)} ms (GET /healthz p50 ${percentile(tripMs, 50).toFixed(2)} ms, p95 ${percentile(tripMs, 95).toFixed(2)} ms)`);

    const rssBefore = rssMb(hub.child.pid);
    let peak = rssBefore, sampling = true;
    const sampler = (async () => { while (sampling) { peak = Math.max(peak, rssMb(hub.child.pid)); await sleep(50); } })();
    let lines = 0;
    const csvS = await timed(async () => {
      const res = await fetch(`${hub.url}/api/usage?format=csv`, { headers: { cookie: hub.cookie! } });
      if (res.status !== 200 || !res.body) throw new Error(`CSV export: HTTP ${res.status}`);
      const dec = new TextDecoder();
      for await (const chunk of res.body as any as AsyncIterable<Uint8Array>) { const s = dec.decode(chunk, { stream: true }); for (let k = s.indexOf('\n'); k >= 0; k = s.indexOf('\n', k + 1)) lines++; }
    }) / 1000;
    sampling = false;
    await sampler;
    if (lines !== accounts + 1) throw new Error(`CSV export had ${lines - 1} rows, seeded ${accounts}`);
    figures.push(
      { name: 'usage.mariadb.csv_export_s', value: round(csvS), unit: 's' },
      { name: 'usage.mariadb.csv_peak_rss', value: round(peak), unit: 'MB' },
    );
    ctx.log(`usage: CSV of ${accounts} rows in ${csvS.toFixed(1)} s; hub RSS ${rssBefore.toFixed(0)} MB before, peak ${peak.toFixed(0)} MB`);
    // A hub starting on this database (a restart, or a second hub joining): it reads the latest usage of every
    // (account, host) and indexes every registered account before it listens.
    const t0 = performance.now();
    const second = await startHub('mariadb', SERVER_CORE, 0, ctx.log, undefined, { databaseUrl: hub.databaseUrl, name: 'hub-restart' });
    const startS = (performance.now() - t0) / 1000, startRss = rssMb(second.child.pid);
    await second.stop();
    figures.push(
      { name: 'usage.mariadb.hub_start_s', value: round(startS), unit: 's' },
      { name: 'usage.mariadb.hub_start_rss', value: round(startRss), unit: 'MB' },
    );
    ctx.log(`usage: a hub started on this database in ${startS.toFixed(1)} s (to /healthz and a sign-in), RSS ${startRss.toFixed(0)} MB`);
    if (ctx.quick) ctx.note(`usage.mariadb.*: --quick seeds ${accounts.toLocaleString('en')} accounts (the full run 1,000,000)`);
    return figures;
  } finally {
    await db.end();
    await hub.stop(); // drops the bench database (not the kept one of --keep-seed)
  }
}

const round = (x: number) => Math.round(x * 100) / 100;

export const usageBench: Bench = { name: 'usage', run };
