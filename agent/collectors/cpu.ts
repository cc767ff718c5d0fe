/**
 * CPU busy share from the aggregate "cpu" line of /proc/stat.
 *
 * The line holds cumulative times since boot in USER_HZ ticks (1/100 s on
 * every mainstream kernel) for: user nice system idle iowait irq softirq steal
 * guest guest_nice. Busy is everything but idle and iowait (waiting on disk
 * is idle CPU). Steal counts as busy: the CPU was not available to this
 * machine. guest and guest_nice are already included in user and nice, so
 * they are left out of the sums to avoid counting them twice.
 */
import { counter, counterDelta, fail, ok, readAndParse, type ProcOptions, type Reading } from './proc.js';

/** Cumulative CPU time of all CPUs since boot. */
export interface CpuTimes {
  /** Busy time, ticks (USER_HZ). */
  busy: number;
  /** Busy + idle + iowait, ticks (USER_HZ). */
  total: number;
}

/** Parse the aggregate "cpu" line of /proc/stat. */
export function parseCpuTimes(statText: string): Reading<CpuTimes> {
  // Only the first line is wanted, of a file whose "intr" line alone is kilobytes: no split of the whole text.
  const start = statText.startsWith('cpu ') ? 0 : statText.indexOf('\ncpu ') + 1;
  if (start === 0 && !statText.startsWith('cpu ')) return fail('no aggregate "cpu" line');
  const nl = statText.indexOf('\n', start);
  const line = statText.slice(start, nl < 0 ? statText.length : nl);
  const f = line.trim().split(/\s+/).slice(1).map(counter);
  // Kernels before 2.6.11 have fewer than 8 fields; absent ones count as 0, but
  // user, nice, system and idle are required.
  if (f.length < 4 || f.slice(0, 4).some(Number.isNaN)) return fail(`malformed "cpu" line "${line.slice(0, 80)}"`);
  const [user, nice, system, idle, iowait = 0, irq = 0, softirq = 0, steal = 0] = f.map((n) => (Number.isNaN(n) ? 0 : n));
  const busy = user + nice + system + irq + softirq + steal;
  return ok({ busy, total: busy + idle + iowait });
}

/** Busy percent of all CPUs (0–100) between two readings; 0 when no time passed or counters went back. */
export function cpuBusyPct(prev: CpuTimes, cur: CpuTimes): number {
  const total = counterDelta(prev.total, cur.total);
  if (total === 0) return 0;
  const busy = Math.min(counterDelta(prev.busy, cur.busy), total);
  return (busy / total) * 100;
}

/** Read and parse `<procRoot>/stat`. */
export function readCpuTimes(opts: ProcOptions = {}): Promise<Reading<CpuTimes>> {
  return readAndParse('stat', parseCpuTimes, opts);
}
