/**
 * The accounts collector on this very machine, with real unix users: we are
 * root here and in CI. Creates 3 users (useradd -m), writes files into their
 * homes, runs a process as each (one burning CPU) and checks what the
 * collector sees. Everything is removed in `after`, also when a test failed.
 * Without root or useradd every test FAILS with the reason; it never skips.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { access, chown, constants, lstat, mkdir, readFile, writeFile } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { AccountsCollector } from '../../../../agent/accounts/collector.js';
import { accountQuotaSchema, type AccountQuota } from '../../../../protocol/index.js';

interface TestUser { name: string; uid: number; gid: number; home: string; written: number }

const run = (cmd: string, args: string[]): Promise<{ code: number; stderr: string }> => new Promise((resolve) => {
  execFile(cmd, args, { timeout: 30_000 }, (err, _out, stderr) => resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stderr: String(stderr) }));
});
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Find an executable in PATH (and the sbin dirs a non-login root shell may lack), without a shell. */
async function which(cmd: string): Promise<string | null> {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/sbin', '/sbin', '/usr/bin', '/bin'];
  for (const d of dirs) {
    try {
      await access(join(d, cmd), constants.X_OK);
      return join(d, cmd);
    } catch { /* next */ }
  }
  return null;
}

/** Uids free in both passwd and group, in the 20000–59999 range (inside UID_MAX, away from usual ones). */
async function freeIds(n: number): Promise<number[]> {
  const used = new Set<number>();
  for (const f of ['/etc/passwd', '/etc/group']) {
    for (const line of (await readFile(f, 'utf8')).split('\n')) used.add(Number(line.split(':')[2]));
  }
  const out: number[] = [];
  while (out.length < n) {
    const id = 20_000 + Math.floor(Math.random() * 40_000);
    if (!used.has(id) && !out.includes(id)) out.push(id);
  }
  return out;
}

const live = suite('AccountsCollector (live users)');
const users: TestUser[] = [];
const procs: ChildProcess[] = [];
let setupError: Error | null = null;
let useraddPath: string | null = null;
let userdelPath: string | null = null;

function spawnAs(u: TestUser, cmd: string, args: string[]): ChildProcess {
  const p = spawn(cmd, args, { uid: u.uid, gid: u.gid, cwd: u.home, stdio: 'ignore', env: { PATH: '/usr/bin:/bin', HOME: u.home } });
  procs.push(p);
  return p;
}

live.before(async () => {
  try {
    if (process.getuid?.() !== 0) throw new Error('the live accounts test must run as root (it creates unix users)');
    useraddPath = await which('useradd');
    userdelPath = await which('userdel');
    if (!useraddPath || !userdelPath) throw new Error('useradd/userdel not found: install the "passwd" package (shadow utils) to run the live accounts test');
    const ids = await freeIds(3);
    const sizes = [1_048_576, 300_000, 50_000];
    for (let i = 0; i < 3; i++) {
      const name = `rptest_${randomBytes(4).toString('hex')}`;
      const r = await run(useraddPath, ['-m', '-u', String(ids[i]), '-U', '-s', '/bin/sh', name]);
      if (r.code !== 0) throw new Error(`useradd ${name} failed (${r.code}): ${r.stderr.trim()}`);
      const home = `/home/${name}`;
      const st = await lstat(home);
      const u: TestUser = { name, uid: ids[i], gid: st.gid, home, written: 0 };
      users.push(u);
      await mkdir(join(home, 'data', 'nested'), { recursive: true });
      await writeFile(join(home, 'data', 'blob.bin'), randomBytes(sizes[i]));
      await writeFile(join(home, 'data', 'nested', 'note.txt'), 'x'.repeat(4000));
      u.written = sizes[i] + 4000;
      for (const p of ['data', 'data/nested', 'data/blob.bin', 'data/nested/note.txt']) await chown(join(home, p), u.uid, u.gid);
    }
    for (const u of users) spawnAs(u, 'sleep', ['60']);
  } catch (e) {
    setupError = e as Error;
  }
});

live.after(async () => {
  for (const p of procs) if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
  await Promise.all(procs.map((p) => (p.exitCode === null && p.signalCode === null ? new Promise((r) => p.once('exit', r)) : null)));
  for (const u of users) {
    const r = await run(userdelPath!, ['-r', '-f', u.name]);
    if (r.code !== 0) console.error(`cleanup: userdel -r -f ${u.name} exited ${r.code}: ${r.stderr.trim()}`);
  }
});

const ready = (): void => {
  if (setupError) throw setupError;
};
const mine = (qs: AccountQuota[]) => new Map(qs.filter((q) => users.some((u) => u.name === q.account)).map((q) => [q.account, q]));

live('should find the new users with their processes, rss > 0, and > 20 % CPU for the busy one', async () => {
  ready();
  const c = new AccountsCollector({ quota: 'walk', scanIntervalMs: 0, minUid: 4_000_000_000, include: users.map((u) => u.name) });
  const busy = spawnAs(users[0], process.execPath, ['-e', 'const e = Date.now() + 4000; while (Date.now() < e);']);
  await sleep(500); // node's start-up
  assert.is(busy.exitCode, null, 'the busy process ended early');
  await c.collect();
  await sleep(1_000);
  const qs = await c.collect();
  const m = mine(qs);
  assert.equal([...m.keys()].sort(), users.map((u) => u.name).sort());
  for (const q of m.values()) assert.ok(accountQuotaSchema.safeParse(q).success, JSON.stringify(q));
  const [u0, u1, u2] = users.map((u) => m.get(u.name)!);
  assert.equal([u0.processes, u1.processes, u2.processes], [2, 1, 1]);
  for (const q of [u0, u1, u2]) assert.ok(q.rssBytes! > 0, `${q.account} rss ${q.rssBytes}`);
  assert.ok(u0.rssBytes! > 10_000_000, `node's rss ${u0.rssBytes}`);
  assert.ok(u0.cpuPct! > 20, `busy account cpu ${u0.cpuPct} %`);
  assert.ok(u1.cpuPct! < 5 && u2.cpuPct! < 5, `idle accounts cpu ${u1.cpuPct}, ${u2.cpuPct}`);
  const st = c.stats().scan;
  assert.ok(st.pids >= 4 && st.errors === 0, JSON.stringify(st));
});

live('should walk their homes to at least the bytes written, as allocated blocks', async () => {
  ready();
  // Only this test's users (minUid above any uid): other users on the machine must not share the walk budget.
  const c = new AccountsCollector({ quota: 'walk', walkTickMs: 10, walkBudgetPerTick: 5, minUid: 4_000_000_000, include: users.map((u) => u.name) });
  c.start();
  try {
    const t0 = Date.now();
    for (;;) {
      const m = mine(await c.collect());
      if (m.size === users.length && [...m.values()].every((q) => !q.partial)) break;
      if (Date.now() - t0 > 20_000) assert.unreachable(`walks did not finish: ${JSON.stringify(c.stats().walk)}`);
      await sleep(20);
    }
  } finally {
    await c.stop();
  }
  const m = mine(await c.collect());
  for (const u of users) {
    const q = m.get(u.name)!;
    assert.equal([q.source, q.partial], ['walk', undefined]);
    assert.ok(q.usedBytes >= u.written, `${u.name}: ${q.usedBytes} < ${u.written}`);
    assert.ok(q.files! >= 5, `${u.name}: ${q.files} files`); // home, data, nested, 2 files (+ skel)
    assert.ok(q.measuredAt > Date.now() - 60_000);
  }
});

live('should refresh one of them within the budget', async () => {
  ready();
  const c = new AccountsCollector({ quota: 'walk', minUid: 4_000_000_000, include: users.map((u) => u.name) });
  const { quota, stale } = await c.refresh(users[1].name, 2_000);
  assert.is(stale, false);
  assert.ok(quota.usedBytes >= users[1].written);
  assert.is(quota.processes, 1);
  assert.ok(quota.cpuPct !== undefined && quota.cpuPct < 5);
});
live.run();
