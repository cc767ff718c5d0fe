import { statfsSync } from 'node:fs';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { diskSchema } from '../../../protocol/index.js';
import {
  IN_MEMORY_STATFS_TYPES, isSkippedFsType, measureMounts, parseMounts, readFilesystems, realMounts, toDisk, unescapeMountField, type MountEntry,
} from '../../../agent/collectors/filesystems.js';
import { fakeStatfs, fixture, FIXTURE_STATFS, tree } from './_fixtures.js';

const mounts = (name: string, rel = 'self/mounts'): MountEntry[] => {
  const r = parseMounts(fixture(name, rel));
  if (!r.ok) throw new Error(r.error);
  return r.value;
};

const unescape = suite('unescapeMountField');
unescape('should decode the octal escapes of space, tab and backslash', () => {
  assert.is(unescapeMountField('/srv/www\\040data\\011x\\134y'), '/srv/www data\tx\\y');
});
unescape.run();

const parse = suite('parseMounts');
parse('should read device, mount point and type of every line', () => {
  const m = mounts('t0');
  assert.is(m.length, 14);
  assert.equal(m[5], { device: '/dev/sda2', mount: '/', fsType: 'ext4' });
  assert.equal(m[9], { device: '/dev/nvme0n1p1', mount: '/srv/www data', fsType: 'xfs' });
});
parse('should fail on text without mount lines', () => {
  assert.is(parseMounts('garbage\n').ok, false);
});
parse.run();

const skipped = suite('isSkippedFsType');
skipped('should skip pseudo, layered and network types and keep disk ones', () => {
  for (const t of ['proc', 'sysfs', 'tmpfs', 'devtmpfs', 'cgroup', 'cgroup2', 'overlay', 'squashfs', 'nfs4', 'cifs']) assert.ok(isSkippedFsType(t), t);
  for (const t of ['ext4', 'xfs', 'btrfs', 'zfs', 'vfat', 'fuseblk', 'fuse.mergerfs']) assert.not.ok(isSkippedFsType(t), t);
});
skipped.run();

const real = suite('realMounts');
real('should keep real filesystems once per device, at the shortest mount path', () => {
  // /dev/nvme0n1p1 is listed at "/srv/www data" first, then at "/home".
  assert.equal(realMounts(mounts('t0')).map((m) => `${m.device} ${m.mount}`), ['/dev/sda2 /', '/dev/sda1 /boot/efi', '/dev/nvme0n1p1 /home']);
});
real.run();

const disk = suite('toDisk');
disk('should turn blocks into bytes, root reserve counting as used', () => {
  const d = toDisk({ device: '/dev/sda2', mount: '/', fsType: 'ext4' }, FIXTURE_STATFS['/']);
  assert.equal(d, {
    mount: '/', device: '/dev/sda2', fsType: 'ext4',
    sizeBytes: 102_400_000_000, usedBytes: 61_440_000_000, availBytes: 35_840_000_000,
  });
  assert.ok(diskSchema.safeParse(d).success);
});
disk.run();

const read = suite('readFilesystems');
read('should statfs every real mount of <procRoot>/self/mounts', async () => {
  const r = await readFilesystems({ procRoot: tree('t0'), statfs: fakeStatfs() });
  assert.ok(r.ok);
  if (!r.ok) return;
  assert.equal(r.value.errors, []);
  assert.equal(r.value.disks.map((d) => [d.mount, d.device, d.sizeBytes]), [
    ['/', '/dev/sda2', 102_400_000_000],
    ['/boot/efi', '/dev/sda1', 532_480_000],
    ['/home', '/dev/nvme0n1p1', 1_024_000_000_000],
  ]);
});
read('should fall back to <procRoot>/mounts and skip rootfs', async () => {
  const r = await readFilesystems({ procRoot: tree('old-kernel'), statfs: fakeStatfs() });
  assert.ok(r.ok);
  if (r.ok) assert.equal(r.value.disks.map((d) => `${d.device} ${d.mount}`), ['/dev/sda1 /']);
});
read('should report a mount whose statfs fails and keep the others', async () => {
  const { '/home': _, ...rest } = FIXTURE_STATFS;
  const r = await readFilesystems({ procRoot: tree('t0'), statfs: fakeStatfs(rest) });
  assert.ok(r.ok);
  if (!r.ok) return;
  assert.equal(r.value.disks.map((d) => d.mount), ['/', '/boot/efi']);
  assert.equal(r.value.errors, ['statfs /home: ENOENT']);
});
read('should leave out a filesystem of size 0', async () => {
  const r = await readFilesystems({ procRoot: tree('t0'), statfs: fakeStatfs({ ...FIXTURE_STATFS, '/boot/efi': { bsize: 4096, blocks: 0, bfree: 0, bavail: 0 } }) });
  assert.ok(r.ok);
  if (r.ok) assert.equal(r.value.disks.map((d) => d.mount), ['/', '/home']);
});
read('should give up on a statfs that hangs', async () => {
  const hang = (p: string) => (p === '/home' ? new Promise<never>(() => {}) : fakeStatfs()(p));
  const r = await readFilesystems({ procRoot: tree('t0'), statfs: hang, statfsTimeoutMs: 50 });
  assert.ok(r.ok);
  if (!r.ok) return;
  assert.is(r.value.disks.length, 2);
  assert.match(r.value.errors.join(), 'statfs /home: timed out after 50 ms');
});
read('should fail when no mount table can be read', async () => {
  const r = await readFilesystems({ procRoot: tree('bad'), statfs: fakeStatfs() });
  assert.is(r.ok, false);
  if (!r.ok) assert.match(r.error, /self\/mounts: missing; .*\/mounts: missing/);
});
read.run();

const measure = suite('measureMounts');
measure('should measure in-memory-statfs types synchronously and others through the thread pool, with the same figures', async () => {
  const sync = await measureMounts([{ device: 'rootdev', mount: '/', fsType: 'ext4' }]);
  const pooled = await measureMounts([{ device: 'rootdev', mount: '/', fsType: 'fuse.something' }]);
  assert.equal([sync.errors, pooled.errors], [[], []]);
  assert.is(sync.disks.length, 1);
  assert.is(sync.disks[0].sizeBytes, statfsSync('/').blocks * statfsSync('/').bsize);
  assert.is(pooled.disks[0].sizeBytes, sync.disks[0].sizeBytes);
  assert.ok(IN_MEMORY_STATFS_TYPES.has('ext4') && !IN_MEMORY_STATFS_TYPES.has('fuse.something'));
  // A missing mount point is one error, not a rejection, on both paths.
  const gone = await measureMounts([{ device: 'a', mount: '/no/such/mount', fsType: 'xfs' }, { device: 'b', mount: '/no/such/mount2', fsType: 'fuse.x' }]);
  assert.is(gone.disks.length, 0);
  assert.is(gone.errors.length, 2);
});
measure.run();
