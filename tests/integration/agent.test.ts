/**
 * The real agent against the real hub through outages and kills: nothing the
 * agent measured is lost, nothing is counted twice. Samples every 10 ms stand in
 * for 1 s ones, so ten minutes of outage take six seconds.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runAgent, type RunningAgent } from '../../agent/agent.js';
import { openDatabase } from '../../server/db/orm.js';
import { Api, rollupCount, startHub, until, ADMIN, type TestHub } from '../helpers/hub.js';
import { freePort, startHubProcess, startProcess, waitHealthy } from '../helpers/processes.js';

/** Samples per minute-rollup rows of a host, read straight from the database. */
async function countedSamples(databaseUrl: string, hostId: number): Promise<{ count: number; watermark: number }> {
  const orm = await openDatabase(databaseUrl);
  try {
    const knex = (orm.em as any).getKnex();
    const [row] = await knex('rollups').where({ host_id: hostId, tier: 60 }).sum({ n: 'count' });
    const [w] = await knex('watermarks').where({ host_id: hostId, stream: 'samples' }).select('seq');
    return { count: Number(row?.n ?? 0), watermark: Number(w?.seq ?? 0) };
  } finally { await orm.close(true); }
}

const fastReconnect = { reconnectionDelay: 100, reconnectionDelayMax: 300, randomizationFactor: 0.2 };

const test = suite('agent ↔ hub through faults');
const dirs: string[] = [];
const tmp = () => { const d = mkdtempSync(join(tmpdir(), 'rackpulse-agent-')); dirs.push(d); return d; };
test.after(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); });

/** A hub process on a fresh SQLite file with one host registered; the hub is stopped again before this returns. */
async function hubProcessWithHost(name: string) {
  const port = await freePort();
  const databaseUrl = `sqlite:${join(tmp(), 'hub.sqlite')}`;
  const url = `http://127.0.0.1:${port}`;
  const hub = startHubProcess(port, databaseUrl);
  await waitHealthy(url);
  const api = await new Api(url).login(ADMIN.email, ADMIN.password);
  const created = await api.post('/api/hosts', { name });
  await hub.kill('SIGTERM');
  return { port, databaseUrl, url, token: created.body.token as string, hostId: created.body.host.id as number };
}

test('should deliver every sample taken during a 10-minute hub outage, once', async () => {
  const port = await freePort();
  let t: TestHub = await startHub('sqlite', { PORT: String(port) });
  const created = await t.admin.post('/api/hosts', { name: 'outage-agent' });
  const hostId = created.body.host.id;
  const agent: RunningAgent = await runAgent({ hubUrl: t.url, token: created.body.token, intervalMs: 10, spool: { dir: tmp() }, connection: fastReconnect });
  try {
    await until(() => agent.stats().acked.samples >= 50, 10000, 'first acks');
    const db = t.db;
    await t.hub.close();
    const ackedBefore = agent.stats().acked.samples;
    await new Promise((r) => setTimeout(r, 6000)); // 600 samples: ten minutes at 1 s
    const taken = agent.stats().ticks - agent.stats().failedTicks;
    assert.ok(taken - ackedBefore >= 400, `the agent kept sampling while the hub was away (${taken - ackedBefore} samples)`);
    t = await startHub('sqlite', { PORT: String(port) }, db);
    await until(() => agent.stats().acked.samples >= taken, 20000, `ack of everything taken (${taken})`);
    await agent.stop({ drainMs: 3000 });
    const last = agent.stats().acked.samples;
    assert.is(await rollupCount(t, hostId), last, 'rollups count every sample the agent took, once');
  } finally {
    await agent.stop().catch(() => {});
    await t.stop();
  }
});

test('should lose nothing acknowledged and count nothing twice when the hub is killed with SIGKILL during ingest', async () => {
  const { port, databaseUrl, url, token, hostId } = await hubProcessWithHost('killed-hub');
  let hub = startHubProcess(port, databaseUrl);
  await waitHealthy(url);
  const agent = await runAgent({ hubUrl: url, token: token, intervalMs: 10, spool: { dir: tmp() }, connection: fastReconnect });
  try {
    await until(() => agent.stats().acked.samples >= 100, 15000, 'acks before the kill');
    await new Promise((r) => setTimeout(r, 150)); // mid-stream: commits in flight
    await hub.kill('SIGKILL');
    const ackedAtKill = agent.stats().acked.samples;
    await new Promise((r) => setTimeout(r, 1000));
    hub = startHubProcess(port, databaseUrl);
    await waitHealthy(url);
    const target = agent.stats().ticks - agent.stats().failedTicks;
    await until(() => agent.stats().acked.samples >= target, 20000, `ack of ${target} after the restart`);
    await agent.stop({ drainMs: 3000 });
    const last = agent.stats().acked.samples;
    await hub.kill('SIGTERM');
    const { count, watermark } = await countedSamples(databaseUrl, hostId);
    assert.ok(ackedAtKill > 0 && watermark >= ackedAtKill, 'what was acknowledged before the kill is durable');
    assert.is(watermark, last);
    assert.is(count, last, 'every sample counted exactly once');
  } finally {
    await agent.stop().catch(() => {});
    await hub.kill('SIGKILL');
  }
});

test('should keep the spool across an agent killed and restarted while the hub is down', async () => {
  const { port, databaseUrl, url, token, hostId } = await hubProcessWithHost('killed-agent');
  // The hub is down from here on.

  const spoolDir = tmp();
  const config = join(tmp(), 'agent.json');
  writeFileSync(config, JSON.stringify({ hub: url, token: token, intervalMs: 10, spool: { dir: spoolDir, fsyncIntervalMs: 100 }, accounts: { enabled: false } }), { mode: 0o600 });
  const firstRunFrom = Date.now();
  let agent = startProcess('agent/cli.ts', ['--config', config], { LOG_LEVEL: 'warn' });
  await new Promise((r) => setTimeout(r, 2500));
  await agent.kill('SIGKILL');
  const firstRunTo = Date.now();
  agent = startProcess('agent/cli.ts', ['--config', config], { LOG_LEVEL: 'warn' });
  await new Promise((r) => setTimeout(r, 1500));
  const hub = startHubProcess(port, databaseUrl);
  try {
    await waitHealthy(url);
    // Let the backlog arrive, then stop the agent cleanly and let its last samples drain.
    await new Promise((r) => setTimeout(r, 4000));
    const api2 = await new Api(url).login(ADMIN.email, ADMIN.password);
    const series = await api2.get(`/api/hosts/${hostId}/series?metric=cpu&from=${firstRunFrom}&to=${firstRunTo}`);
    assert.ok(series.body.points.length >= 100, `samples taken by the killed agent arrived from its spool (${series.body.points.length})`);
    await agent.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 500));
    await hub.kill('SIGTERM');
    const { count, watermark } = await countedSamples(databaseUrl, hostId);
    assert.ok(watermark > 300, `samples from both agent runs arrived (watermark ${watermark})\n${agent.output()}`);
    assert.is(count, watermark, 'no gap and no double: sequence numbers continued across the restart and every one was counted once');
  } finally {
    await agent.kill('SIGKILL');
    await hub.kill('SIGKILL');
  }
});

test.run();
