/**
 * Network throughput from /proc/net/dev.
 *
 * Each interface line is "name: rx_bytes rx_packets … (8 receive fields) tx_bytes …".
 * Old kernels print no space after the colon once the byte count is wide, so
 * the name is split off at the colon (Linux forbids ':' in interface names).
 * Loopback ("lo") is left out: it is traffic of the machine with itself.
 * Every other interface is summed, as the protocol says; note that on hosts
 * with bridges or veth pairs (containers) the same traffic can be seen twice.
 */
import { counter, counterDelta, fail, ok, perSecond, readAndParse, type ProcOptions, type Reading } from './proc.js';

/** Cumulative byte counters of one interface since it came up. */
export interface NetCounters {
  /** Received, bytes. */
  rxBytes: number;
  /** Sent, bytes. */
  txBytes: number;
}

/** Interface name → counters. */
export type NetDev = Map<string, NetCounters>;

export interface NetRates {
  /** Received over all non-loopback interfaces, bytes per second. */
  rxBps: number;
  /** Sent over all non-loopback interfaces, bytes per second. */
  txBps: number;
}

export const LOOPBACK = 'lo';

/** Parse /proc/net/dev. Malformed interface lines are skipped; a file without any valid one is an error. */
export function parseNetDev(text: string): Reading<NetDev> {
  const out: NetDev = new Map();
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const name = line.slice(0, colon).trim();
    // The two header lines contain '|' and no colon-separated counters.
    if (!name || name.includes('|')) continue;
    const f = line.slice(colon + 1).trim().split(/\s+/).map(counter);
    // 8 receive fields, then tx bytes at index 8.
    if (f.length < 9 || Number.isNaN(f[0]) || Number.isNaN(f[8])) continue;
    out.set(name, { rxBytes: f[0], txBytes: f[8] });
  }
  return out.size > 0 ? ok(out) : fail('no interface lines');
}

/**
 * Bytes per second summed over non-loopback interfaces between two readings.
 * Per interface, a counter that went down (reset or 32-bit wrap) adds 0, and an
 * interface absent from `prev` (just appeared) adds 0 for this interval.
 */
export function netRates(prev: NetDev, cur: NetDev, elapsedMs: number): NetRates {
  let rx = 0;
  let tx = 0;
  for (const [name, c] of cur) {
    const p = prev.get(name);
    if (name === LOOPBACK || !p) continue;
    rx += counterDelta(p.rxBytes, c.rxBytes);
    tx += counterDelta(p.txBytes, c.txBytes);
  }
  return { rxBps: perSecond(rx, elapsedMs), txBps: perSecond(tx, elapsedMs) };
}

/** Read and parse `<procRoot>/net/dev`. */
export function readNetDev(opts: ProcOptions = {}): Promise<Reading<NetDev>> {
  return readAndParse('net/dev', parseNetDev, opts);
}
