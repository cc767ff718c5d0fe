/**
 * The packed part of a HostBatch (protocol/cluster.types.ts): every host's new 1 s points as one
 * run of float64 values. The points are all numbers, so this is exact, and it costs a copy where
 * msgpack (what the adapter would otherwise do with the objects) walks every key of every point on
 * the sending hub and builds every object again on each receiving one.
 */
import { LIVE_POINT_FIELDS, type LivePoint } from '../../protocol/index.js';

const F = LIVE_POINT_FIELDS.length;
/** Values before a host's points: id, lastSeenAt, agents, n. */
const HEAD = 4;

/** One host's entry in the packed run. */
export interface PackedHost { id: number; lastSeenAt: number | null; agents: number; points: LivePoint[] }

export function packHosts(hosts: PackedHost[]): Uint8Array {
  let size = 0;
  for (const h of hosts) size += HEAD + h.points.length * F;
  const out = new Uint8Array(size * 8);
  const v = new DataView(out.buffer);
  let o = 0;
  const put = (x: number) => { v.setFloat64(o, x, true); o += 8; };
  for (const h of hosts) {
    put(h.id); put(h.lastSeenAt ?? NaN); put(h.agents); put(h.points.length);
    for (const p of h.points) for (let f = 0; f < F; f++) put(p[LIVE_POINT_FIELDS[f]]);
  }
  return out;
}

/** The hosts of a packed run; a truncated or malformed run ends the list where it stops making sense. */
export function unpackHosts(bytes: Uint8Array): PackedHost[] {
  // What the adapter hands over may be a view at any offset of a larger buffer.
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const count = bytes.byteLength >> 3;
  const at = (i: number) => v.getFloat64(i * 8, true);
  const out: PackedHost[] = [];
  let i = 0;
  while (i + HEAD <= count) {
    const id = at(i), lastSeenAt = at(i + 1), agents = at(i + 2), n = at(i + 3);
    i += HEAD;
    if (!Number.isSafeInteger(id) || !Number.isSafeInteger(agents) || !Number.isSafeInteger(n) || n < 0 || i + n * F > count) break;
    const points: LivePoint[] = new Array(n);
    for (let k = 0; k < n; k++) {
      const p = {} as Record<(typeof LIVE_POINT_FIELDS)[number], number>;
      for (let f = 0; f < F; f++) p[LIVE_POINT_FIELDS[f]] = at(i++);
      points[k] = p;
    }
    out.push({ id, lastSeenAt: Number.isNaN(lastSeenAt) ? null : lastSeenAt, agents, points });
  }
  return out;
}
