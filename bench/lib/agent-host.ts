/**
 * The host the agent benchmark needs: unix users `rpbench_NNN` (uids ≥ 20000)
 * with homes full of small files, and idle `sleep` processes running as them.
 * Needs root.
 *
 * Undoing comes first: every user gets a cleanup step (`userdel -r -f`)
 * registered before its `useradd` runs, and the sleepers one before the first
 * is spawned, so an error or ctrl-c at any point removes what was made (the
 * runner runs cleanup steps newest first: sleepers are killed, then homes
 * removed, then users deleted). If the process exits without running them
 * (an uncaught error), an `exit` hook does the same synchronously. Only a
 * SIGKILL of the runner leaves users behind; the next run removes every
 * `rpbench_` user it finds before it starts (`removeStaleUsers`).
 *
 * Users are created one at a time (useradd and userdel lock /etc/passwd and
 * fsync it: ~0.13 s each here, concurrent calls only queue), while the homes
 * of the users already made are filled in parallel: fs.promises writes in
 * batches, then one `chown -R` per home. No shell anywhere; no process per file.
 */
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { onCleanup } from './cleanup.js';

export const USER_PREFIX = 'rpbench_';
/** Lowest uid handed to a bench user; the first free run of uids (and gids) from here is used. */
export const FIRST_UID = 20000;
/** Subdirectories of each home the files are spread over (the files go round-robin). */
const SUBDIRS = ['www', 'www/img', 'mail/cur', 'data'];
/** Files written at once per home, and homes filled at once. */
const WRITE_BATCH = 128;
const HOMES_IN_PARALLEL = 4;

export interface BenchUser { name: string; uid: number; gid: number; home: string }

/** Run a command (no shell), resolve with its stdout; reject with its stderr on a non-zero exit. */
function run(cmd: string, args: string[], timeoutMs = 60_000): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${cmd} ${args.join(' ')}: ${String(stderr).trim() || err.message}`));
      else resolve(String(stdout));
    });
  });
}

/** `getent passwd` (or `group`) as rows of fields. */
async function getent(db: 'passwd' | 'group'): Promise<string[][]> {
  return (await run('getent', [db])).split('\n').filter(Boolean).map((l) => l.split(':'));
}

// ---------------------------------------------------------------------------
// Last-resort synchronous undo at process exit.

/** Users whose useradd was started and who were not deleted yet. */
const liveUsers = new Set<string>();
/** Sleeper pids not known to have exited. */
const livePids = new Set<number>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const pid of livePids) { try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ } }
    for (const name of liveUsers) {
      try { execFileSync('userdel', ['-r', '-f', name], { stdio: 'ignore', timeout: 10_000 }); } catch { /* reported by getent afterwards */ }
    }
  });
}

// ---------------------------------------------------------------------------
// Users.

/** Real uid of every process, from /proc/<pid>/status. */
function processUids(): Map<number, number> {
  const out = new Map<number, number>();
  for (const n of readdirSync('/proc')) {
    if (!/^\d+$/.test(n)) continue;
    try {
      const m = /^Uid:\s+(\d+)/m.exec(readFileSync(`/proc/${n}/status`, 'utf8'));
      if (m) out.set(Number(n), Number(m[1]));
    } catch { /* exited */ }
  }
  return out;
}

/** `userdel -r -f` (ENOENT-safe: a user that does not exist is not an error). */
async function userdel(name: string): Promise<void> {
  try {
    await run('userdel', ['-r', '-f', name]);
  } catch (e) {
    // 6: the user does not exist. 12: the home could not be removed (already gone) — the user is deleted.
    const exists = await run('getent', ['passwd', name]).then(() => true, () => false);
    if (exists) throw e;
  }
}

/**
 * Delete every `rpbench_` user left by a run that could not clean up (SIGKILL):
 * kill the processes running as them (by pid), then `userdel -r -f`. Returns how many.
 */
export async function removeStaleUsers(log: (m: string) => void): Promise<number> {
  const stale = (await getent('passwd')).filter((f) => f[0].startsWith(USER_PREFIX));
  if (stale.length === 0) return 0;
  log(`agent: removing ${stale.length} ${USER_PREFIX} user(s) left by an earlier run`);
  const uids = new Set(stale.map((f) => Number(f[2])));
  for (const [pid, uid] of processUids()) {
    if (uids.has(uid)) { try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ } }
  }
  await removeHomes(stale.map((f) => f[5]).filter((h) => h.startsWith(`/home/${USER_PREFIX}`)));
  for (const f of stale) await userdel(f[0]);
  return stale.length;
}

/** `rm -rf` the given homes, 8 at a time (much faster than userdel -r one by one). */
async function removeHomes(homes: string[]): Promise<void> {
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < homes.length; i = next++) {
      if (existsSync(homes[i])) await run('rm', ['-rf', '--one-file-system', '--', homes[i]]).catch(() => undefined);
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
}

/** The lowest uid ≥ FIRST_UID from which `n` uids and the same `n` gids are all free. */
async function freeIdRange(n: number): Promise<number> {
  const used = new Set<number>();
  for (const f of await getent('passwd')) used.add(Number(f[2]));
  for (const f of await getent('group')) used.add(Number(f[2]));
  for (let base = FIRST_UID; base + n < 60_000; base++) {
    let clash = -1;
    for (let id = base; id < base + n; id++) if (used.has(id)) { clash = id; break; }
    if (clash < 0) return base;
    base = clash;
  }
  throw new Error(`no run of ${n} free uids and gids between ${FIRST_UID} and 60000`);
}

export interface BenchUsers {
  users: BenchUser[];
  /** Files written, over all homes (not counting /etc/skel's). */
  files: number;
  /** Delete the users and their homes now (also done by the cleanup steps if this is never called). */
  remove(): Promise<void>;
}

/**
 * Create `count` users `rpbench_000…` with `useradd -m -u UID -s /usr/sbin/nologin`
 * and write `filesPerUser` small files (32 B – 1 KiB) in each home, spread over
 * SUBDIRS and owned by the user.
 */
export async function createBenchUsers(count: number, filesPerUser: number, log: (m: string) => void): Promise<BenchUsers> {
  if (process.getuid?.() !== 0) throw new Error('creating the bench users needs root');
  installExitHook();
  const base = await freeIdRange(count);
  const width = Math.max(3, String(count - 1).length);
  const names = Array.from({ length: count }, (_, i) => `${USER_PREFIX}${String(i).padStart(width, '0')}`);
  const homes = names.map((n) => `/home/${n}`);

  // Undo steps first, so that a failure or ctrl-c halfway removes what exists.
  const undoUser = names.map((name) => onCleanup(`userdel ${name}`, async () => {
    if (!liveUsers.has(name)) return;
    await userdel(name);
    liveUsers.delete(name);
  }));
  // Filling homes, and the useradd in flight; a cleanup that runs meanwhile (ctrl-c) stops the loop and waits for them.
  const filling = new Set<Promise<void>>();
  let adding: Promise<unknown> = Promise.resolve();
  let aborted = false;
  const undoHomes = onCleanup('remove bench homes', async () => {
    aborted = true;
    await adding.catch(() => undefined);
    await Promise.allSettled([...filling]);
    if (liveUsers.size) process.stderr.write(`removing ${liveUsers.size} ${USER_PREFIX} users and their homes\n`);
    await removeHomes(homes);
  });
  const remove = async () => {
    await undoHomes();
    for (const undo of undoUser) await undo();
  };

  const content = Buffer.alloc(1024, 'rackpulse bench file\n');
  let files = 0;
  const fill = async (name: string, home: string): Promise<void> => {
    for (const d of SUBDIRS) await mkdir(join(home, d), { recursive: true });
    for (let i = 0; i < filesPerUser && !aborted; i += WRITE_BATCH) {
      const batch: Promise<void>[] = [];
      for (let j = i; j < Math.min(filesPerUser, i + WRITE_BATCH); j++) {
        const size = 32 + ((j * 97) % 992);
        batch.push(writeFile(join(home, SUBDIRS[j % SUBDIRS.length], `f${j}.txt`), content.subarray(0, size)));
      }
      await Promise.all(batch);
      files += batch.length;
    }
    if (!aborted) await run('chown', ['-R', '--', `${name}:`, home]);
  };

  try {
    const t0 = performance.now();
    // Fill homes while the next users are created; at most HOMES_IN_PARALLEL at once.
    const errors: unknown[] = [];
    for (let i = 0; i < count; i++) {
      if (aborted) throw new Error('stopped while creating the bench users');
      const name = names[i];
      liveUsers.add(name);
      // A home left by a user that no longer exists would make useradd skip /etc/skel.
      if (existsSync(homes[i])) await run('rm', ['-rf', '--one-file-system', '--', homes[i]]);
      adding = run('useradd', ['-m', '-u', String(base + i), '-s', '/usr/sbin/nologin', name]);
      await adding;
      while (filling.size >= HOMES_IN_PARALLEL) await Promise.race(filling);
      const p: Promise<void> = fill(name, homes[i]).catch((e) => { errors.push(e); }).finally(() => filling.delete(p));
      filling.add(p);
      if (errors.length) throw errors[0];
    }
    await Promise.all(filling);
    if (errors.length) throw errors[0];
    if (aborted) throw new Error('stopped while creating the bench users');
    const tUsers = performance.now();
    // Write the dirty pages out now, so writeback does not run during the measurements.
    await run('sync', [], 300_000);
    log(`agent: ${count} users (uid ${base}–${base + count - 1}) with ${files.toLocaleString('en-US')} files in ` +
      `${((tUsers - t0) / 1000).toFixed(1)} s, sync ${((performance.now() - tUsers) / 1000).toFixed(1)} s`);

    const byName = new Map((await getent('passwd')).map((f) => [f[0], f]));
    const users = names.map((name): BenchUser => {
      const f = byName.get(name);
      if (!f) throw new Error(`useradd ${name} succeeded but getent does not know the user`);
      return { name, uid: Number(f[2]), gid: Number(f[3]), home: f[5] };
    });
    return { users, files, remove };
  } catch (e) {
    aborted = true;
    await Promise.allSettled([...filling]);
    await remove();
    throw e;
  }
}

// ---------------------------------------------------------------------------
// Idle processes.

/** `n` `sleep 3600` processes running as the users (round-robin), killed by `stop()` or at cleanup. */
export class Sleepers {
  private readonly procs: ChildProcess[] = [];
  private constructor(private readonly undo: () => Promise<void>) {}

  static async start(users: BenchUser[], n: number): Promise<Sleepers> {
    installExitHook();
    const procs: ChildProcess[] = [];
    let stopped = false;
    const kill = async () => {
      stopped = true;
      const exits = procs.filter((p) => p.exitCode === null && p.signalCode === null)
        .map((p) => new Promise<void>((r) => { p.once('exit', () => r()); }));
      for (const p of procs) if (p.pid !== undefined) { try { process.kill(p.pid, 'SIGKILL'); } catch { /* gone */ } }
      await Promise.race([Promise.all(exits), new Promise((r) => setTimeout(r, 5000).unref())]);
      for (const p of procs) if (p.pid !== undefined) livePids.delete(p.pid);
    };
    const s = new Sleepers(onCleanup(`kill ${n} sleep processes`, kill));
    const started: Promise<void>[] = [];
    for (let i = 0; i < n && !stopped; i++) {
      const u = users[i % users.length];
      const p = spawn('/bin/sleep', ['3600'], { uid: u.uid, gid: u.gid, cwd: '/', stdio: 'ignore', env: {} });
      procs.push(p);
      s.procs.push(p);
      if (p.pid !== undefined) livePids.add(p.pid);
      started.push(new Promise((resolve, reject) => {
        p.once('spawn', () => resolve());
        p.once('error', (e) => reject(new Error(`spawn sleep as ${u.name}: ${e.message}`)));
      }));
      // Let the event loop run now and then: a thousand spawns in one go would starve it.
      if (i % 50 === 49) await new Promise((r) => setImmediate(r));
    }
    try {
      await Promise.all(started);
      if (stopped) throw new Error('stopped while starting the sleep processes');
    } catch (e) {
      await s.stop();
      throw e;
    }
    return s;
  }

  get count(): number { return this.procs.length; }

  /** SIGKILL every one and wait for them to be reaped. */
  stop(): Promise<void> { return this.undo(); }
}
