/**
 * Pure merging of `/live` snapshots and deltas into the state the dashboards draw.
 * Nothing here mutates its inputs, so a state class can swap in the result as a whole and
 * unchanged hosts keep their identity (and their rendered rows).
 */
import type { FleetDelta, FleetSnapshot, HostSummary, LivePoint } from '../../../protocol/live.schema.js';
import { naturalCompare } from './natural-order.js';

/** Hosts by id. */
export type HostMap = ReadonlyMap<number, HostSummary>;

/** Points kept per host: 15 min of 1 s samples, as much as the hub's live ring holds. */
export const RING_CAPACITY = 900;

/** The host map a fleet snapshot describes; it replaces whatever was known before. */
export function fleetFromSnapshot(snapshot: FleetSnapshot): Map<number, HostSummary> {
  return new Map(snapshot.hosts.map((h) => [h.id, h]));
}

/**
 * A new host map with a fleet delta applied: each host in `delta.hosts` is the full summary
 * and replaces (or adds) its entry; ids in `delta.removed` are dropped. A host both updated
 * and removed in one delta is removed.
 */
export function applyFleetDelta(hosts: HostMap, delta: FleetDelta): Map<number, HostSummary> {
  const next = new Map(hosts);
  for (const h of delta.hosts) next.set(h.id, h);
  for (const id of delta.removed ?? []) next.delete(id);
  return next;
}

/** Hosts in display order: by name (natural, so "web2" precedes "web10"), then by id. */
export function sortHosts(hosts: HostMap): HostSummary[] {
  return [...hosts.values()].sort(compareHosts);
}

/** Order of hosts in lists: by name (natural, case ignored), then by id. */
export function compareHosts(a: HostSummary, b: HostSummary): number {
  return naturalCompare(a.name, b.name) || a.id - b.id;
}

/**
 * The ring with `added` appended, oldest first, holding at most `capacity` points (the
 * newest). A point not newer than the last one kept is a resend and is dropped, so the ring
 * stays ordered by time. Returns `ring` itself when nothing changed, else a new array.
 */
export function appendPoints<P extends { t: number } = LivePoint>(
  ring: readonly P[],
  added: readonly P[],
  capacity: number = RING_CAPACITY,
): readonly P[] {
  let lastT = ring.length > 0 ? ring[ring.length - 1].t : -Infinity;
  const fresh: P[] = [];
  for (const p of added) {
    if (p.t > lastT) {
      fresh.push(p);
      lastT = p.t;
    }
  }
  if (fresh.length === 0 && ring.length <= capacity) return ring;
  const all = [...ring, ...fresh];
  return all.length > capacity ? all.slice(all.length - capacity) : all;
}

/** The ring a host snapshot describes (it replaces the old one): its newest `capacity` points. */
export function ringFromSnapshot(points: readonly LivePoint[], capacity: number = RING_CAPACITY): readonly LivePoint[] {
  return appendPoints([], points, capacity);
}
