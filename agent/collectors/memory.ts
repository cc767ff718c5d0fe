/**
 * Memory in use from /proc/meminfo (values in kB, i.e. KiB).
 *
 * Used = MemTotal − MemAvailable: MemAvailable is the kernel's own estimate of
 * what can be handed to new work without swapping (free + reclaimable cache),
 * so page cache does not count as used. Kernels older than 3.14 lack it; there
 * the classic MemFree + Buffers + Cached stands in.
 */
import { fail, ok, readAndParse, type ProcOptions, type Reading } from './proc.js';

export interface MemoryUsage {
  /** Physical memory, bytes. */
  totalBytes: number;
  /** Available for new work without swapping, bytes. */
  availableBytes: number;
  /** totalBytes − availableBytes, bytes. */
  usedBytes: number;
}

/** Parse /proc/meminfo into a map of field → bytes (the kB unit applied). */
export function parseMeminfoFields(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    const m = /^(\w[\w()]*):\s+(\d+)(?:\s+kB)?\s*$/.exec(line);
    if (m) out.set(m[1], Number(m[2]) * (line.trimEnd().endsWith('kB') ? 1024 : 1));
  }
  return out;
}

/** Parse the text of /proc/meminfo into total, available and used bytes. */
export function parseMeminfo(text: string): Reading<MemoryUsage> {
  const f = parseMeminfoFields(text);
  const totalBytes = f.get('MemTotal');
  if (totalBytes === undefined) return fail('no MemTotal');
  let availableBytes = f.get('MemAvailable');
  if (availableBytes === undefined) {
    const free = f.get('MemFree');
    if (free === undefined) return fail('neither MemAvailable nor MemFree');
    availableBytes = free + (f.get('Buffers') ?? 0) + (f.get('Cached') ?? 0);
  }
  availableBytes = Math.min(availableBytes, totalBytes);
  return ok({ totalBytes, availableBytes, usedBytes: totalBytes - availableBytes });
}

/** Read and parse `<procRoot>/meminfo`. */
export function readMeminfo(opts: ProcOptions = {}): Promise<Reading<MemoryUsage>> {
  return readAndParse('meminfo', parseMeminfo, opts);
}
