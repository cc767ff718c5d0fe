/**
 * What this machine is: the `hello` payload sent once per connection.
 *
 * Everything is read under the proc root first (so fixture trees describe a
 * whole host); a value that cannot be read there comes from Node's os module
 * instead, and the reason is listed in `warnings`.
 */
import * as os from 'node:os';
import type { Hello } from '../../protocol/index.js';
import { helloSchema } from '../../protocol/index.js';
import { parseMeminfo } from './memory.js';
import { counter, fail, ok, readProcText, type ProcOptions, type Reading } from './proc.js';

/** Boot time from the "btime" line of /proc/stat (Unix seconds), as Unix ms. */
export function parseBootTime(statText: string): Reading<number> {
  const m = /^btime\s+(\S+)/m.exec(statText);
  const s = counter(m?.[1]);
  return Number.isNaN(s) ? fail('no valid "btime" line') : ok(s * 1000);
}

/** Logical CPUs online: the "cpuN" lines of /proc/stat. */
export function parseCpuCount(statText: string): Reading<number> {
  const n = statText.split('\n').filter((l) => /^cpu\d+\s/.test(l)).length;
  return n > 0 ? ok(n) : fail('no "cpuN" lines');
}

/** A single-line file such as sys/kernel/hostname, trimmed; empty is an error. */
export function parseOneLine(text: string): Reading<string> {
  const s = text.trim();
  return s && !s.includes('\n') ? ok(s) : fail('expected one non-empty line');
}

export interface HostFacts {
  hello: Hello;
  /** One message per fact that came from the fallback, e.g. "/proc/stat: missing; bootTime from os.uptime()". */
  warnings: string[];
}

/** Collect the `hello` payload. Never fails: every fact has a fallback. */
export async function readHostFacts(opts: ProcOptions = {}): Promise<HostFacts> {
  const warnings: string[] = [];
  const pick = <T>(r: Reading<T>, fallback: () => T, what: string): T => {
    if (r.ok) return r.value;
    warnings.push(`${r.error}; ${what}`);
    return fallback();
  };
  const parsed = async <T>(rel: string, parse: (s: string) => Reading<T>): Promise<Reading<T>> => {
    const t = await readProcText(rel, opts);
    if (!t.ok) return t;
    const r = parse(t.value);
    return r.ok ? r : fail(`${rel}: ${r.error}`);
  };
  const [hostname, kernel, cpus, boot, mem] = await Promise.all([
    parsed('sys/kernel/hostname', parseOneLine),
    parsed('sys/kernel/osrelease', parseOneLine),
    parsed('stat', parseCpuCount),
    parsed('stat', parseBootTime),
    parsed('meminfo', parseMeminfo),
  ]);
  const hello: Hello = {
    hostname: pick(hostname, () => os.hostname() || 'unknown', 'hostname from os.hostname()').slice(0, 255),
    os: process.platform.slice(0, 40),
    kernel: pick(kernel, () => os.release(), 'kernel from os.release()').slice(0, 120),
    cpus: pick(cpus, () => Math.max(1, os.availableParallelism()), 'cpus from os.availableParallelism()'),
    memTotalBytes: pick(mem, () => ({ totalBytes: os.totalmem(), availableBytes: 0, usedBytes: 0 }), 'memTotalBytes from os.totalmem()').totalBytes,
    bootTime: pick(boot, () => Math.round(Date.now() - os.uptime() * 1000), 'bootTime from os.uptime()'),
  };
  // The fallbacks are sane on any Node host; the parse is the contract check.
  return { hello: helloSchema.parse(hello), warnings };
}
