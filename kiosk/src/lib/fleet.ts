/**
 * The fleet as the wall and the controller hold it: the `fleet` topic's snapshot and deltas
 * merged into a map, and the figures the screens show (fleet CPU and disk, hosts online,
 * top hosts by load). Pure.
 */
import type { FleetDelta, FleetSnapshot, HostSummary } from '../../../protocol/live.schema.js';
import { loadPerCpu } from './hoststate.js';

export type Fleet = Map<number, HostSummary>;

export function fleetFromSnapshot(s: FleetSnapshot): Fleet {
  return new Map(s.hosts.map((h) => [h.id, h]));
}

/** Applies a delta in place (changed hosts replace their entry, removed ones go). */
export function applyFleetDelta(f: Fleet, d: FleetDelta): Fleet {
  for (const h of d.hosts) f.set(h.id, h);
  for (const id of d.removed ?? []) f.delete(id);
  return f;
}

/** Hosts in display order: by name, then id. */
export function sortedHosts(f: Fleet): HostSummary[] {
  return [...f.values()].sort((a, b) => a.name.localeCompare(b.name, 'en', { numeric: true }) || a.id - b.id);
}

export interface FleetFigures {
  online: number;
  total: number;
  /** Mean CPU busy over online hosts with a sample, % (null when none). */
  cpuPct: number | null;
  /** Used / size over every disk of every host, bytes. */
  diskUsedBytes: number;
  diskSizeBytes: number;
  /** diskUsed / diskSize, % (null without disks). */
  diskPct: number | null;
}

export function fleetFigures(f: Fleet): FleetFigures {
  let online = 0, cpuSum = 0, cpuN = 0, used = 0, size = 0;
  for (const h of f.values()) {
    if (h.online) {
      online++;
      if (h.latest) { cpuSum += h.latest.cpuPct; cpuN++; }
    }
    for (const d of h.disks) { used += d.usedBytes; size += d.sizeBytes; }
  }
  return {
    online, total: f.size,
    cpuPct: cpuN ? cpuSum / cpuN : null,
    diskUsedBytes: used, diskSizeBytes: size,
    diskPct: size > 0 ? (used / size) * 100 : null,
  };
}

export interface TopEntry { id: number; name: string; load1: number; perCpu: number }

/** The `n` online hosts with the highest 1-minute load (ties by name). */
export function topByLoad(f: Fleet, n = 10): TopEntry[] {
  const out: TopEntry[] = [];
  for (const h of f.values()) {
    if (!h.online || !h.latest) continue;
    out.push({ id: h.id, name: h.name, load1: h.latest.load1, perCpu: loadPerCpu(h) ?? 0 });
  }
  out.sort((a, b) => b.load1 - a.load1 || a.name.localeCompare(b.name));
  return out.slice(0, n);
}

/** The host the spotlight shows: the chosen one while it exists, else the busiest online, else the first. */
export function spotlightHost(f: Fleet, chosen: number | null): HostSummary | null {
  if (chosen !== null && f.has(chosen)) return f.get(chosen)!;
  const top = topByLoad(f, 1)[0];
  if (top) return f.get(top.id)!;
  return sortedHosts(f)[0] ?? null;
}
