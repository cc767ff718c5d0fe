/**
 * Disk usage per user from the kernel's quota report: `repquota` of the
 * Debian package `quota` (quota-tools 4.x).
 *
 * Options that matter (quota-tools 4.06, Debian bookworm): -a all filesystems
 * with quotas, -u user quotas, -n print "#uid" instead of names (no NSS lookup
 * per user, no truncated or ambiguous names), -p ("--raw-grace", NOT projects:
 * that is -P) grace times as Unix seconds, so every data line has the same
 * number of fields, -O default|csv|xml. CSV does not name the device of each
 * section, so the default format is what we run; both are parsed. We run it
 * with LC_ALL=C because the headers are translated.
 *
 * Default format, per filesystem:
 *   *** Report for user quotas on device /dev/sda2
 *   Block grace time: 7days; Inode grace time: 7days
 *                           Block limits                File limits
 *   User            used    soft    hard  grace    used  soft  hard  grace
 *   ----------------------------------------------------------------------
 *   alice     +-  120000  100000  150000  6days    1200     0     0
 * Space is in 1 KiB blocks (with -s: a K/M/G/T suffix, 1024-based), limits 0
 * mean none; the two flag characters are '+' when over the space / inode soft
 * limit (or hard, without a soft one). Users without usage are left out
 * unless -v. Quota charges the blocks allocated to a user's files anywhere on
 * the filesystem, so it is an allocated size, not the apparent one.
 */
import { childProcess } from '../child-process.js';
import { fail, ok, type Reading } from '../collectors/proc.js';

/** One user on one filesystem. Limits of 0 mean "no limit". */
export interface RepquotaEntry {
  /** Device of the report section; "" in CSV output, which does not name it. */
  device: string;
  /** User name as printed; "#<uid>" with -n or for an id without a name. */
  name: string;
  /** The uid, when the name is "#<uid>". */
  uid?: number;
  /** Space used and its limits, bytes. */
  usedBytes: number;
  softLimitBytes: number;
  hardLimitBytes: number;
  /** Inodes used and their limits. */
  files: number;
  fileSoftLimit: number;
  fileHardLimit: number;
  /** Over the space / inode limit, as repquota flags it. */
  overSpace: boolean;
  overFiles: boolean;
  /** Grace left as printed: "" when not over the soft limit, "none", "6days", "13:45", or Unix seconds with -p ("0" = not running). */
  spaceGrace: string;
  fileGrace: string;
}

export interface RepquotaReport {
  entries: RepquotaEntry[];
  /** Report sections (filesystems) seen; 0 means quotas are not enabled anywhere. */
  sections: number;
  /** Lines that looked like data but did not parse. */
  errors: string[];
}

const SPACE = /^(\d+)([KMGTPE]?)$/;
const COUNT = /^(\d+)([kmgtpe]?)$/;

/** Space field in bytes: plain numbers are 1 KiB blocks; a suffix is a 1024-based unit. NaN if neither. */
export function parseSpace(s: string): number {
  const m = SPACE.exec(s);
  if (!m) return NaN;
  return Number(m[1]) * 1024 ** (m[2] ? ' KMGTPE'.indexOf(m[2]) : 1);
}

/** Inode count; with -s a k/m/g/t suffix (1000-based). NaN otherwise. */
export function parseCount(s: string): number {
  const m = COUNT.exec(s);
  return m ? Number(m[1]) * 1000 ** (m[2] ? ' kmgtpe'.indexOf(m[2]) : 0) : NaN;
}

const isGrace = (s: string): boolean => s !== '' && !SPACE.test(s) && !COUNT.test(s);

function entry(device: string, name: string, nums: { space: string[]; files: string[] }, over: [boolean, boolean], grace: [string, string]): RepquotaEntry | null {
  const [usedBytes, softLimitBytes, hardLimitBytes] = nums.space.map(parseSpace);
  const [files, fileSoftLimit, fileHardLimit] = nums.files.map(parseCount);
  const all = [usedBytes, softLimitBytes, hardLimitBytes, files, fileSoftLimit, fileHardLimit];
  if (all.some(Number.isNaN)) return null;
  const id = /^#(\d+)$/.exec(name);
  return {
    device, name, ...(id ? { uid: Number(id[1]) } : {}),
    usedBytes, softLimitBytes, hardLimitBytes, files, fileSoftLimit, fileHardLimit,
    overSpace: over[0], overFiles: over[1], spaceGrace: grace[0], fileGrace: grace[1],
  };
}

/** Parse a data line of the default format; null if it is not one. */
function parseDefaultLine(device: string, tokens: string[]): RepquotaEntry | null {
  const [name, flags, ...r] = tokens;
  // Grace columns are blank unless over a soft limit (without -p), so 6 to 8 fields follow the flags.
  let i = 3;
  const spaceGrace = isGrace(r[i] ?? '') || r.length === 8 ? r[i++] : '';
  const space = r.slice(0, 3);
  const files = r.slice(i, i + 3);
  const fileGrace = r[i + 3] ?? '';
  if (r.length !== i + 3 + (fileGrace ? 1 : 0)) return null;
  return entry(device, name, { space, files }, [flags[0] === '+', flags[1] === '+'], [spaceGrace, fileGrace]);
}

/** Parse repquota output, default or CSV format, one or many filesystems. Never throws. */
export function parseRepquota(text: string): RepquotaReport {
  const entries: RepquotaEntry[] = [];
  const errors: string[] = [];
  let sections = 0;
  let device = '';
  let csv = false;
  /** Inside a user-quota section (group and project sections, with -g / -P, are skipped). */
  let users = false;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    const report = /^\*\*\* Report for (\w+) quotas on device (.+)$/.exec(line);
    const csvHeader = /^(\w+),(Block|Space)Status,FileStatus,/.exec(line);
    if (report || csvHeader) {
      users = (report?.[1] ?? csvHeader?.[1]) === (report ? 'user' : 'User');
      if (users) sections++;
      device = report ? report[2].trim() : '';
      csv = !report;
      continue;
    }
    if (!line || !users) continue;
    if (csv) {
      const f = line.split(',');
      const status = /^(ok|soft|hard)$/;
      const e = f.length === 11 && status.test(f[1]) && status.test(f[2])
        ? entry(device, f[0], { space: f.slice(3, 6), files: f.slice(7, 10) }, [f[1] !== 'ok', f[2] !== 'ok'], [f[6], f[10]])
        : null;
      if (e) entries.push(e);
      else errors.push(`bad CSV line "${line.slice(0, 100)}"`);
      continue;
    }
    const tokens = line.split(/\s+/);
    if (tokens.length < 8 || !/^[-+]{2}$/.test(tokens[1])) continue; // headers, rulers, statistics
    const e = parseDefaultLine(device, tokens);
    if (e) entries.push(e);
    else errors.push(`bad line "${line.slice(0, 100)}"`);
  }
  return { entries, sections, errors };
}

/** An account's total over the filesystems of a report. */
export interface QuotaUsage {
  /** Bytes used (allocated). */
  usedBytes: number;
  /** Inodes used. */
  files: number;
  /** Sum of the limits, bytes; absent unless every filesystem that lists the account limits it. */
  softLimitBytes?: number;
  hardLimitBytes?: number;
}

/**
 * Sum the entries per printed name ("#1001" or "alice") over filesystems,
 * optionally only those on `devices`. A limit is summed only when every
 * filesystem listing the user has one: one unlimited filesystem makes the
 * total unlimited.
 */
export function quotaByName(entries: readonly RepquotaEntry[], devices?: readonly string[]): Map<string, QuotaUsage> {
  const out = new Map<string, QuotaUsage & { soft: number | null; hard: number | null }>();
  for (const e of entries) {
    if (devices && !devices.includes(e.device)) continue;
    const q = out.get(e.name) ?? { usedBytes: 0, files: 0, soft: 0, hard: 0 };
    q.usedBytes += e.usedBytes;
    q.files += e.files;
    q.soft = q.soft === null || e.softLimitBytes === 0 ? null : q.soft + e.softLimitBytes;
    q.hard = q.hard === null || e.hardLimitBytes === 0 ? null : q.hard + e.hardLimitBytes;
    out.set(e.name, q);
  }
  return new Map([...out].map(([name, { soft, hard, ...q }]) => [name, {
    ...q, ...(soft ? { softLimitBytes: soft } : {}), ...(hard ? { hardLimitBytes: hard } : {}),
  }]));
}

export interface RunRepquotaOptions {
  /** Executable, default "repquota" (looked up in PATH; never through a shell). */
  path?: string;
  /** Default ["-a", "-u", "-n", "-p"]. */
  args?: readonly string[];
  /** Kill it after this long, ms. Default 10000. */
  timeoutMs?: number;
}

export const DEFAULT_REPQUOTA_ARGS = ['-a', '-u', '-n', '-p'] as const;

/**
 * Run repquota and return its output. A non-zero exit with a report on
 * stdout still counts (one broken filesystem should not hide the others).
 */
export function runRepquota(opts: RunRepquotaOptions = {}): Promise<Reading<string>> {
  const path = opts.path ?? 'repquota';
  const timeout = Math.max(1, Math.round(opts.timeoutMs ?? 10_000));
  return childProcess().then(({ execFile }) => new Promise((resolve) => {
    execFile(path, [...(opts.args ?? DEFAULT_REPQUOTA_ARGS)], {
      timeout, killSignal: 'SIGKILL', maxBuffer: 64 * 1024 * 1024, encoding: 'utf8',
      env: { ...process.env, LC_ALL: 'C' },
    }, (err, stdout, stderr) => {
      if (!err) return resolve(ok(stdout));
      const e = err as NodeJS.ErrnoException & { killed?: boolean; code?: string | number };
      if (e.code === 'ENOENT') return resolve(fail(`${path}: not found`));
      if (e.killed) return resolve(fail(`${path}: timed out after ${timeout} ms`));
      if (parseRepquota(stdout).sections > 0) return resolve(ok(stdout));
      resolve(fail(`${path}: ${String(stderr).trim().split('\n')[0] || e.message}`));
    });
  }));
}
