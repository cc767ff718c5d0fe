/**
 * The fleet overview's rows: each host's live summary joined with what the REST API adds
 * (plan allocations per disk, revenue from plans), then filtered and sorted. Pure, so the
 * rules are tested without a browser.
 */
import type { CapacityDisk, PlanDto } from '../../../protocol/api.types.js';
import type { Disk } from '../../../protocol/agent.schema.js';
import type { HostSummary } from '../../../protocol/live.schema.js';
import { compareHosts } from './fleet-merge.js';

/** Bytes promised to plans on each disk, by `hostId \0 mount`. */
export type Allocations = ReadonlyMap<string, number>;

export const diskKey = (hostId: number, mount: string) => `${hostId}\u0000${mount}`;

/** Allocations from `GET /api/capacity`. */
export function allocationsFrom(disks: readonly CapacityDisk[]): Map<string, number> {
  return new Map(disks.map((d) => [diskKey(d.hostId, d.mount), d.allocatedBytes]));
}

/** Room left on a disk after plan allocations: size − allocated, but never more than is actually free. */
export function diskRoom(disk: Disk, allocated: number): number {
  return Math.max(0, Math.min(disk.sizeBytes - allocated, disk.availBytes));
}

/** Accounts of each public plan that still fit in `roomBytes`. */
export function fits(roomBytes: number, plans: readonly PlanDto[]): { plan: PlanDto; count: number }[] {
  return plans.filter((p) => p.public && p.quotaBytes > 0).map((plan) => ({ plan, count: Math.floor(roomBytes / plan.quotaBytes) }));
}

/** One row of the overview. */
export interface FleetRow {
  host: HostSummary;
  /** Bytes, summed over the host's disks. */
  usedBytes: number;
  freeBytes: number;
  /** Room after plan allocations, bytes, summed over disks; null before the disks are known. */
  roomBytes: number | null;
  /** Monthly revenue from the plans of its accounts, cents; null when unknown (plans not loaded). */
  revenueCents: number | null;
  /** Memory used, percent. */
  memPct: number | null;
  /** Fullest disk, percent used. */
  diskPct: number | null;
}

/** `alloc` null: the plan allocations are not loaded yet, so the room after them is unknown (null). */
export function fleetRow(host: HostSummary, alloc: Allocations | null, revenue: ReadonlyMap<number, number> | null): FleetRow {
  let used = 0, free = 0, room = 0, diskPct: number | null = null;
  for (const d of host.disks) {
    used += d.usedBytes;
    free += d.availBytes;
    if (alloc) room += diskRoom(d, alloc.get(diskKey(host.id, d.mount)) ?? 0);
    if (d.sizeBytes > 0) diskPct = Math.max(diskPct ?? 0, (d.usedBytes / d.sizeBytes) * 100);
  }
  const s = host.latest;
  return {
    host, usedBytes: used, freeBytes: free, roomBytes: host.disks.length && alloc ? room : null,
    revenueCents: revenue ? revenue.get(host.id) ?? 0 : null,
    memPct: s && s.memTotalBytes > 0 ? (s.memUsedBytes / s.memTotalBytes) * 100 : null,
    diskPct,
  };
}

/** Monthly revenue per host, cents: the price of each account's plan. */
export function revenueByHost(accounts: readonly { hostId: number; planId: number | null }[], plans: readonly PlanDto[]): Map<number, number> {
  const price = new Map(plans.map((p) => [p.id, p.priceCents]));
  const out = new Map<number, number>();
  for (const a of accounts) if (a.planId !== null) out.set(a.hostId, (out.get(a.hostId) ?? 0) + (price.get(a.planId) ?? 0));
  return out;
}

export type SortKey = 'name' | 'status' | 'load' | 'cpu' | 'mem' | 'net' | 'disk' | 'accounts' | 'room' | 'revenue' | 'margin';
export interface SortSpec { key: SortKey; dir: 'asc' | 'desc' }
export interface FilterSpec { text: string; status: 'all' | 'online' | 'offline' }

/** The value a column sorts by; null sorts last whatever the direction. */
function sortValue(r: FleetRow, key: SortKey): number | null {
  const s = r.host.latest;
  switch (key) {
    case 'status': return r.host.online ? 1 : 0;
    case 'load': return s ? s.load1 : null;
    case 'cpu': return s ? s.cpuPct : null;
    case 'mem': return r.memPct;
    case 'net': return s ? s.netRxBps + s.netTxBps : null;
    case 'disk': return r.diskPct;
    case 'accounts': return r.host.accounts;
    case 'room': return r.roomBytes;
    case 'revenue': return r.revenueCents;
    case 'margin': return r.revenueCents === null || r.host.monthlyCostCents === null ? null : r.revenueCents - r.host.monthlyCostCents;
    default: return null;
  }
}

/** Rows sorted by `sort` (ties and the name column by natural host name). */
export function sortRows(rows: readonly FleetRow[], sort: SortSpec): FleetRow[] {
  const sign = sort.dir === 'asc' ? 1 : -1;
  if (sort.key === 'name') return [...rows].sort((a, b) => sign * compareHosts(a.host, b.host));
  const keyed = rows.map((r) => ({ r, v: sortValue(r, sort.key) }));
  keyed.sort((a, b) => {
    if (a.v === null || b.v === null) return a.v === b.v ? compareHosts(a.r.host, b.r.host) : a.v === null ? 1 : -1;
    return sign * (a.v - b.v) || compareHosts(a.r.host, b.r.host);
  });
  return keyed.map((k) => k.r);
}

/** Rows whose name or kernel hostname contains `text` (case-insensitive) and whose status matches. */
export function filterRows(rows: readonly FleetRow[], filter: FilterSpec): FleetRow[] {
  const q = filter.text.trim().toLowerCase();
  return rows.filter((r) =>
    (filter.status === 'all' || (filter.status === 'online') === r.host.online)
    && (!q || r.host.name.toLowerCase().includes(q) || (r.host.hostname ?? '').toLowerCase().includes(q)));
}

/** The summary bar over the whole fleet (not just the filtered rows). */
/** `roomBytes` null while the plan allocations are not loaded. */
export interface FleetTotals { hosts: number; online: number; usedBytes: number; freeBytes: number; roomBytes: number | null }
export function fleetTotals(rows: readonly FleetRow[], allocationsKnown = true): FleetTotals {
  const t = { hosts: rows.length, online: 0, usedBytes: 0, freeBytes: 0, roomBytes: 0 };
  for (const r of rows) {
    if (r.host.online) t.online++;
    t.usedBytes += r.usedBytes;
    t.freeBytes += r.freeBytes;
    t.roomBytes += r.roomBytes ?? 0;
  }
  return allocationsKnown ? t : { ...t, roomBytes: null };
}

/** One disk's free spots: how many accounts of each public plan it can still take. */
export interface FreeSpot { hostId: number; hostName: string; mount: string; roomBytes: number; fits: { plan: PlanDto; count: number }[] }
export function freeSpots(hosts: readonly HostSummary[], alloc: Allocations, plans: readonly PlanDto[]): FreeSpot[] {
  const out: FreeSpot[] = [];
  for (const h of hosts) {
    for (const d of h.disks) {
      const room = diskRoom(d, alloc.get(diskKey(h.id, d.mount)) ?? 0);
      const f = fits(room, plans);
      if (f.some((x) => x.count > 0)) out.push({ hostId: h.id, hostName: h.name, mount: d.mount, roomBytes: room, fits: f });
    }
  }
  return out.sort((a, b) => b.roomBytes - a.roomBytes);
}
