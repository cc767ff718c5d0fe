import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { Disk } from '../../../protocol/index.js';
import { sampleSchema } from '../../../protocol/index.js';
import { Sampler, sameDisks } from '../../../agent/sampler.js';
import { Sequence } from '../../../agent/sequence.js';
import { fakeStatfs, FIXTURE_STATFS, switchableRoot, tree } from './_fixtures.js';

const T0 = 1_700_000_100_000;

/** A sampler on a switchable fixture root with a clock the test moves. */
async function setup(statfs = fakeStatfs()) {
  const proc = await switchableRoot();
  const clock = { now: T0 };
  const sampler = new Sampler({ procRoot: proc.root, now: () => clock.now, statfs });
  const at = async (name: string, ms: number) => {
    await proc.use(name);
    clock.now = T0 + ms;
    return sampler.sample();
  };
  return { sampler, at, cleanup: proc.cleanup };
}

const DISKS_T0: Disk[] = [
  { mount: '/', device: '/dev/sda2', fsType: 'ext4', sizeBytes: 102_400_000_000, usedBytes: 61_440_000_000, availBytes: 35_840_000_000 },
  { mount: '/boot/efi', device: '/dev/sda1', fsType: 'vfat', sizeBytes: 532_480_000, usedBytes: 40_960_000, availBytes: 491_520_000 },
  { mount: '/home', device: '/dev/nvme0n1p1', fsType: 'xfs', sizeBytes: 1_024_000_000_000, usedBytes: 204_800_000_000, availBytes: 819_200_000_000 },
];

const sample = suite('Sampler');

sample('should give rates 0, seq 1 and the disks on the first sample', async () => {
  const s = await setup();
  try {
    const r = await s.at('t0', 0);
    assert.equal(r.errors, []);
    assert.equal(r.sample, {
      seq: 1, t: T0, load1: 0.52, load5: 0.58, load15: 0.59, cpuPct: 0,
      memUsedBytes: 8_355_061_760, memTotalBytes: 16_710_123_520,
      netRxBps: 0, netTxBps: 0, diskReadBps: 0, diskWriteBps: 0, disks: DISKS_T0,
    });
  } finally { await s.cleanup(); }
});

sample('should compute rates between t0 and t1 over the elapsed 2 s and send the changed disks', async () => {
  const s = await setup();
  try {
    await s.at('t0', 0);
    const r = await s.at('t1', 2000);
    assert.equal(r.errors, []);
    const { disks, ...rest } = r.sample!;
    assert.equal(rest, {
      seq: 2, t: T0 + 2000, load1: 0.61, load5: 0.6, load15: 0.6, cpuPct: 37.5,
      memUsedBytes: 8_518_123_520, memTotalBytes: 16_710_123_520,
      netRxBps: 1_000_000, netTxBps: 600_000, diskReadBps: 768_000, diskWriteBps: 1_024_000,
    });
    // /data appeared in t1's mount table.
    assert.equal(disks?.map((d) => d.mount), ['/', '/boot/efi', '/home', '/data']);
    assert.ok(sampleSchema.safeParse(r.sample).success);
  } finally { await s.cleanup(); }
});

sample('should leave the disks out while unchanged and send them again after a minute', async () => {
  const s = await setup();
  try {
    await s.at('t1', 0);
    const same = await s.at('t1', 1000);
    assert.is(same.sample?.disks, undefined);
    assert.is(same.sample?.cpuPct, 0);
    const later = await s.at('t1', 60_000);
    assert.is(later.sample?.disks?.length, 4);
    assert.is((await s.at('t1', 61_000)).sample?.disks, undefined);
  } finally { await s.cleanup(); }
});

sample('should send the disks when a used figure moves by 0.1 % of the size', async () => {
  const table = structuredClone(FIXTURE_STATFS);
  const s = await setup(fakeStatfs(table));
  try {
    await s.at('t0', 0);
    table['/home'].bfree -= 1000; // 4 MB of 1 TB: below the threshold
    assert.is((await s.at('t0', 1000)).sample?.disks, undefined);
    table['/home'].bfree -= 300_000; // 1.2 GB: above it
    const r = await s.at('t0', 2000);
    assert.is(r.sample?.disks?.find((d) => d.mount === '/home')?.usedBytes, (50_000_000 + 301_000) * 4096);
  } finally { await s.cleanup(); }
});

sample('should make a valid sample with 0 for every unreadable source and list the errors', async () => {
  const s = await setup();
  try {
    const r = await s.at('bad', 0);
    assert.ok(r.sample);
    assert.ok(sampleSchema.safeParse(r.sample).success);
    assert.equal(r.sample, {
      seq: 1, t: T0, load1: 0, load5: 0, load15: 0, cpuPct: 0, memUsedBytes: 0, memTotalBytes: 0,
      netRxBps: 0, netTxBps: 0, diskReadBps: 0, diskWriteBps: 0,
    });
    const errors = r.errors.join('\n');
    for (const f of ['loadavg', 'stat', 'meminfo', 'net/dev', 'diskstats', 'self/mounts']) assert.match(errors, `proc/${f}: `);
    assert.is(r.errors.length, 6);
  } finally { await s.cleanup(); }
});

sample('should not throw when the proc root does not exist', async () => {
  const sampler = new Sampler({ procRoot: tree('no-such-tree'), now: () => T0 });
  const r = await sampler.sample();
  assert.is(r.sample?.seq, 1);
  assert.is(r.errors.length, 6);
});

sample('should measure rates over the gap when a reading failed in between', async () => {
  const s = await setup();
  try {
    await s.at('t0', 0);
    await s.at('bad', 1000);
    const r = await s.at('t1', 2000);
    assert.is(r.sample?.seq, 3);
    assert.is(r.sample?.cpuPct, 37.5);
    assert.is(r.sample?.netRxBps, 1_000_000);
    assert.is(r.sample?.diskWriteBps, 1_024_000);
  } finally { await s.cleanup(); }
});

sample('should run overlapping calls one after the other with consecutive seqs', async () => {
  const sampler = new Sampler({ procRoot: tree('t0'), statfs: fakeStatfs() });
  const rs = await Promise.all([sampler.sample(), sampler.sample(), sampler.sample()]);
  assert.equal(rs.map((r) => r.sample?.seq), [1, 2, 3]);
});

sample('should number from a shared sequence', async () => {
  const sequence = new Sequence(5001);
  const sampler = new Sampler({ procRoot: tree('t0'), statfs: fakeStatfs(), sequence });
  assert.is((await sampler.sample()).sample?.seq, 5001);
  assert.is(sequence.peek(), 5002);
});

sample('should take valid samples from the live /proc of this machine', async () => {
  const sampler = new Sampler();
  const before = Date.now();
  const a = await sampler.sample();
  await new Promise((r) => setTimeout(r, 300));
  const b = await sampler.sample();
  for (const r of [a, b]) {
    assert.ok(r.sample, r.errors.join('; '));
    sampleSchema.parse(r.sample);
  }
  const s = b.sample!;
  assert.is(a.sample!.seq + 1, s.seq);
  assert.ok(s.t >= before && s.t <= Date.now());
  assert.ok(s.memTotalBytes > 0 && s.memUsedBytes > 0 && s.memUsedBytes <= s.memTotalBytes);
  assert.ok(s.cpuPct >= 0 && s.cpuPct <= 100);
  assert.ok(Array.isArray(a.sample!.disks));
  for (const d of a.sample!.disks!) assert.ok(d.usedBytes <= d.sizeBytes && d.availBytes <= d.sizeBytes, d.mount);
});
sample.run();

const same = suite('sameDisks');
same('should see a new mount, a resize or a moved used figure as a change', () => {
  assert.ok(sameDisks(DISKS_T0, DISKS_T0.map((d) => ({ ...d })), 0.001));
  assert.not.ok(sameDisks(DISKS_T0, DISKS_T0.slice(1), 0.001));
  assert.not.ok(sameDisks(DISKS_T0, DISKS_T0.map((d, i) => (i ? d : { ...d, sizeBytes: d.sizeBytes + 4096 })), 0.001));
  assert.not.ok(sameDisks(DISKS_T0, DISKS_T0.map((d, i) => (i ? d : { ...d, usedBytes: d.usedBytes + 102_400_000 })), 0.001));
});
same.run();
