/** Pure helpers about a host's filesystems. */
import type { Disk } from '../../../protocol/agent.schema.js';

/** Percent of a disk in use (0–100), or null for a disk of size zero. */
export function diskUsedPct(disk: Disk): number | null {
  return disk.sizeBytes > 0 ? (disk.usedBytes / disk.sizeBytes) * 100 : null;
}

/**
 * The disk closest to full (highest used / size), the one that runs out first; ties go to
 * the larger disk. Disks of size zero are ignored; null when no disk is left.
 */
export function fullestDisk(disks: readonly Disk[]): Disk | null {
  let best: Disk | null = null;
  let bestPct = -1;
  for (const d of disks) {
    const pct = diskUsedPct(d);
    if (pct === null) continue;
    if (pct > bestPct || (pct === bestPct && best !== null && d.sizeBytes > best.sizeBytes)) {
      best = d;
      bestPct = pct;
    }
  }
  return best;
}
