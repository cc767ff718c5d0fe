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

/**
 * One field of /proc/meminfo in bytes (the kB unit applied), found without
 * parsing the other ~50 lines (read every second); undefined when the line is
 * missing or is not "Name: digits [kB]", as parseMeminfoFields would leave it out.
 */
export function meminfoField(text: string, name: string): number | undefined {
  const key = `${name}:`;
  let at = text.startsWith(key) ? 0 : text.indexOf(`\n${key}`) + 1;
  if (at === 0 && !text.startsWith(key)) return undefined;
  at += key.length;
  const end = text.indexOf('\n', at) < 0 ? text.length : text.indexOf('\n', at);
  let i = at;
  while (i < end && (text.charCodeAt(i) === 32 || text.charCodeAt(i) === 9)) i++;
  if (i === at) return undefined;
  let v = 0;
  const d0 = i;
  for (let c = text.charCodeAt(i); i < end && c >= 48 && c <= 57; c = text.charCodeAt(++i)) v = v * 10 + (c - 48);
  if (i === d0) return undefined;
  const rest = text.slice(i, end).trim();
  if (rest === 'kB' && i < end && (text.charCodeAt(i) === 32 || text.charCodeAt(i) === 9)) return v * 1024;
  return rest === '' ? v : undefined;
}

/** Parse the text of /proc/meminfo into total, available and used bytes. */
export function parseMeminfo(text: string): Reading<MemoryUsage> {
  const totalBytes = meminfoField(text, 'MemTotal');
  if (totalBytes === undefined) return fail('no MemTotal');
  let availableBytes = meminfoField(text, 'MemAvailable');
  if (availableBytes === undefined) {
    const free = meminfoField(text, 'MemFree');
    if (free === undefined) return fail('neither MemAvailable nor MemFree');
    availableBytes = free + (meminfoField(text, 'Buffers') ?? 0) + (meminfoField(text, 'Cached') ?? 0);
  }
  availableBytes = Math.min(availableBytes, totalBytes);
  return ok({ totalBytes, availableBytes, usedBytes: totalBytes - availableBytes });
}

/** Read and parse `<procRoot>/meminfo`. */
export function readMeminfo(opts: ProcOptions = {}): Promise<Reading<MemoryUsage>> {
  return readAndParse('meminfo', parseMeminfo, opts);
}
