/**
 * Hostile input: over 10,000 generated and mutated messages at `/agent` and
 * bodies at the REST API — wrong types, huge numbers, deep nesting, long strings,
 * prototype-pollution keys, invalid UTF-8. The hub must not crash, its memory must
 * stay bounded, nothing invalid may be stored and every refusal (agent message or API
 * request) must be counted. The generator is seeded (FUZZ_SEED to repeat a run; the seed is printed).
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { agentAuth, connectRawAgent, hello, sample, startHub, until, type TestHub } from '../helpers/hub.js';
import type { RejectMessage } from '../../protocol/index.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const SEED = Number(process.env.FUZZ_SEED ?? (Date.now() % 2 ** 31));
console.log(`  fuzz seed ${SEED} (FUZZ_SEED=${SEED} repeats this run)`);

/** mulberry32: a small seeded generator. */
function rng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { next, int: (n: number) => Math.floor(next() * n), pick: <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)] };
}
const R = rng(SEED);

const deep = (depth: number) => { let v: unknown = 1; for (let i = 0; i < depth; i++) v = [v]; return v; };
const deepObj = (depth: number) => { let v: unknown = 'x'; for (let i = 0; i < depth; i++) v = { a: v }; return v; };
/** Values that break naive code. */
const HOSTILE: (() => unknown)[] = [
  () => null, () => true, () => -1, () => 0, () => 1e308, () => -1e308, () => 2 ** 53 + 2, () => 1.5, () => -0,
  () => '', () => 'x'.repeat(R.int(70_000)), () => '\u0000\u0001', () => '\ud800', () => '🙂'.repeat(50), () => '<script>alert(1)</script>',
  () => "'; DROP TABLE hosts; --", () => '../../etc/passwd', () => '1e400',
  () => [], () => Array.from({ length: 5000 }, (_, i) => i), () => deep(500), () => deepObj(300), () => ({}),
  () => JSON.parse('{"__proto__":{"polluted":"yes"}}'), () => ({ constructor: { prototype: { polluted: 'yes' } } }),
  () => JSON.parse('{"toString":"x","valueOf":1,"hasOwnProperty":null}'),
  () => Buffer.from([0xff, 0xfe, 0xc3, 0x28, 0xa0, 0xa1]), () => new Date(NaN).toString(),
];
const hostile = () => R.pick(HOSTILE)();

/** Replace, add or remove a field somewhere in `v` (a deep copy is mutated). */
function mutate(v: unknown, depth = 0): unknown {
  if (v === null || typeof v !== 'object' || Buffer.isBuffer(v) || depth > 4 || R.next() < 0.25) return hostile();
  if (Array.isArray(v)) {
    const a = v.slice();
    if (a.length && R.next() < 0.8) { const i = R.int(a.length); a[i] = mutate(a[i], depth + 1); } else a.push(hostile());
    return a;
  }
  const o: Record<string, unknown> = { ...(v as Record<string, unknown>) };
  const keys = Object.keys(o);
  const roll = R.next();
  // Own properties even for `__proto__`: the hostile key travels as data, as it would from a real client.
  const put = (k: string, val: unknown) => Object.defineProperty(o, k, { value: val, enumerable: true, writable: true, configurable: true });
  if (roll < 0.6 && keys.length) { const k = R.pick(keys); put(k, mutate(o[k], depth + 1)); }
  else if (roll < 0.8 && keys.length) delete o[R.pick(keys)];
  else put(R.pick(['__proto__', 'constructor', 'prototype', 'extra', 'seq', 'x'.repeat(300)]), hostile());
  return o;
}

const ctx = { h: undefined as unknown as TestHub };
const fuzz = suite('fuzz: hostile input', ctx);
fuzz.before(async (c) => { c.h = await startHub('sqlite', { AGENT_MSG_RATE: '1000000', AGENT_MSG_BURST: '1000000' }); });
fuzz.after(async (c) => { await c.h?.stop(); });

const metricsText = async (h: TestHub) => (await fetch(`${h.url}/metrics`)).text();
const sumOf = (text: string, name: string) => [...text.matchAll(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\d+)`, 'gm'))].reduce((s, m) => s + Number(m[1]), 0);
const protoKeys = () => Object.getOwnPropertyNames(Object.prototype).sort().join(',');

fuzz('should survive 6,000 hostile agent messages, count every refusal and store nothing invalid', async ({ h }) => {
  const keysBefore = protoKeys();
  const host = (await h.admin.post('/api/hosts', { name: 'fuzzed' })).body;
  const a = await connectRawAgent(h.url, agentAuth(host.token));
  await a.timeout(3000).emitWithAck('hello', hello);
  const rejects: RejectMessage[] = [];
  a.on('reject', (m) => rejects.push(m));
  let disconnected = false;
  a.on('disconnect', () => { disconnected = true; });
  const before = await metricsText(h);
  gc();
  const heapBefore = process.memoryUsage().heapUsed;

  const now = Date.now();
  const bases: Record<string, () => unknown> = {
    samples: () => ({ samples: [sample(1 + R.int(1e6), now - R.int(1e6), { disks: [{ mount: '/', device: 'sda1', fsType: 'ext4', sizeBytes: 1e12, usedBytes: 5e11, availBytes: 5e11 }] })] }),
    quota: () => ({ seq: 1 + R.int(1e6), t: now, accounts: [{ account: 'alice', usedBytes: 1e9, files: 10, source: 'walk', measuredAt: now }] }),
    services: () => ({ seq: 1 + R.int(1e6), t: now, services: [{ name: 'ssh', status: 'up', latencyMs: 1, checkedAt: now }] }),
    spoolDropped: () => ({ stream: 'samples', dropped: 3, firstSeq: 1, lastSeq: 3, t: now }),
  };
  const events = [...Object.keys(bases), 'hello', 'toString', '__proto__', 'constructor', 'x'.repeat(200), 'refresh', 'ack'];
  const N = 6000;
  let sent = 0;
  for (let i = 0; i < N; i++) {
    const ev = R.pick(events);
    const base = Object.hasOwn(bases, ev) ? bases[ev]() : hello;
    const msg = R.next() < 0.08 ? hostile() : mutate(base);
    a.emit(ev as any, msg as any);
    sent++;
    if (i % 200 === 199) await new Promise((r) => setTimeout(r, 5)); // let the socket drain
  }
  // One oversized message (between the 1 MiB message limit and the transport's 2 MiB cut-off).
  a.emit('samples', { samples: [sample(1, now, { hostname: 'x'.repeat(1_300_000) })] } as any);
  sent++;

  await until(async () => sumOf(await metricsText(h), 'rackpulse_agent_messages_total') - sumOf(before, 'rackpulse_agent_messages_total') >= sent, 20_000, 'every message seen by the hub');
  const after = await metricsText(h);
  const rejectedDelta = sumOf(after, 'rackpulse_agent_rejected_total') - sumOf(before, 'rackpulse_agent_rejected_total');
  await until(() => rejects.length >= rejectedDelta, 5000, 'every refusal delivered to the agent');
  assert.not.ok(disconnected, 'the agent stays connected: refusals are per message');
  assert.is(rejects.length, rejectedDelta, 'each refusal counted once');
  assert.ok(rejectedDelta > N * 0.5, `most hostile messages were refused (${rejectedDelta} of ${sent})`);
  assert.ok(rejects.some((r) => r.reason === 'too_large'), 'the oversized one was refused as too large');
  assert.ok(rejects.some((r) => r.reason === 'unknown_event'));

  // Alive, unpolluted, bounded.
  assert.is((await fetch(`${h.url}/healthz`)).status, 200);
  assert.is(({} as any).polluted, undefined, 'Object.prototype not polluted');
  assert.is(protoKeys(), keysBefore);
  await new Promise((r) => setTimeout(r, 300));
  gc();
  const grownMb = (process.memoryUsage().heapUsed - heapBefore) / 2 ** 20;
  assert.ok(grownMb < 64, `heap grew ${grownMb.toFixed(1)} MB`);

  // Nothing invalid stored.
  const knex = (h.hub.deps.orm.em as any).getKnex();
  const finite = (x: unknown) => x === null || (typeof x === 'number' && Number.isFinite(x)) || (typeof x === 'string' && Number.isFinite(Number(x)));
  for (const r of await knex('host_status').select('latest')) {
    const latest = JSON.parse(r.latest);
    for (const [k, v] of Object.entries(latest)) if (typeof v !== 'object') assert.ok(finite(v) || typeof v === 'string', `host_status.${k}`);
  }
  for (const r of await knex('account_usage').select('*')) {
    assert.ok(typeof r.account === 'string' && [...r.account].length >= 1 && [...r.account].length <= 64, `account name ${JSON.stringify(r.account).slice(0, 80)}`);
    assert.ok(finite(r.used_bytes) && Number(r.used_bytes) >= 0);
    assert.ok(['quota', 'walk'].includes(r.source));
  }
  for (const r of await knex('service_states').select('*')) {
    assert.ok(['up', 'down', 'unknown'].includes(r.status), r.status);
    assert.ok(typeof r.name === 'string' && [...r.name].length <= 128);
  }
  for (const r of await knex('rollups').select('*').limit(5000)) {
    for (const [k, v] of Object.entries(r)) assert.ok(finite(v), `rollups.${k} = ${v}`);
  }
  a.close();
});

fuzz('should answer 4,000 hostile API bodies with clear 4xx errors, never 5xx, and store only valid rows', async ({ h }) => {
  const keysBefore = protoKeys();
  const counts = async () => ({
    users: (await h.admin.get('/api/users')).body.users.length,
    plans: (await h.admin.get('/api/plans')).body.plans.length,
    hosts: (await h.admin.get('/api/hosts')).body.hosts.length,
  });
  const start = await counts();
  const targets: { path: string; base: () => unknown; kind?: 'users' | 'plans' | 'hosts' }[] = [
    { path: '/api/users', base: () => ({ email: `u${R.int(1e9)}@example.com`, password: 'long-enough-password', role: 'customer', name: 'U' }), kind: 'users' },
    { path: '/api/plans', base: () => ({ name: `p${R.int(1e9)}`, quotaBytes: 1e10, priceCents: 500, public: true }), kind: 'plans' },
    { path: '/api/hosts', base: () => ({ name: `h${R.int(1e9)}`, monthlyCostCents: 1000 }), kind: 'hosts' },
    { path: '/api/accounts', base: () => ({ hostId: 1, name: 'bob', ownerId: 1, planId: 1 }) },
    { path: '/api/session', base: () => ({ email: 'nobody@example.com', password: 'x' }) },
    { path: '/api/queues/fuzz/messages', base: () => ({ body: { screen: 'rack', command: 'next' } }) },
  ];
  const created = { users: 0, plans: 0, hosts: 0 };
  const statuses = new Map<number, number>();
  const errorsBefore = sumOf(await metricsText(h), 'rackpulse_api_errors_total');
  const N = 4000;
  let i = 0;
  const worker = async () => {
    while (i < N) {
      i++;
      const t = R.pick(targets);
      const roll = R.next();
      let body: string | Blob;
      if (roll < 0.1) body = new Blob([Uint8Array.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d])]); // {"a":"<invalid UTF-8>"}
      else if (roll < 0.2) body = R.pick(['{', '[1,2', 'null', '"str"', '1e999', '{"a":1,"a":2}', 'x'.repeat(70_000), '{}'.repeat(10)]);
      else body = JSON.stringify(roll < 0.25 ? t.base() : mutate(t.base())) ?? 'null';
      const res = await fetch(h.url + t.path, { method: 'POST', headers: { 'content-type': 'application/json', cookie: h.admin.cookie }, body });
      await res.arrayBuffer();
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      assert.ok(res.status < 500, `${t.path} answered ${res.status} to ${String(body).slice(0, 200)}`);
      if (res.status === 201 && t.kind) created[t.kind]++;
    }
  };
  await Promise.all(Array.from({ length: 6 }, worker));
  assert.ok((statuses.get(400) ?? 0) > N * 0.3, `mostly refused as bad requests: ${JSON.stringify([...statuses])}`);
  const refused = [...statuses].filter(([st]) => st >= 400).reduce((n, [, c]) => n + c, 0);
  assert.is(sumOf(await metricsText(h), 'rackpulse_api_errors_total') - errorsBefore, refused, 'every refusal counted');

  assert.is((await fetch(`${h.url}/healthz`)).status, 200);
  assert.is(protoKeys(), keysBefore, 'Object.prototype not polluted');
  const end = await counts();
  assert.equal({ users: end.users - start.users, plans: end.plans - start.plans, hosts: end.hosts - start.hosts }, created, 'a row only for each 201');
  for (const u of (await h.admin.get('/api/users')).body.users) {
    assert.match(u.email, /^[^@\s]+@[^@\s]+$/);
    assert.ok(['admin', 'customer'].includes(u.role));
  }
  for (const p of (await h.admin.get('/api/plans')).body.plans) {
    assert.ok(Number.isSafeInteger(p.quotaBytes) && p.quotaBytes >= 0, `plan quota ${p.quotaBytes}`);
    assert.ok(Number.isSafeInteger(p.priceCents) && p.priceCents >= 0);
    assert.ok(typeof p.name === 'string' && p.name.length > 0 && p.name.length <= 200);
  }
  for (const x of (await h.admin.get('/api/hosts')).body.hosts) assert.ok(typeof x.name === 'string' && x.name.length > 0 && x.name.length <= 200);
});

fuzz.run();
