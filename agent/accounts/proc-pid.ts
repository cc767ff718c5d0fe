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
  // Read every scan for every process: the fields are picked out by position
  // (field n starts after the (n-2)th space following the ')'), without
  // splitting the line into strings. f(n) is field n, -1 if malformed.
  const starts = FIELD_STARTS;
  let n = 3;
  let i = close + 2;
  starts[3] = i;
  while (n < 24) {
    const sp = text.indexOf(' ', i);
    if (sp < 0) break;
    i = sp + 1;
    starts[++n] = i;
  }
  if (!Number.isInteger(pid) || pid <= 0 || n < 24 || text.charCodeAt(close + 1) !== 32) {
    return fail(`malformed stat line "${text.slice(0, 80).trim()}"`);
  }
  const v = {
    pid, comm: text.slice(open + 1, close), state: text.slice(starts[3], starts[4] - 1), ppid: intAt(text, starts[4]),
    utime: intAt(text, starts[14]), stime: intAt(text, starts[15]), cutime: intAt(text, starts[16]), cstime: intAt(text, starts[17]),
    starttime: intAt(text, starts[22]), rssPages: intAt(text, starts[24]),
  };
  // NaN poisons the sum: one cheap check on the hot path, the field name only when something is wrong.
  if (Number.isNaN(v.ppid + v.utime + v.stime + v.cutime + v.cstime + v.starttime + v.rssPages)) {
    const bad = Object.entries(v).find(([, x]) => typeof x === 'number' && Number.isNaN(x))![0];
    return fail(`malformed stat field ${bad} in "${text.slice(0, 80).trim()}"`);
  }
  return ok(v);
}

/** Where each field of the line being parsed starts (index = field number); reused, parsing is synchronous. */
const FIELD_STARTS = new Int32Array(25);

/**
 * The decimal integer at `i` up to the next space, newline or the end; NaN if
 * it is anything else. cutime/cstime are signed in the kernel's format: a
 * negative value is nonsense and counts as 0.
 */
function intAt(text: string, i: number): number {
  let neg = false;
  if (text.charCodeAt(i) === 45) { neg = true; i++; }
  let v = 0;
  let digits = 0;
  for (; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 32 || c === 10) break;
    if (c < 48 || c > 57) return NaN;
    v = v * 10 + (c - 48);
    digits++;
  }
  if (digits === 0) return NaN;
  return neg ? 0 : v;
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
