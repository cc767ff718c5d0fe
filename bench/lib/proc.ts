/**
 * Child processes for the benchmarks: spawn pinned to a core, read their CPU
 * time and RSS from /proc, and make sure none outlives the runner.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

/** Servers under test run on this core… */
export const SERVER_CORE = 0;
/** …and the load generators (the runner's own process) on this one. */
export const GENERATOR_CORE = 1;

/** Clock ticks per second of /proc/<pid>/stat times (USER_HZ; 100 on Linux unless getconf says otherwise). */
const CLK_TCK = (() => {
  try { return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100; } catch { return 100; }
})();

/** A running child process pinned to one core. */
export interface Child {
  name: string;
  pid: number;
  proc: ChildProcess;
  /** Last lines of its stdout and stderr, for error messages. */
  tail(): string;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves when it has exited. */
  stop(graceMs?: number): Promise<void>;
  exited: Promise<number | null>;
}

const children = new Set<Child>();
let cleanupsInstalled = false;

/** Kill every child still running, synchronously (for `exit` and fatal signals). */
export function killAllChildren(): void {
  for (const c of children) {
    try { process.kill(c.pid, 'SIGKILL'); } catch { /* already gone */ }
  }
  children.clear();
}

function installCleanups(): void {
  if (cleanupsInstalled) return;
  cleanupsInstalled = true;
  process.on('exit', killAllChildren);
}

/**
 * Spawn `cmd args` under `taskset -c <core>` (taskset execs, so the pid is the
 * command's own). Output is kept in a small ring for diagnostics and echoed
 * when `echo` is set; `stdin` gives the child a pipe from us.
 */
export function spawnPinned(name: string, core: number, cmd: string, args: string[],
  opts: { env?: NodeJS.ProcessEnv; cwd?: string; echo?: boolean; stdin?: boolean } = {}): Child {
  installCleanups();
  const proc = spawn('taskset', ['-c', String(core), cmd, ...args], {
    cwd: opts.cwd, env: { ...process.env, ...opts.env }, stdio: [opts.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  const keep = (buf: Buffer) => {
    const text = buf.toString('utf8');
    if (opts.echo) process.stderr.write(text.replace(/^(?=.)/gm, `[${name}] `));
    for (const l of text.split('\n')) if (l) lines.push(l);
    if (lines.length > 40) lines.splice(0, lines.length - 40);
  };
  proc.stdout!.on('data', keep);
  proc.stderr!.on('data', keep);
  const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
  if (proc.pid === undefined) throw new Error(`could not spawn ${name}`);
  const child: Child = {
    name, pid: proc.pid, proc, exited,
    tail: () => lines.join('\n'),
    async stop(graceMs = 3000) {
      if (proc.exitCode !== null || proc.signalCode !== null) { children.delete(child); return; }
      proc.kill('SIGTERM');
      const t = setTimeout(() => proc.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(t);
      children.delete(child);
    },
  };
  children.add(child);
  exited.then(() => children.delete(child));
  return child;
}

/** Pin this process (all its threads) to one core; threads created later inherit it. */
export function pinSelf(core: number): void {
  execFileSync('taskset', ['-a', '-cp', String(core), String(process.pid)], { stdio: 'ignore' });
}

/** CPU time (user + system, all threads) a process has used so far, seconds. */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) may contain spaces; fields after its ')' are fixed.
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // f[0] is field 3 (state); utime and stime are fields 14 and 15.
  return (Number(f[11]) + Number(f[12])) / CLK_TCK;
}

/** Resident set size of a process, MiB (VmRSS). */
export function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

/** CPU use of a process between `start()` and `stop()`, percent of one core. */
export class CpuMeter {
  private t0 = 0;
  private c0 = 0;
  constructor(readonly pid: number) {}
  start(): void { this.t0 = performance.now(); this.c0 = cpuSeconds(this.pid); }
  /** Percent of one core since start(). */
  stop(): number {
    const wall = (performance.now() - this.t0) / 1000;
    return wall > 0 ? ((cpuSeconds(this.pid) - this.c0) / wall) * 100 : NaN;
  }
}

/** Ports handed out already, so two children started together never get the same one. */
const handedOut = new Set<number>();

/** A TCP port that was free a moment ago on 127.0.0.1 (and not handed out before by this process). */
export async function freePort(): Promise<number> {
  for (;;) {
    const port = await anyFreePort();
    if (!handedOut.has(port)) { handedOut.add(port); return port; }
  }
}

function anyFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      s.close(() => resolve(port));
    });
  });
}

/** Poll `url` until it answers 200, the child exits, or `timeoutMs` passes. */
export async function waitForHttp(url: string, child: Child, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exited = false;
  void child.exited.then(() => { exited = true; });
  for (;;) {
    if (exited) throw new Error(`${child.name} exited before answering ${url}:\n${child.tail()}`);
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(1000) });
      if (res.status === 200) return;
    } catch { /* not listening yet */ }
    if (Date.now() > deadline) throw new Error(`${child.name} did not answer ${url} within ${timeoutMs} ms:\n${child.tail()}`);
    await sleep(200);
  }
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Per-core busy time (user + nice + system, in clock ticks) and total time, from /proc/stat. */
function coreTicks(): { busy: number; total: number }[] {
  const out: { busy: number; total: number }[] = [];
  for (const line of readFileSync('/proc/stat', 'utf8').split('\n')) {
    const m = /^cpu(\d+)\s+(.*)$/.exec(line);
    if (!m) continue;
    const v = m[2].trim().split(/\s+/).map(Number);
    out[Number(m[1])] = { busy: v[0] + v[1] + v[2], total: v.slice(0, 8).reduce((a, b) => a + b, 0) };
  }
  return out;
}

/**
 * How busy each core was between start() and stop(), percent, counting
 * process time only (user, nice, system; not interrupts): compared with the
 * CPU of the processes we pinned there, the rest is someone else's load.
 */
export class CoreMeter {
  private t0: { busy: number; total: number }[] = [];
  start(): void { this.t0 = coreTicks(); }
  stop(): number[] {
    return coreTicks().map((c, i) => {
      const b = this.t0[i];
      const total = b ? c.total - b.total : 0;
      return b && total > 0 ? ((c.busy - b.busy) / total) * 100 : NaN;
    });
  }
}
