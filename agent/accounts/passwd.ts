/**
 * Which unix users are accounts: lines of /etc/passwd, and the selection rule
 * (uid ≥ minUid, never nobody, plus an explicit include list, minus an
 * exclude list).
 */
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { fail, ok, type Reading } from '../collectors/proc.js';

/** One line of /etc/passwd. */
export interface PasswdEntry {
  name: string;
  uid: number;
  gid: number;
  /** Home directory as written, may be empty. */
  home: string;
}

/** An account the collector reports on. */
export interface Account {
  /** Unix user name. */
  name: string;
  /** Real uid; absent for an included name that /etc/passwd does not know (no processes can be attributed). */
  uid?: number;
  /** Home directory from /etc/passwd ("" when unknown). */
  home: string;
}

export interface AccountSelection {
  /** Lowest uid discovered as an account. Default 1000 (Debian's FIRST_UID). */
  minUid?: number;
  /** Names that are accounts whatever their uid. */
  include?: readonly string[];
  /** Names that are never accounts; wins over include. */
  exclude?: readonly string[];
}

export const DEFAULT_MIN_UID = 1000;
/** The overflow uid of `nobody` (and the old 16-bit nfsnobody); never an account unless included by name. */
const NOBODY_UIDS = new Set([65534, 4294967294]);

const uint = (s: string): number => (/^\d+$/.test(s) ? Number(s) : NaN);

/** Parse one passwd line (name:password:uid:gid:gecos:home:shell). */
export function parsePasswdLine(line: string): Reading<PasswdEntry> {
  const f = line.split(':');
  if (f.length !== 7) return fail(`expected 7 fields, got ${f.length}`);
  const [name, , uidS, gidS, , home] = f;
  if (!name) return fail('empty user name');
  const uid = uint(uidS);
  const gid = uint(gidS);
  if (Number.isNaN(uid) || Number.isNaN(gid) || uid > 0xffffffff) return fail(`bad uid/gid "${uidS}:${gidS}"`);
  return ok({ name, uid, gid, home });
}

/**
 * Parse a whole passwd file. Comments, blank lines and NIS compat lines
 * ("+"/"-") are skipped; malformed lines are listed in `errors` with their
 * line number, the rest are kept.
 */
export function parsePasswd(text: string): { entries: PasswdEntry[]; errors: string[] } {
  const entries: PasswdEntry[] = [];
  const errors: string[] = [];
  text.split('\n').forEach((raw, i) => {
    const line = raw.replace(/\r$/, '');
    if (!line.trim() || line.startsWith('#') || line.startsWith('+') || line.startsWith('-')) return;
    const r = parsePasswdLine(line);
    if (r.ok) entries.push(r.value);
    else errors.push(`line ${i + 1}: ${r.error}`);
  });
  return { entries, errors };
}

/**
 * Apply the selection rule. The first entry of a name wins (as getpwnam
 * does). Included names missing from passwd are still accounts, without uid,
 * and are listed in `unknown`.
 */
export function selectAccounts(entries: readonly PasswdEntry[], sel: AccountSelection = {}): { accounts: Account[]; unknown: string[] } {
  const minUid = sel.minUid ?? DEFAULT_MIN_UID;
  const include = new Set(sel.include ?? []);
  const exclude = new Set(sel.exclude ?? []);
  const byName = new Map<string, Account>();
  const seen = new Set<string>();
  for (const e of entries) {
    if (seen.has(e.name)) continue;
    seen.add(e.name);
    if (exclude.has(e.name)) continue;
    const discovered = e.uid >= minUid && !NOBODY_UIDS.has(e.uid) && e.name !== 'nobody';
    if (discovered || include.has(e.name)) byName.set(e.name, { name: e.name, uid: e.uid, home: e.home });
  }
  const unknown: string[] = [];
  for (const name of include) {
    if (byName.has(name) || exclude.has(name)) continue;
    unknown.push(name);
    byName.set(name, { name, home: '' });
  }
  return { accounts: [...byName.values()], unknown };
}

/**
 * Where an account's files live: the passwd home when it is an absolute path
 * other than "/" (walking "/" would walk the machine), else /home/<name>.
 */
export function defaultHome(acc: Pick<Account, 'name' | 'home'>): string {
  return acc.home.startsWith('/') && acc.home.replace(/\/+$/, '') !== '' ? acc.home : `/home/${acc.name}`;
}

/**
 * What tells one version of `<etcRoot>/passwd` from another: its mtime, size
 * and inode (useradd and vipw write a new file and rename it over the old
 * one), or null when it cannot be stat'ed. One stat(2) instead of reading and
 * parsing the file, for the parts that look at it every few seconds.
 */
export async function passwdVersion(etcRoot = '/etc'): Promise<string | null> {
  try {
    const s = await stat(join(etcRoot, 'passwd'), { bigint: true });
    return `${s.mtimeNs}:${s.size}:${s.ino}`;
  } catch {
    return null;
  }
}

/** Read and parse `<etcRoot>/passwd`. */
export async function readPasswd(etcRoot = '/etc'): Promise<Reading<{ entries: PasswdEntry[]; errors: string[] }>> {
  const path = join(etcRoot, 'passwd');
  try {
    return ok(parsePasswd(await readFile(path, 'utf8')));
  } catch (e) {
    return fail(`${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}
