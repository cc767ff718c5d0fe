import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { Disk } from '../../../protocol/agent.schema.js';
import { diskUsedPct, fullestDisk } from '../../../client/src/lib/disks.js';

function disk(mount: string, usedBytes: number, sizeBytes: number): Disk {
  return { mount, device: `/dev/${mount}`, fsType: 'ext4', sizeBytes, usedBytes, availBytes: sizeBytes - usedBytes };
}

const pct = suite('diskUsedPct');
pct('should return used over size on a 0–100 scale', () => {
  assert.is(diskUsedPct(disk('/', 25, 100)), 25);
});
pct('should return null for a disk of size zero', () => {
  assert.is(diskUsedPct(disk('/proc', 0, 0)), null);
});
pct.run();

const fullest = suite('fullestDisk');
fullest('should pick the disk with the highest share used, not the most bytes used', () => {
  const big = disk('/home', 500, 1000);
  const small = disk('/', 90, 100);
  assert.is(fullestDisk([big, small]), small);
});
fullest('should prefer the larger disk on a tie', () => {
  const a = disk('/a', 50, 100);
  const b = disk('/b', 500, 1000);
  assert.is(fullestDisk([a, b]), b);
  assert.is(fullestDisk([b, a]), b);
});
fullest('should ignore disks of size zero and return null when none is left', () => {
  assert.is(fullestDisk([disk('/proc', 0, 0)]), null);
  assert.is(fullestDisk([]), null);
});
fullest.run();
