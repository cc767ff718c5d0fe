import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import {
  accountQuotaSchema, agentAuthSchema, diskSchema, helloSchema, quotaSchema, refreshRequestSchema,
  sampleSchema, samplesSchema, serviceStatusSchema, servicesSchema,
} from '../../../protocol/agent.schema.js';
import { MAX_SAMPLES_PER_MESSAGE } from '../../../protocol/version.js';
import { accepted, refusedAt, withOwnKey } from './_zod.js';

const T = 1_700_000_000_000;
const hello = () => ({ hostname: 'web-01', os: 'linux', kernel: '6.1.0-18-amd64', cpus: 8, memTotalBytes: 16e9, bootTime: T - 86_400_000 });
const disk = () => ({ mount: '/home', device: '/dev/sda1', fsType: 'ext4', sizeBytes: 1e12, usedBytes: 4e11, availBytes: 5.5e11 });
const sample = (over: Record<string, unknown> = {}) => ({
  seq: 1, t: T, load1: 0.5, load5: 0.4, load15: 0.3, cpuPct: 12.5, memUsedBytes: 2e9, memTotalBytes: 8e9,
  netRxBps: 1000, netTxBps: 2000, diskReadBps: 0, diskWriteBps: 4096, ...over,
});
const quota = () => ({ account: 'alice', usedBytes: 5e9, source: 'quota' as const, measuredAt: T });
const service = () => ({ name: 'alice:rtorrent', status: 'up' as const, checkedAt: T });
const NON_FINITE = [NaN, Infinity, -Infinity];

// ---------------------------------------------------------------------------
const auth = suite('agentAuthSchema');

auth('should accept a token, an agent version and a protocol number', () => {
  const a = { token: 'rpa_abc', agentVersion: '0.1.0', protocol: 1 };
  assert.equal(accepted(agentAuthSchema, a), a);
});

auth('should refuse an empty or over-long token at "token"', () => {
  const base = { agentVersion: '0.1.0', protocol: 1 };
  assert.equal(refusedAt(agentAuthSchema, { ...base, token: '' }), ['token']);
  assert.equal(refusedAt(agentAuthSchema, { ...base, token: 'x'.repeat(201) }), ['token']);
  accepted(agentAuthSchema, { ...base, token: 'x'.repeat(200) });
});

auth('should refuse a missing token and a non-string agent version at their paths', () => {
  assert.equal(refusedAt(agentAuthSchema, { agentVersion: '0.1.0', protocol: 1 }), ['token']);
  assert.equal(refusedAt(agentAuthSchema, { token: 't', agentVersion: 1, protocol: 1 }), ['agentVersion']);
  assert.equal(refusedAt(agentAuthSchema, { token: 't', agentVersion: 'v'.repeat(41), protocol: 1 }), ['agentVersion']);
});

auth('should refuse a fractional, string or non-finite protocol at "protocol"', () => {
  for (const protocol of [1.5, '1', NaN, Infinity]) {
    assert.equal(refusedAt(agentAuthSchema, { token: 't', agentVersion: '0.1.0', protocol }), ['protocol'], String(protocol));
  }
});

auth('should not pass unknown keys, __proto__ included, through to the parsed value', () => {
  const a = withOwnKey({ token: 't', agentVersion: '0.1.0', protocol: 1, admin: true }, '__proto__', { admin: true });
  const r = agentAuthSchema.safeParse(a);
  if (r.success) {
    assert.equal(Object.keys(r.data).sort(), ['agentVersion', 'protocol', 'token']);
    assert.not.ok(Object.prototype.hasOwnProperty.call(r.data, '__proto__'));
    assert.is((r.data as any).admin, undefined);
  }
  assert.is(({} as any).admin, undefined, 'Object.prototype must stay clean');
});

// ---------------------------------------------------------------------------
const hel = suite('helloSchema');

hel('should accept a complete hello', () => {
  assert.equal(accepted(helloSchema, hello()), hello());
});

hel('should accept an empty kernel string but not an empty hostname or os', () => {
  accepted(helloSchema, { ...hello(), kernel: '' });
  assert.equal(refusedAt(helloSchema, { ...hello(), hostname: '' }), ['hostname']);
  assert.equal(refusedAt(helloSchema, { ...hello(), os: '' }), ['os']);
});

hel('should refuse strings over their maximum at their path', () => {
  accepted(helloSchema, { ...hello(), hostname: 'h'.repeat(255), os: 'o'.repeat(40), kernel: 'k'.repeat(120) });
  assert.equal(refusedAt(helloSchema, { ...hello(), hostname: 'h'.repeat(256) }), ['hostname']);
  assert.equal(refusedAt(helloSchema, { ...hello(), os: 'o'.repeat(41) }), ['os']);
  assert.equal(refusedAt(helloSchema, { ...hello(), kernel: 'k'.repeat(121) }), ['kernel']);
});

hel('should refuse zero, fractional, too many or string cpus at "cpus"', () => {
  for (const cpus of [0, -1, 1.5, 100_001, '8', NaN]) {
    assert.equal(refusedAt(helloSchema, { ...hello(), cpus }), ['cpus'], String(cpus));
  }
  accepted(helloSchema, { ...hello(), cpus: 100_000 });
});

hel('should refuse negative or non-finite memory at "memTotalBytes"', () => {
  for (const memTotalBytes of [-1, ...NON_FINITE]) {
    assert.equal(refusedAt(helloSchema, { ...hello(), memTotalBytes }), ['memTotalBytes'], String(memTotalBytes));
  }
});

hel('should refuse a negative, fractional or out-of-range boot time at "bootTime"', () => {
  for (const bootTime of [-1, T + 0.5, 8.64e15 + 1, Infinity, null]) {
    assert.equal(refusedAt(helloSchema, { ...hello(), bootTime }), ['bootTime'], String(bootTime));
  }
  accepted(helloSchema, { ...hello(), bootTime: 8.64e15 });
  accepted(helloSchema, { ...hello(), bootTime: 0 });
});

hel('should refuse an unknown key at its own path', () => {
  assert.equal(refusedAt(helloSchema, { ...hello(), uptime: 5 }), ['uptime']);
});

hel('should refuse __proto__ and constructor keys sent as JSON', () => {
  assert.equal(refusedAt(helloSchema, withOwnKey(hello(), '__proto__', { polluted: true })), ['__proto__']);
  assert.equal(refusedAt(helloSchema, withOwnKey(hello(), 'constructor', { prototype: { polluted: true } })), ['constructor']);
  assert.is(({} as any).polluted, undefined, 'Object.prototype must stay clean');
});

hel('should refuse a value that is not an object at the root', () => {
  for (const v of [null, 'hello', 1, []]) assert.equal(refusedAt(helloSchema, v), [''], JSON.stringify(v));
});

// ---------------------------------------------------------------------------
const dsk = suite('diskSchema');

dsk('should accept a filesystem, with an empty device and fsType', () => {
  assert.equal(accepted(diskSchema, disk()), disk());
  accepted(diskSchema, { ...disk(), device: '', fsType: '' });
});

dsk('should refuse an empty mount at "mount"', () => {
  assert.equal(refusedAt(diskSchema, { ...disk(), mount: '' }), ['mount']);
});

dsk('should refuse strings over their maximum at their path', () => {
  accepted(diskSchema, { ...disk(), mount: 'm'.repeat(512), device: 'd'.repeat(512), fsType: 'f'.repeat(40) });
  assert.equal(refusedAt(diskSchema, { ...disk(), mount: 'm'.repeat(513) }), ['mount']);
  assert.equal(refusedAt(diskSchema, { ...disk(), device: 'd'.repeat(513) }), ['device']);
  assert.equal(refusedAt(diskSchema, { ...disk(), fsType: 'f'.repeat(41) }), ['fsType']);
});

dsk('should refuse negative, non-finite or string sizes at their path', () => {
  for (const k of ['sizeBytes', 'usedBytes', 'availBytes']) {
    for (const v of [-1, '10', ...NON_FINITE]) assert.equal(refusedAt(diskSchema, { ...disk(), [k]: v }), [k], `${k}=${v}`);
  }
});

dsk('should refuse an unknown key at its own path', () => {
  assert.equal(refusedAt(diskSchema, { ...disk(), inodes: 5 }), ['inodes']);
});

// ---------------------------------------------------------------------------
const smp = suite('sampleSchema');
const NON_NEG = ['load1', 'load5', 'load15', 'memUsedBytes', 'memTotalBytes', 'netRxBps', 'netTxBps', 'diskReadBps', 'diskWriteBps'];

smp('should accept a sample without disks and one with disks', () => {
  assert.equal(accepted(sampleSchema, sample()), sample());
  const withDisks = sample({ disks: [disk(), { ...disk(), mount: '/' }] });
  assert.equal(accepted(sampleSchema, withDisks), withDisks);
  accepted(sampleSchema, sample({ disks: [] }));
});

smp('should accept cpuPct at 0 and at 100', () => {
  accepted(sampleSchema, sample({ cpuPct: 0 }));
  accepted(sampleSchema, sample({ cpuPct: 100 }));
});

smp('should refuse cpuPct above 100 or below 0 at "cpuPct"', () => {
  for (const cpuPct of [100.01, 101, -0.01, ...NON_FINITE]) {
    assert.equal(refusedAt(sampleSchema, sample({ cpuPct })), ['cpuPct'], String(cpuPct));
  }
});

smp('should refuse a negative value of every non-negative metric at its path', () => {
  for (const k of NON_NEG) assert.equal(refusedAt(sampleSchema, sample({ [k]: -1 })), [k], k);
});

smp('should refuse NaN and ±Infinity in every metric at its path', () => {
  for (const k of [...NON_NEG, 'seq', 't']) {
    for (const v of NON_FINITE) assert.equal(refusedAt(sampleSchema, sample({ [k]: v })), [k], `${k}=${v}`);
  }
});

smp('should refuse strings, null and booleans in place of numbers at their path', () => {
  for (const v of ['1', null, true]) {
    assert.equal(refusedAt(sampleSchema, sample({ load1: v })), ['load1'], String(v));
    assert.equal(refusedAt(sampleSchema, sample({ t: v })), ['t'], String(v));
  }
});

smp('should refuse a missing metric at its path', () => {
  const s: Record<string, unknown> = sample();
  delete s.netTxBps;
  assert.equal(refusedAt(sampleSchema, s), ['netTxBps']);
});

smp('should refuse seq 0, negative, fractional or beyond MAX_SAFE_INTEGER at "seq"', () => {
  for (const seq of [0, -1, 1.5, Number.MAX_SAFE_INTEGER + 1, 2 ** 60]) {
    assert.equal(refusedAt(sampleSchema, sample({ seq })), ['seq'], String(seq));
  }
  accepted(sampleSchema, sample({ seq: Number.MAX_SAFE_INTEGER }));
});

smp('should refuse a negative or fractional time at "t"', () => {
  for (const t of [-1, T + 0.5, 8.64e15 + 1]) assert.equal(refusedAt(sampleSchema, sample({ t })), ['t'], String(t));
});

smp('should refuse more than 256 disks at "disks"', () => {
  accepted(sampleSchema, sample({ disks: Array.from({ length: 256 }, disk) }));
  assert.equal(refusedAt(sampleSchema, sample({ disks: Array.from({ length: 257 }, disk) })), ['disks']);
});

smp('should refuse a bad disk at its index and field', () => {
  assert.equal(refusedAt(sampleSchema, sample({ disks: [disk(), { ...disk(), usedBytes: -5 }] })), ['disks.1.usedBytes']);
  assert.equal(refusedAt(sampleSchema, sample({ disks: [{ ...disk(), quota: 1 }] })), ['disks.0.quota']);
  assert.equal(refusedAt(sampleSchema, sample({ disks: disk() })), ['disks']);
});

smp('should refuse an unknown key at its own path', () => {
  assert.equal(refusedAt(sampleSchema, sample({ gpuPct: 3 })), ['gpuPct']);
});

smp('should refuse __proto__ and constructor keys sent as JSON', () => {
  assert.equal(refusedAt(sampleSchema, withOwnKey(sample(), '__proto__', { cpuPct: 1 })), ['__proto__']);
  assert.equal(refusedAt(sampleSchema, withOwnKey(sample(), 'constructor', 1)), ['constructor']);
});

// ---------------------------------------------------------------------------
const smps = suite('samplesSchema');

smps('should accept one sample', () => {
  const m = { samples: [sample()] };
  assert.equal(accepted(samplesSchema, m), m);
});

smps('should accept exactly MAX_SAMPLES_PER_MESSAGE samples', () => {
  const samples = Array.from({ length: MAX_SAMPLES_PER_MESSAGE }, (_, i) => sample({ seq: i + 1, t: T + i * 1000 }));
  assert.is(accepted(samplesSchema, { samples }).samples.length, MAX_SAMPLES_PER_MESSAGE);
});

smps('should refuse one sample more than MAX_SAMPLES_PER_MESSAGE at "samples"', () => {
  const samples = Array.from({ length: MAX_SAMPLES_PER_MESSAGE + 1 }, (_, i) => sample({ seq: i + 1, t: T + i * 1000 }));
  assert.equal(refusedAt(samplesSchema, { samples }), ['samples']);
});

smps('should refuse an empty list or a missing list at "samples"', () => {
  assert.equal(refusedAt(samplesSchema, { samples: [] }), ['samples']);
  assert.equal(refusedAt(samplesSchema, {}), ['samples']);
  assert.equal(refusedAt(samplesSchema, { samples: sample() }), ['samples']);
});

smps('should refuse a bad sample at its index and field', () => {
  assert.equal(refusedAt(samplesSchema, { samples: [sample(), sample({ seq: 2, cpuPct: 150 })] }), ['samples.1.cpuPct']);
  assert.equal(refusedAt(samplesSchema, { samples: [sample({ extra: 1 })] }), ['samples.0.extra']);
});

smps('should refuse an unknown key and a __proto__ key beside samples', () => {
  assert.equal(refusedAt(samplesSchema, { samples: [sample()], host: 3 }), ['host']);
  assert.equal(refusedAt(samplesSchema, withOwnKey({ samples: [sample()] }, '__proto__', {})), ['__proto__']);
});

// ---------------------------------------------------------------------------
const aq = suite('accountQuotaSchema');

aq('should accept a quota with only the required fields and with every optional one', () => {
  assert.equal(accepted(accountQuotaSchema, quota()), quota());
  const full = { ...quota(), files: 12_000, softLimitBytes: 1e10, hardLimitBytes: 1.1e10, source: 'walk' as const };
  assert.equal(accepted(accountQuotaSchema, full), full);
});

aq('should refuse an unknown source at "source"', () => {
  assert.equal(refusedAt(accountQuotaSchema, { ...quota(), source: 'du' }), ['source']);
});

aq('should refuse an empty or over-long account at "account"', () => {
  accepted(accountQuotaSchema, { ...quota(), account: 'a'.repeat(64) });
  assert.equal(refusedAt(accountQuotaSchema, { ...quota(), account: '' }), ['account']);
  assert.equal(refusedAt(accountQuotaSchema, { ...quota(), account: 'a'.repeat(65) }), ['account']);
});

aq('should refuse negative or non-finite sizes, optional ones included, at their path', () => {
  for (const k of ['usedBytes', 'files', 'softLimitBytes', 'hardLimitBytes']) {
    for (const v of [-1, NaN, Infinity]) assert.equal(refusedAt(accountQuotaSchema, { ...quota(), [k]: v }), [k], `${k}=${v}`);
  }
});

aq('should refuse an unknown key at its own path', () => {
  assert.equal(refusedAt(accountQuotaSchema, { ...quota(), uid: 1000 }), ['uid']);
});

// ---------------------------------------------------------------------------
const qs = suite('quotaSchema');

qs('should accept a quota message, with no accounts too', () => {
  const m = { seq: 3, t: T, accounts: [quota()] };
  assert.equal(accepted(quotaSchema, m), m);
  accepted(quotaSchema, { seq: 1, t: T, accounts: [] });
});

qs('should refuse seq 0, fractional or beyond MAX_SAFE_INTEGER at "seq"', () => {
  for (const seq of [0, 2.5, Number.MAX_SAFE_INTEGER + 1]) {
    assert.equal(refusedAt(quotaSchema, { seq, t: T, accounts: [] }), ['seq'], String(seq));
  }
});

qs('should refuse a bad account at its index and field', () => {
  assert.equal(refusedAt(quotaSchema, { seq: 1, t: T, accounts: [quota(), { ...quota(), usedBytes: -1 }] }), ['accounts.1.usedBytes']);
});

qs('should refuse more than 100000 accounts at "accounts"', () => {
  const q = quota();
  assert.equal(refusedAt(quotaSchema, { seq: 1, t: T, accounts: new Array(100_001).fill(q) }), ['accounts']);
});

qs('should refuse an unknown key at its own path', () => {
  assert.equal(refusedAt(quotaSchema, { seq: 1, t: T, accounts: [], host: 1 }), ['host']);
});

// ---------------------------------------------------------------------------
const ss = suite('serviceStatusSchema');

ss('should accept a status with only the required fields and with every optional one', () => {
  assert.equal(accepted(serviceStatusSchema, service()), service());
  const full = { ...service(), account: 'alice', status: 'down' as const, latencyMs: 12.5, reason: 'connection refused' };
  assert.equal(accepted(serviceStatusSchema, full), full);
});

ss('should refuse a status outside up/down/unknown at "status"', () => {
  assert.equal(refusedAt(serviceStatusSchema, { ...service(), status: 'degraded' }), ['status']);
  assert.equal(refusedAt(serviceStatusSchema, { ...service(), status: 'UP' }), ['status']);
});

ss('should refuse strings over their maximum at their path', () => {
  accepted(serviceStatusSchema, { ...service(), name: 'n'.repeat(128), account: 'a'.repeat(64), reason: 'r'.repeat(200) });
  assert.equal(refusedAt(serviceStatusSchema, { ...service(), name: 'n'.repeat(129) }), ['name']);
  assert.equal(refusedAt(serviceStatusSchema, { ...service(), account: 'a'.repeat(65) }), ['account']);
  assert.equal(refusedAt(serviceStatusSchema, { ...service(), reason: 'r'.repeat(201) }), ['reason']);
});

ss('should refuse a negative or non-finite latency at "latencyMs"', () => {
  for (const latencyMs of [-1, NaN, Infinity]) {
    assert.equal(refusedAt(serviceStatusSchema, { ...service(), latencyMs }), ['latencyMs'], String(latencyMs));
  }
});

ss('should refuse an unknown key at its own path', () => {
  assert.equal(refusedAt(serviceStatusSchema, { ...service(), port: 22 }), ['port']);
});

// ---------------------------------------------------------------------------
const svs = suite('servicesSchema');

svs('should accept a services message, with no services too', () => {
  const m = { seq: 9, t: T, services: [service()] };
  assert.equal(accepted(servicesSchema, m), m);
  accepted(servicesSchema, { seq: 1, t: T, services: [] });
});

svs('should refuse more than 10000 services at "services"', () => {
  accepted(servicesSchema, { seq: 1, t: T, services: new Array(10_000).fill(service()) });
  assert.equal(refusedAt(servicesSchema, { seq: 1, t: T, services: new Array(10_001).fill(service()) }), ['services']);
});

svs('should refuse a bad service at its index and field', () => {
  assert.equal(refusedAt(servicesSchema, { seq: 1, t: T, services: [{ ...service(), status: 'ok' }] }), ['services.0.status']);
});

svs('should refuse seq 0 and a missing t at their paths', () => {
  assert.equal(refusedAt(servicesSchema, { seq: 0, t: T, services: [] }), ['seq']);
  assert.equal(refusedAt(servicesSchema, { seq: 1, services: [] }), ['t']);
});

// ---------------------------------------------------------------------------
const rr = suite('refreshRequestSchema');

rr('should accept a request for the whole host and one for an account', () => {
  assert.equal(accepted(refreshRequestSchema, {}), {});
  assert.equal(accepted(refreshRequestSchema, { account: 'alice' }), { account: 'alice' });
});

rr('should refuse an over-long or non-string account at "account"', () => {
  assert.equal(refusedAt(refreshRequestSchema, { account: 'a'.repeat(65) }), ['account']);
  assert.equal(refusedAt(refreshRequestSchema, { account: 7 }), ['account']);
});

rr('should refuse unknown keys, __proto__ included, at their own path', () => {
  assert.equal(refusedAt(refreshRequestSchema, { all: true }), ['all']);
  assert.equal(refusedAt(refreshRequestSchema, withOwnKey({}, '__proto__', { account: 'x' })), ['__proto__']);
});

auth.run();
hel.run();
dsk.run();
smp.run();
smps.run();
aq.run();
qs.run();
ss.run();
svs.run();
rr.run();
