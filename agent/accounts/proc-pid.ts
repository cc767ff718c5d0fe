/**
 * Pure parsers for the per-process files of /proc: `[pid]/stat` (one line,
 * the cheap file read for every process on every scan), `[pid]/status` (only
 * read for the real uid of a process not seen before) and `uptime`.
 */
import { fail, ok, type Reading } from '../collectors/proc.js';

/** The fields of /proc/[pid]/stat the accounts collector uses (proc(5) numbering in brackets). */
export interface ProcStat {
  /** [1] */
  pid: number;
  /** [2] Command name without the parentheses; may itself contain spaces and parentheses. */
  comm: string;
  /** [3] R, S, D, Z, T, … */
  state: string;
  /** [4] Parent pid. */
  ppid: number;
  /** [14] [15] CPU time in user / kernel mode of all threads, clock ticks (USER_HZ). */
  utime: number;
  stime: number;
  /** [16] [17] CPU time of children this process has waited for, clock ticks. */
  cutime: number;
  cstime: number;
  /** [22] When the process started, clock ticks after boot: with the pid, identifies one process (pid reuse changes it). */
  starttime: number;
  /** [24] Resident set size, pages. */
  rssPages: number;
}

/**
 * Parse /proc/[pid]/stat. The command name is everything between the first
 * "(" and the LAST ")", since a process may name itself "a) b (c" — splitting
 * the whole line on spaces would shift every field after it.
 */
export function parseProcStat(text: string): Reading<ProcStat> {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 1 || close < open) return fail('no "(comm)" in stat line');
  const pid = Number(text.slice(0, open).trim());
  // f[0] is field 3 (state), so field n is f[n - 3].
  const f = text.slice(close + 1).trim().split(' ');
  if (!Number.isInteger(pid) || pid <= 0 || f.length < 22) return fail(`malformed stat line "${text.slice(0, 80).trim()}"`);
  const num = (n: number): number => {
    const s = f[n - 3];
    // cutime/cstime are signed in the kernel's format; a negative value is nonsense and counts as 0.
    return /^-?\d+$/.test(s) ? Math.max(0, Number(s)) : NaN;
  };
  const v = {
    pid, comm: text.slice(open + 1, close), state: f[0], ppid: num(4),
    utime: num(14), stime: num(15), cutime: num(16), cstime: num(17), starttime: num(22), rssPages: num(24),
  };
  // NaN poisons the sum: one cheap check on the hot path, the field name only when something is wrong.
  if (Number.isNaN(v.ppid + v.utime + v.stime + v.cutime + v.cstime + v.starttime + v.rssPages)) {
    const bad = Object.entries(v).find(([, x]) => typeof x === 'number' && Number.isNaN(x))![0];
    return fail(`malformed stat field ${bad} in "${text.slice(0, 80).trim()}"`);
  }
  return ok(v);
}

/** What /proc/[pid]/status adds: the real uid, and VmRSS. */
export interface ProcStatus {
  /** Real uid (first of the four on the "Uid:" line: real, effective, saved, filesystem). */
  uid: number;
  /** VmRSS in bytes (the kB of the file are KiB); 0 for kernel threads, which have none. */
  rssBytes: number;
}

/** Parse /proc/[pid]/status for the real uid and the resident memory. */
export function parseProcStatus(text: string): Reading<ProcStatus> {
  const uid = /^Uid:\s+(\d+)\s/m.exec(text);
  if (!uid) return fail('no valid "Uid:" line');
  const rss = /^VmRSS:\s+(\d+)\s+kB/m.exec(text);
  return ok({ uid: Number(uid[1]), rssBytes: rss ? Number(rss[1]) * 1024 : 0 });
}

/** Parse /proc/uptime: seconds since boot (first field). */
export function parseUptime(text: string): Reading<number> {
  const m = /^(\d+(?:\.\d+)?)\s/.exec(text);
  return m ? ok(Number(m[1])) : fail('malformed uptime');
}
