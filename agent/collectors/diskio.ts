/**
 * Block device throughput from /proc/diskstats.
 *
 * Each line is "major minor name reads merged sectors_read ms_reading writes
 * merged sectors_written …". Sectors here are always 512 bytes, whatever the
 * device's real sector size (the kernel converts).
 *
 * Only whole physical devices are counted, so every byte is counted once:
 *  - partitions are skipped: their IO is already in their disk's line. A
 *    partition is recognised by name as another listed device's name followed
 *    by digits, or "p" and digits (sda1 of sda, nvme0n1p1 of nvme0n1,
 *    mmcblk0p1 of mmcblk0);
 *  - loop (file-backed), ram and zram (memory), dm-* (LVM, crypt: stacked on
 *    disks that are counted), md* (software RAID: its members are counted),
 *    sr/fd (optical, floppy) and nbd (network: its traffic is network IO) are
 *    skipped by name.
 */
import { counter, counterDelta, fail, ok, perSecond, readAndParse, type ProcOptions, type Reading } from './proc.js';

/** 512-byte units of the sector fields, bytes. */
export const SECTOR_BYTES = 512;

/** Cumulative counters of one block device since boot. */
export interface DiskCounters {
  /** Read, sectors of 512 bytes. */
  sectorsRead: number;
  /** Written, sectors of 512 bytes. */
  sectorsWritten: number;
}

/** Device name → counters, every device listed (filtering happens in diskIoRates). */
export type DiskStats = Map<string, DiskCounters>;

export interface DiskIoRates {
  /** Read from whole physical devices, bytes per second. */
  readBps: number;
  /** Written to whole physical devices, bytes per second. */
  writeBps: number;
}

const VIRTUAL = /^(loop|ram|zram|dm-|md|sr|fd|nbd)\d/;

/** Parse /proc/diskstats. Malformed lines are skipped; a file without any valid one is an error. */
export function parseDiskstats(text: string): Reading<DiskStats> {
  const out: DiskStats = new Map();
  for (const line of text.split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f.length < 10) continue;
    const sectorsRead = counter(f[5]);
    const sectorsWritten = counter(f[9]);
    if (Number.isNaN(sectorsRead) || Number.isNaN(sectorsWritten)) continue;
    out.set(f[2], { sectorsRead, sectorsWritten });
  }
  return out.size > 0 ? ok(out) : fail('no device lines');
}

/** Names of the whole physical devices among `names`, per the rules above. */
export function wholeDevices(names: Iterable<string>): string[] {
  const all = [...names];
  const listed = new Set(all);
  return all.filter((name) => {
    if (VIRTUAL.test(name)) return false;
    // "sda1" → stem "sda"; "nvme0n1p1" → stem "nvme0n1p", then without the "p".
    const digits = /\d+$/.exec(name);
    if (!digits) return true;
    const stem = name.slice(0, -digits[0].length);
    return !(listed.has(stem) || (stem.endsWith('p') && listed.has(stem.slice(0, -1))));
  });
}

/**
 * Bytes per second read and written by whole physical devices between two
 * readings. Per device, a counter that went down adds 0 (32-bit wrap or a
 * re-attached device), and a device absent from `prev` adds 0.
 */
export function diskIoRates(prev: DiskStats, cur: DiskStats, elapsedMs: number): DiskIoRates {
  let read = 0;
  let written = 0;
  for (const name of wholeDevices(cur.keys())) {
    const p = prev.get(name);
    const c = cur.get(name)!;
    if (!p) continue;
    read += counterDelta(p.sectorsRead, c.sectorsRead);
    written += counterDelta(p.sectorsWritten, c.sectorsWritten);
  }
  return { readBps: perSecond(read * SECTOR_BYTES, elapsedMs), writeBps: perSecond(written * SECTOR_BYTES, elapsedMs) };
}

/** Read and parse `<procRoot>/diskstats`. */
export function readDiskstats(opts: ProcOptions = {}): Promise<Reading<DiskStats>> {
  return readAndParse('diskstats', parseDiskstats, opts);
}
