/**
 * Load averages from /proc/loadavg, e.g. "0.52 0.58 0.59 2/345 12345".
 */
import { fail, ok, readAndParse, type ProcOptions, type Reading } from './proc.js';

/** Exponentially damped averages of runnable (and uninterruptible) tasks. */
export interface LoadAvg {
  /** Over 1 min, tasks. */
  load1: number;
  /** Over 5 min, tasks. */
  load5: number;
  /** Over 15 min, tasks. */
  load15: number;
}

/** Parse the text of /proc/loadavg. */
export function parseLoadavg(text: string): Reading<LoadAvg> {
  const f = text.trim().split(/\s+/);
  const [load1, load5, load15] = f.slice(0, 3).map((s) => (/^\d+(\.\d+)?$/.test(s) ? Number(s) : NaN));
  if (![load1, load5, load15].every(Number.isFinite)) return fail(`expected three load averages, got "${text.trim().slice(0, 60)}"`);
  return ok({ load1, load5, load15 });
}

/** Read and parse `<procRoot>/loadavg`. */
export function readLoadavg(opts: ProcOptions = {}): Promise<Reading<LoadAvg>> {
  return readAndParse('loadavg', parseLoadavg, opts);
}
