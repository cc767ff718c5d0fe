/**
 * Service check: a process of a given name running as a given account.
 *
 * One listing of /proc serves every process check that runs within `maxAgeMs`
 * of it. The listing is cheap: per pid an lstat of /proc/<pid> (its owner is
 * the process's effective uid), no file opened, and only for a pid not in the
 * previous listing or whose owner was last looked up `ownerTtlMs` (1 min) ago:
 * with a thousand processes and a check every 10 s, a listing is one readdir
 * and a few dozen lstats instead of a thousand. A pid missing from a listing
 * is forgotten, so a reused pid could only keep a stale owner if it were freed
 * and handed out again between two listings (a wrap of pid_max), or the
 * process changed its uid without exec: both for at most `ownerTtlMs`. A check
 * then reads `comm` only for the processes of its account (once per listing,
 * shared by the checks of that account): on a host with a thousand processes
 * of other users that is a few reads instead of a thousand. `cmdline` is read
 * only for a process of the checked account whose comm is not the name (names
 * longer than comm's 15 bytes, renamed programs). Reads are synchronous in
 * batches, yielding to the event loop between batches (procfs never waits on a
 * disk).
 */
import { closeSync, lstatSync, openSync, readdirSync, readSync } from 'node:fs';
import { basename, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { DEFAULT_PROC_ROOT } from '../collectors/proc.js';
import { since, type CheckOutcome } from './outcome.js';
import type { ProcessCheck } from './spec.js';

/** One non-root process. */
export interface ProcEntry { pid: number; uid: number; comm: string }

export interface ProcessScannerOptions {
  /** Root of the proc filesystem, default "/proc". */
  procRoot?: string;
  /** A scan younger than this is reused, ms. Default 2000. */
  maxAgeMs?: number;
  /** Pids read between two yields to the event loop. Default 256. */
  batchSize?: number;
  /** The owner of a pid seen in the previous listing is looked up again after this long, ms. Default 60000. */
  ownerTtlMs?: number;
}

/** A pid's owner, when it was looked up (performance.now() ms), and the last listing it was in. */
interface Owner { uid: number; at: number; listing: number }

/** One pid of a listing: its owner, and its comm once read (null: vanished or unreadable). */
interface Listed { pid: number; uid: number; comm?: string | null }

export class ProcessScanner {
  readonly #root: string;
  readonly #maxAge: number;
  readonly #batch: number;
  readonly #ownerTtl: number;
  readonly #owners = new Map<number, Owner>();
  #listingNo = 0;
  #lookups = 0;
  readonly #buf = Buffer.allocUnsafe(4096);
  #last: { at: number; pids: Listed[] } | null = null;
  #inFlight: Promise<Listed[]> | null = null;

  constructor(opts: ProcessScannerOptions = {}) {
    this.#root = opts.procRoot ?? DEFAULT_PROC_ROOT;
    this.#maxAge = opts.maxAgeMs ?? 2000;
    this.#batch = Math.max(1, opts.batchSize ?? 256);
    this.#ownerTtl = opts.ownerTtlMs ?? 60_000;
  }

  /** lstat calls made by listings so far (owners looked up). */
  get ownerLookups(): number {
    return this.#lookups;
  }

  /** Non-root processes with their comm, from a recent listing or a new one (concurrent callers share it). */
  async processes(): Promise<ProcEntry[]> {
    return this.#withComm(await this.#listing(), () => true);
  }

  /** The processes of `uid` (effective) with their comm; comm is read only for these. */
  async processesOf(uid: number): Promise<ProcEntry[]> {
    return this.#withComm(await this.#listing(), (p) => p.uid === uid);
  }

  /** argv[0] of `pid` without its directory, or null if it cannot be read. */
  argv0(pid: number): string | null {
    const text = this.#read(`${pid}/cmdline`);
    if (!text) return null;
    const a0 = text.split('\0')[0];
    return a0 ? basename(a0.split(' ')[0]) : null;
  }

  #listing(): Promise<Listed[]> {
    if (this.#last && performance.now() - this.#last.at < this.#maxAge) return Promise.resolve(this.#last.pids);
    this.#inFlight ??= this.#scan().finally(() => { this.#inFlight = null; });
    return this.#inFlight;
  }

  #withComm(pids: Listed[], pick: (p: Listed) => boolean): ProcEntry[] {
    const out: ProcEntry[] = [];
    for (let i = 0; i < pids.length; i++) {
      const p = pids[i];
      if (!pick(p)) continue;
      if (p.comm === undefined) {
        const comm = this.#read(`${p.pid}/comm`);
        p.comm = comm === null ? null : comm.replace(/\n$/, '');
      }
      if (p.comm !== null) out.push({ pid: p.pid, uid: p.uid, comm: p.comm });
    }
    return out;
  }

  async #scan(): Promise<Listed[]> {
    const at = performance.now();
    const names = readdirSync(this.#root).filter((n) => n.charCodeAt(0) >= 48 && n.charCodeAt(0) <= 57);
    const pids: Listed[] = [];
    const prefix = `${this.#root}/`;
    const listing = ++this.#listingNo;
    for (let i = 0; i < names.length; i += this.#batch) {
      if (i > 0) await new Promise((r) => setImmediate(r));
      const end = Math.min(names.length, i + this.#batch);
      const now = performance.now();
      for (let j = i; j < end; j++) {
        const pid = Number(names[j]);
        let o = this.#owners.get(pid);
        if (!o || o.listing !== listing - 1 || now - o.at >= this.#ownerTtl) {
          let uid: number;
          try {
            uid = lstatSync(prefix + names[j]).uid;
          } catch {
            this.#owners.delete(pid);
            continue; // vanished
          }
          this.#lookups++;
          o = { uid, at: now, listing };
          this.#owners.set(pid, o);
        }
        o.listing = listing;
        if (o.uid !== 0) pids.push({ pid, uid: o.uid });
      }
    }
    // forEach, not for…of: under the agent's interpreter-only V8 every iterator step allocates.
    this.#owners.forEach((o, pid) => { if (o.listing !== listing) this.#owners.delete(pid); });
    this.#last = { at, pids };
    return pids;
  }

  #read(rel: string): string | null {
    let fd: number;
    try {
      fd = openSync(join(this.#root, rel), 'r');
    } catch {
      return null;
    }
    try {
      const n = readSync(fd, this.#buf, 0, this.#buf.length, 0);
      return this.#buf.toString('utf8', 0, n);
    } catch {
      return null;
    } finally {
      closeSync(fd);
    }
  }
}

/**
 * Does a process carry the name? Its comm equals it, or else argv[0] ends in
 * it (names longer than comm's 15 bytes, programs that renamed themselves);
 * `argv0` is only called in the second case.
 */
export function matchesName(name: string, comm: string, argv0: () => string | null): boolean {
  return comm === name || argv0() === name;
}

export interface ProcessCheckDeps {
  scanner: ProcessScanner;
  /** uid of a unix user, or null if there is none of that name. */
  uidOf: (account: string) => Promise<number | null>;
}

/** Up when at least one process named `spec.process` runs as `spec.account`. Never rejects. */
export async function checkProcess(spec: Pick<ProcessCheck, 'account' | 'process'>, deps: ProcessCheckDeps): Promise<CheckOutcome> {
  const t0 = performance.now();
  try {
    const uid = await deps.uidOf(spec.account);
    if (uid === null) return { status: 'unknown', latencyMs: since(t0), reason: `no user "${spec.account}"` };
    const procs = await deps.scanner.processesOf(uid);
    let n = 0;
    for (const p of procs) {
      if (matchesName(spec.process, p.comm, () => deps.scanner.argv0(p.pid))) n++;
    }
    return n > 0
      ? { status: 'up', latencyMs: since(t0), reason: `${n} process${n === 1 ? '' : 'es'}` }
      : { status: 'down', latencyMs: since(t0), reason: `no "${spec.process}" process of ${spec.account}`.slice(0, 200) };
  } catch (e) {
    return { status: 'unknown', latencyMs: since(t0), reason: `cannot scan processes: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`.slice(0, 200) };
  }
}
