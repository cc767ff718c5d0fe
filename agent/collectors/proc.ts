/**
 * Shared plumbing of the collectors: reading a file under a proc root, the
 * result type every collector returns instead of throwing, and counter
 * arithmetic for rates.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

/** Where /proc is mounted. Tests point it at a fixture tree. */
export interface ProcOptions {
  /** Root of the proc filesystem, default "/proc". */
  procRoot?: string;
}

export const DEFAULT_PROC_ROOT = '/proc';

/**
 * What a collector returns. Collectors never throw: a missing file or garbage
 * content becomes `{ ok: false, error }` with a message naming the file, so one
 * broken source costs one field of a sample, never the agent.
 */
export type Reading<T> = { ok: true; value: T } | { ok: false; error: string };

export const ok = <T>(value: T): Reading<T> => ({ ok: true, value });
export const fail = <T = never>(error: string): Reading<T> => ({ ok: false, error });

/** Read `<procRoot>/<rel>` as text, or a Reading error naming the path and the cause. */
export async function readProcText(rel: string, opts: ProcOptions = {}): Promise<Reading<string>> {
  const path = join(opts.procRoot ?? DEFAULT_PROC_ROOT, rel);
  try {
    return ok(await readFile(path, 'utf8'));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return fail(`${path}: ${code === 'ENOENT' ? 'missing' : code ?? (e as Error).message}`);
  }
}

/** Read a file and hand its text to a pure parser; errors are prefixed with the path. */
export async function readAndParse<T>(rel: string, parse: (text: string) => Reading<T>, opts: ProcOptions = {}): Promise<Reading<T>> {
  const text = await readProcText(rel, opts);
  if (!text.ok) return text;
  const r = parse(text.value);
  return r.ok ? r : fail(`${join(opts.procRoot ?? DEFAULT_PROC_ROOT, rel)}: ${r.error}`);
}

/** Parse a decimal counter field; NaN for anything that is not a plain non-negative integer. */
export function counter(field: string | undefined): number {
  return field !== undefined && /^\d+$/.test(field) ? Number(field) : NaN;
}

/**
 * Increase of a monotonic kernel counter. A counter that went down was reset
 * (interface re-created, driver reloaded) or wrapped (32-bit fields): the true
 * increase is unknown, so it counts as 0 rather than as a huge or negative spike.
 */
export function counterDelta(prev: number, cur: number): number {
  return cur >= prev ? cur - prev : 0;
}

/** `delta` units spread over `elapsedMs` milliseconds, per second; 0 when no time passed. */
export function perSecond(delta: number, elapsedMs: number): number {
  return elapsedMs > 0 ? (delta * 1000) / elapsedMs : 0;
}
