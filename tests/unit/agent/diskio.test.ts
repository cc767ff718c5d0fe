import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { diskIoRates, parseDiskstats, readDiskstats, wholeDevices, type DiskStats } from '../../../agent/collectors/diskio.js';
import { fixture, tree } from './_fixtures.js';

const stats = (name: string): DiskStats => {
  const r = parseDiskstats(fixture(name, 'diskstats'));
  if (!r.ok) throw new Error(r.error);
  return r.value;
};

const parse = suite('parseDiskstats');
parse('should read sectors read (field 6) and written (field 10) of every device', () => {
  const s = stats('t0');
  assert.is(s.size, 10);
  assert.equal(s.get('sda'), { sectorsRead: 8_000_000, sectorsWritten: 16_000_000 });
  assert.equal(s.get('nvme0n1p1'), { sectorsRead: 3_990_000, sectorsWritten: 3_000_000 });
});
parse('should skip a truncated line and fail when none is valid', () => {
  const r = parseDiskstats('   8       0 sda 1 2\n');
  assert.is(r.ok, false);
  if (!r.ok) assert.match(r.error, 'no device lines');
});
parse.run();

const whole = suite('wholeDevices');
whole('should keep whole disks and drop partitions, loop, ram, zram, dm, md and sr', () => {
  assert.equal(wholeDevices(stats('t0').keys()), ['sda', 'nvme0n1']);
});
whole('should recognise mmcblk and multi-digit partitions', () => {
  assert.equal(wholeDevices(['mmcblk0', 'mmcblk0p1', 'sdb', 'sdb12', 'xvda', 'xvda1', 'vdb']), ['mmcblk0', 'sdb', 'xvda', 'vdb']);
});
whole('should keep a partition whose disk is not listed', () => {
  assert.equal(wholeDevices(['sdc1']), ['sdc1']);
});
whole.run();

const rates = suite('diskIoRates');
rates('should count whole devices only, 512-byte sectors per second', () => {
  // Over 2 s: read sda +2000, nvme0n1 +1000 sectors → 3000 × 512 / 2;
  // written sda +4000 → 4000 × 512 / 2. Partitions, dm-0, loop0, zram0 moved too.
  assert.equal(diskIoRates(stats('t0'), stats('t1'), 2000), { readBps: 768_000, writeBps: 1_024_000 });
});
rates('should report 0 B/s when a counter wraps', () => {
  const a: DiskStats = new Map([['sda', { sectorsRead: 4_294_967_000, sectorsWritten: 10 }]]);
  const b: DiskStats = new Map([['sda', { sectorsRead: 5, sectorsWritten: 10 }]]);
  assert.equal(diskIoRates(a, b, 1000), { readBps: 0, writeBps: 0 });
});
rates('should ignore a device that appeared since the last reading', () => {
  const b: DiskStats = new Map([['sdb', { sectorsRead: 1000, sectorsWritten: 1000 }]]);
  assert.equal(diskIoRates(new Map(), b, 1000), { readBps: 0, writeBps: 0 });
});
rates.run();

const read = suite('readDiskstats');
read('should fail naming the file when it is missing', async () => {
  const r = await readDiskstats({ procRoot: tree('bad') });
  assert.is(r.ok, false);
  if (!r.ok) assert.match(r.error, /bad\/diskstats: missing/);
});
read('should read <procRoot>/diskstats', async () => {
  const r = await readDiskstats({ procRoot: tree('t1') });
  assert.ok(r.ok);
  if (r.ok) assert.equal(r.value.get('sda'), { sectorsRead: 8_002_000, sectorsWritten: 16_004_000 });
});
read.run();
