/**
 * The path from an agent to durable rollups and live dashboards, against the
 * real hub on SQLite and on MariaDB.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { agentAuth, connectLive, connectRawAgent, hello, sample, rollupCount, startHub, until, type RawAgent, type TestHub } from '../helpers/hub.js';
import { MAX_MESSAGE_BYTES, type AckMessage, type RejectMessage } from '../../protocol/index.js';
import { runAgent } from '../../agent/agent.js';

function track(agent: RawAgent) {
  const st = { acked: 0, rejects: [] as RejectMessage[] };
  agent.on('ack', (m: AckMessage) => { if (m.stream === 'samples') st.acked = Math.max(st.acked, m.seq); });
  agent.on('reject', (m: RejectMessage) => st.rejects.push(m));
  return st;
}

async function newHost(t: TestHub, name: string): Promise<{ id: number; token: string }> {
  const r = await t.admin.post('/api/hosts', { name });
  assert.is(r.status, 201);
  return { id: r.body.host.id, token: r.body.token };
}

async function helloed(t: TestHub, token: string) {
  const a = await connectRawAgent(t.url, agentAuth(token));
  const reply: any = await a.timeout(3000).emitWithAck('hello', hello);
  return { a, reply };
}

for (const kind of ['sqlite', 'mysql'] as const) {
  const test = suite(`/agent ingest (${kind})`);
  let t: TestHub;
  test.before(async () => { t = await startHub(kind); });
  test.after(async () => { await t?.stop(); });

  test('should ack every sample cumulatively and fold each into the rollups exactly once', async () => {
    const h = await newHost(t, 'ingest-a');
    const { a, reply } = await helloed(t, h.token);
    assert.equal(reply, { hostId: h.id, watermarks: { samples: 0, quota: 0, services: 0 } });
    const st = track(a);
    const t0 = Date.now() - 200_000;
    for (let i = 1; i <= 120; i++) a.emit('samples', { samples: [sample(i, t0 + i * 1000)] });
    await until(() => st.acked === 120, 5000, 'ack of seq 120');
    assert.is(await rollupCount(t, h.id, 60), 120);
    assert.is(await rollupCount(t, h.id, 1800), 120);
    assert.is(await rollupCount(t, h.id, 86400), 120);
    assert.equal(st.rejects, []);
    a.close();
  });

  test('should count a sample resent after a reconnect once', async () => {
    const h = await newHost(t, 'ingest-b');
    let { a } = await helloed(t, h.token);
    let st = track(a);
    const t0 = Date.now() - 100_000;
    for (let i = 1; i <= 50; i++) a.emit('samples', { samples: [sample(i, t0 + i * 1000)] });
    await until(() => st.acked === 50, 5000, 'ack 50');
    a.close();
    const again = await helloed(t, h.token);
    a = again.a; st = track(a);
    assert.is(again.reply.watermarks.samples, 50);
    // An agent that lost its acks resends from 30; 30..50 must be ignored.
    a.emit('samples', { samples: Array.from({ length: 51 }, (_, k) => sample(30 + k, t0 + (30 + k) * 1000)) });
    await until(() => st.acked === 80, 5000, 'ack 80');
    assert.is(await rollupCount(t, h.id), 80);
    a.close();
  });

  test('should refuse an unknown token, a deleted host\'s token and an unsupported protocol with a clear connect_error', async () => {
    const bad: any = await connectRawAgent(t.url, agentAuth('rpa_not-a-token')).catch((e) => e);
    assert.is(bad.message, 'unknown or revoked agent token');
    assert.is(bad.data?.code, 'invalid_token');
    const h = await newHost(t, 'ingest-c');
    const proto: any = await connectRawAgent(t.url, { token: h.token, agentVersion: 'x', protocol: 99 }).catch((e) => e);
    assert.is(proto.data?.code, 'unsupported_protocol');
    assert.equal(proto.data?.supported, [1]);
    const missing: any = await connectRawAgent(t.url, {}).catch((e) => e);
    assert.is(missing.data?.code, 'bad_handshake');
    assert.is((await t.admin.del(`/api/hosts/${h.id}`)).status, 204);
    const revoked: any = await connectRawAgent(t.url, agentAuth(h.token)).catch((e) => e);
    assert.is(revoked.data?.code, 'invalid_token');
    assert.is(await rollupCount(t, h.id), 0);
  });

  test('should reject malformed, out-of-schema and oversized messages to that agent only, and carry on', async () => {
    const h1 = await newHost(t, 'ingest-d1');
    const h2 = await newHost(t, 'ingest-d2');
    const { a: a1 } = await helloed(t, h1.token);
    const { a: a2 } = await helloed(t, h2.token);
    const s1 = track(a1), s2 = track(a2);
    a1.emit('samples', { samples: [sample(1, Date.now(), { cpuPct: 250 })] });
    a1.emit('samples', 'garbage' as any);
    a1.emit('samples', { samples: [{ ...sample(2), __proto__: { polluted: true }, extra: 1 }] } as any);
    (a1 as any).emit('launch-missiles', { cmd: 'rm -rf /' });
    const big = 'x'.repeat(MAX_MESSAGE_BYTES + 10);
    a1.emit('samples', { samples: [sample(3, Date.now(), { pad: big })] } as any);
    a2.emit('samples', { samples: [sample(1)] });
    await until(() => s1.rejects.length >= 5, 5000, 'five rejects');
    const reasons = s1.rejects.map((r) => r.reason).sort();
    assert.equal(reasons, ['invalid', 'invalid', 'invalid', 'too_large', 'unknown_event'], JSON.stringify(s1.rejects));
    const first = s1.rejects.find((r) => r.reason === 'invalid')!;
    assert.match(first.message, 'samples.0.cpuPct');
    assert.equal(first.seqs, [1, 1]);
    await until(() => s2.acked === 1, 5000, 'other agent acked');
    assert.equal(s2.rejects, []);
    assert.ok(a1.connected, 'the offending agent stays connected');
    // The offending agent can still send valid data.
    a1.emit('samples', { samples: [sample(4)] });
    await until(() => s1.acked === 4, 5000, 'valid sample after rejects');
    assert.is(await rollupCount(t, h1.id), 1);
    const metrics = (await t.admin.get('/metrics')).body as string;
    assert.match(metrics, /rackpulse_agent_rejected_total\{reason="invalid"\} 3/);
    assert.match(metrics, /rackpulse_agent_rejected_total\{reason="too_large"\} 1/);
    a1.close(); a2.close();
  });

  test('should push a sample to a subscribed dashboard live', async () => {
    const h = await newHost(t, 'ingest-e');
    const live = await connectLive(t.url, t.admin.cookie);
    const deltas: any[] = [];
    live.on('delta', (m) => { if (m.topic === `host:${h.id}`) deltas.push(m.data); });
    const snap = new Promise<any>((r) => live.once('snapshot', (m) => r(m)));
    const ack = await live.timeout(3000).emitWithAck('subscribe', { topic: `host:${h.id}` });
    assert.equal(ack, { ok: true });
    assert.is((await snap).data.host.id, h.id);
    const { a } = await helloed(t, h.token);
    const at = Date.now();
    a.emit('samples', { samples: [sample(1, at, { cpuPct: 42.5 })] });
    const d = await until(() => deltas.find((x) => x.points.some((p: any) => p.t === at)), 3000, 'delta');
    assert.is(d.points.find((p: any) => p.t === at).cpuPct, 42.5);
    assert.is(d.host.online, true);
    assert.is(d.host.latest.cpuPct, 42.5);
    a.close(); live.close();
  });

  test('should serve the last known state and watermarks after a hub restart', async () => {
    const h = await newHost(t, 'ingest-f');
    const { a } = await helloed(t, h.token);
    const st = track(a);
    a.emit('samples', { samples: [sample(1, Date.now() - 2000), sample(2, Date.now() - 1000, { cpuPct: 77, disks: [{ mount: '/', device: '/dev/vda1', fsType: 'ext4', sizeBytes: 5e10, usedBytes: 1e10, availBytes: 4e10 }] })] });
    await until(() => st.acked === 2, 5000, 'ack 2');
    a.close();
    t = await t.restart();
    const r = await t.admin.get(`/api/hosts/${h.id}`);
    assert.is(r.body.summary.latest.cpuPct, 77);
    assert.is(r.body.summary.disks[0].mount, '/');
    assert.ok(r.body.summary.lastSeenAt > 0);
    const again = await helloed(t, h.token);
    assert.is(again.reply.watermarks.samples, 2);
    again.a.close();
  });

  test('should answer an older range from the minute rollups as min/avg/max per bucket', async () => {
    const h = await newHost(t, 'ingest-h');
    const { a } = await helloed(t, h.token);
    const st = track(a);
    // Two full minutes, two hours ago: cpuPct 0..59 in the first, 60..119 capped at 100 in the second.
    const base = Math.floor((Date.now() - 2 * 3600_000) / 60_000) * 60_000;
    const samples = Array.from({ length: 120 }, (_, i) => sample(i + 1, base + i * 1000, { cpuPct: Math.min(100, i) }));
    a.emit('samples', { samples });
    await until(() => st.acked === 120, 5000, 'ack 120');
    const r = await t.admin.get(`/api/hosts/${h.id}/series?metric=cpu&from=${base - 3600_000}&to=${base + 180_000}`);
    assert.is(r.status, 200);
    assert.is(r.body.step, 60);
    assert.equal(r.body.points.map((p: any) => [p.t, p.count, p.min, p.max]), [[base, 60, 0, 59], [base + 60_000, 60, 60, 100]]);
    assert.is(r.body.points[0].avg, 29.5);
    a.close();
  });

  test('should take a real agent on this machine from hello to rollups', async () => {
    const h = await newHost(t, 'ingest-g');
    const agent = await runAgent({ hubUrl: t.url, token: h.token, intervalMs: 100 });
    await until(() => agent.stats().acked.samples >= 10, 10000, 'ten samples acked');
    await agent.stop({ drainMs: 2000 });
    const st = agent.stats();
    assert.is(await rollupCount(t, h.id), st.acked.samples);
    const r = await t.admin.get(`/api/hosts/${h.id}`);
    assert.ok(r.body.summary.hostname, 'hello stored');
    assert.ok(r.body.summary.disks.length > 0, 'disks of this machine');
  });

  test.run();
}
