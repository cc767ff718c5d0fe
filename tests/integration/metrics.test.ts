/**
 * GET /metrics: the Prometheus text format, checked by Debian's `promtool check metrics`
 * (package prometheus), with the figures an operator needs and the optional bearer token.
 */
import { spawn } from 'node:child_process';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { agentAuth, connectLive, connectRawAgent, hello, sample, startHub, until, type TestHub } from '../helpers/hub.js';
import type { AckMessage } from '../../protocol/index.js';

const TOKEN = 'metrics-token-0123456789';

/** Runs `promtool check metrics` on `text`; resolves with its exit code and output. */
function promtool(text: string): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const p = spawn('promtool', ['check', 'metrics'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    p.stdout.on('data', (d) => { out += d; });
    p.stderr.on('data', (d) => { out += d; });
    p.on('error', (err) => reject(new Error(`promtool is required (apt-get install prometheus): ${err.message}`)));
    p.on('close', (code) => resolve({ code, out }));
    p.stdin.end(text);
  });
}

const test = suite('GET /metrics');
let t: TestHub;
test.before(async () => { t = await startHub('sqlite', { METRICS_TOKEN: TOKEN }); });
test.after(async () => { await t?.stop(); });

test('should answer 401 without the bearer token or with a wrong one', async () => {
  const none = await fetch(`${t.url}/metrics`);
  assert.is(none.status, 401);
  assert.is((await none.json()).error.code, 'unauthorized');
  const wrong = await fetch(`${t.url}/metrics`, { headers: { authorization: 'Bearer not-the-token-at-all' } });
  assert.is(wrong.status, 401);
  const text = await wrong.text();
  assert.not.match(text, /rackpulse_/);
});

test('should pass promtool check metrics and carry agents, dashboards, kiosks, messages, rejects, ack lag, commits, queue, event loop and per-host gauges', async () => {
  const r = await t.admin.post('/api/hosts', { name: 'metrics-web-1' });
  assert.is(r.status, 201);
  const hostId = r.body.host.id;
  const a = await connectRawAgent(t.url, agentAuth(r.body.token));
  await a.timeout(3000).emitWithAck('hello', hello);
  let acked = 0;
  a.on('ack', (m: AckMessage) => { if (m.stream === 'samples') acked = Math.max(acked, m.seq); });
  const disks = [{ mount: '/', device: '/dev/sda1', fsType: 'ext4', sizeBytes: 100e9, usedBytes: 40e9, availBytes: 60e9 }];
  a.emit('samples', { samples: [sample(1, Date.now() - 1000, { disks }), sample(2, Date.now(), { load1: 3.25, cpuPct: 50 })] });
  a.emit('samples', { samples: [{ seq: 3 }] } as any); // invalid: refused and counted
  await until(() => acked === 2, 5000, 'ack of seq 2');
  const live = await connectLive(t.url, t.admin.cookie);

  const res = await fetch(`${t.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
  assert.is(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /text\/plain/);
  const text = await res.text();
  const check = await promtool(text);
  assert.is(check.code, 0, `promtool check metrics failed:\n${check.out}`);

  const value = (re: RegExp) => { const m = re.exec(text); return m ? Number(m[1]) : NaN; };
  assert.is(value(/^rackpulse_agents_connected (\S+)$/m), 1);
  assert.is(value(/^rackpulse_live_clients_connected\{kind="dashboard"\} (\S+)$/m), 1);
  assert.is(value(/^rackpulse_live_clients_connected\{kind="kiosk"\} (\S+)$/m), 0);
  assert.is(value(/^rackpulse_agent_messages_total\{event="samples"\} (\S+)$/m), 2);
  assert.is(value(/^rackpulse_agent_rejected_total\{reason="invalid"\} (\S+)$/m), 1);
  assert.ok(value(/^rackpulse_ack_lag_seconds_count (\S+)$/m) >= 1, 'ack lag observed');
  assert.ok(value(/^rackpulse_db_commit_seconds_count (\S+)$/m) >= 1, 'commit latency observed');
  assert.is(value(/^rackpulse_queue_depth_messages (\S+)$/m), 0);
  assert.match(text, /^rackpulse_queue_waiting_polls /m);
  assert.match(text, /^rackpulse_ingest_pending_rows /m);
  assert.match(text, /^rackpulse_process_nodejs_eventloop_lag_seconds /m);
  const l = `host_id="${hostId}",host="metrics-web-1"`;
  assert.is(value(new RegExp(`^rackpulse_host_load1\\{${l}\\} (\\S+)$`, 'm')), 3.25);
  assert.is(value(new RegExp(`^rackpulse_host_cpu_ratio\\{${l}\\} (\\S+)$`, 'm')), 0.5);
  assert.ok(value(new RegExp(`^rackpulse_host_memory_used_bytes\\{${l}\\} (\\S+)$`, 'm')) > 0);
  assert.is(value(new RegExp(`^rackpulse_host_disk_used_bytes\\{${l},mount="/"\\} (\\S+)$`, 'm')), 40e9);
  assert.is(value(new RegExp(`^rackpulse_host_online\\{${l}\\} (\\S+)$`, 'm')), 1);
  a.close(); live.close();
});

test.run();
