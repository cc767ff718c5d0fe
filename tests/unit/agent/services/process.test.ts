import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { checkProcess, matchesName, ProcessScanner } from '../../../../agent/services/process.js';

/** The scan skips root's processes, so as root the child runs as nobody. */
const asRoot = process.getuid!() === 0;
const runAs = asRoot ? { name: 'nobody', uid: 65534, gid: 65534 } : { name: userInfo().username, uid: process.getuid!(), gid: process.getgid!() };
const uidOf = async (name: string): Promise<number | null> => (name === runAs.name ? runAs.uid : null);

const dir = mkdtempSync(join(tmpdir(), 'rackpulse-proc-'));
chmodSync(dir, 0o755);
/** A name longer than the 15 bytes the kernel keeps in comm. */
const LONG = 'rackpulse-long-sleeper';
symlinkSync('/bin/sleep', join(dir, LONG));
const children: ChildProcess[] = [];
const start = (cmd: string): Promise<ChildProcess> => new Promise((resolve, reject) => {
  const c = spawn(cmd, ['30'], { uid: runAs.uid, gid: runAs.gid, stdio: 'ignore' });
  children.push(c);
  c.once('spawn', () => setTimeout(() => resolve(c), 50));
  c.once('error', reject);
});

const scanner = suite('ProcessScanner');

scanner('should list a running child with its uid and comm, and no root process', async () => {
  const c = await start('sleep');
  const procs = await new ProcessScanner({ maxAgeMs: 0 }).processes();
  const me = procs.find((p) => p.pid === c.pid);
  assert.equal(me, { pid: c.pid, uid: runAs.uid, comm: 'sleep' });
  assert.ok(procs.every((p) => p.uid !== 0));
});

scanner('should reuse a scan younger than maxAgeMs', async () => {
  const s = new ProcessScanner({ maxAgeMs: 60_000 });
  const a = await s.processes();
  const c = await start('sleep');
  const b = await s.processes();
  assert.equal(a, b);
  assert.not.ok(b.some((p) => p.pid === c.pid));
  assert.not.ok((await s.processesOf(runAs.uid)).some((p) => p.pid === c.pid));
});

scanner('processesOf(uid) should list only that uid\'s processes, with their comm', async () => {
  const c = await start('sleep');
  const s = new ProcessScanner({ maxAgeMs: 60_000 });
  const mine = await s.processesOf(runAs.uid);
  assert.ok(mine.length > 0 && mine.every((p) => p.uid === runAs.uid));
  assert.equal(mine.find((p) => p.pid === c.pid), { pid: c.pid, uid: runAs.uid, comm: 'sleep' });
  assert.equal(await s.processesOf(4_000_000_000), []);
  // The whole list from the same listing agrees.
  assert.equal((await s.processes()).filter((p) => p.uid === runAs.uid), mine);
});

scanner('should look up the owner only of pids new since the previous listing, and see a new child', async () => {
  const s = new ProcessScanner({ maxAgeMs: 0 });
  await s.processes();
  const first = s.ownerLookups;
  const c = await start('sleep');
  const procs = await s.processes();
  assert.equal(procs.find((p) => p.pid === c.pid), { pid: c.pid, uid: runAs.uid, comm: 'sleep' });
  // Only the pids that appeared in between (the child, and whatever else started) were looked up.
  assert.ok(first > 20 && s.ownerLookups - first < first / 2, `${first} then ${s.ownerLookups - first} lookups`);
});

scanner('should look up every owner again once ownerTtlMs has passed', async () => {
  const s = new ProcessScanner({ maxAgeMs: 0, ownerTtlMs: 0 });
  await s.processes();
  const first = s.ownerLookups;
  await s.processes();
  assert.ok(s.ownerLookups - first > first / 2, `${first} then ${s.ownerLookups - first} lookups`);
});

scanner('should read argv[0] without its directory', async () => {
  const c = await start(join(dir, LONG));
  assert.is(new ProcessScanner().argv0(c.pid!), LONG);
  assert.is(new ProcessScanner().argv0(999_999_999), null);
});
scanner.run();

const match = suite('matchesName');
match('should match on comm without reading argv[0]', () => {
  assert.ok(matchesName('rtorrent', 'rtorrent', () => assert.unreachable('argv0 read') as never));
});
match('should match a name longer than comm on argv[0]', () => {
  assert.ok(matchesName(LONG, LONG.slice(0, 15), () => LONG));
  assert.not.ok(matchesName(LONG, LONG.slice(0, 15), () => `${LONG}-other`));
});
match('should not match another program', () => {
  assert.not.ok(matchesName('rtorrent', 'bash', () => 'bash'));
});
match.run();

const check = suite('checkProcess');
check.after(() => {
  for (const c of children) c.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});
check('should be up counting the processes of that name running as the account', async () => {
  await start('sleep');
  const o = await checkProcess({ account: runAs.name, process: 'sleep' }, { scanner: new ProcessScanner({ maxAgeMs: 0 }), uidOf });
  assert.is(o.status, 'up');
  assert.match(o.reason!, /^\d+ process(es)?$/);
});
check('should be up for a long name cut in comm', async () => {
  await start(join(dir, LONG));
  const o = await checkProcess({ account: runAs.name, process: LONG }, { scanner: new ProcessScanner({ maxAgeMs: 0 }), uidOf });
  assert.is(o.status, 'up');
});
check('should be down with a reason when no such process runs as the account', async () => {
  const o = await checkProcess({ account: runAs.name, process: 'no-such-daemon' }, { scanner: new ProcessScanner({ maxAgeMs: 0 }), uidOf });
  assert.equal([o.status, o.reason], ['down', `no "no-such-daemon" process of ${runAs.name}`]);
});
check('should be down once the child has exited', async () => {
  const c = await start(join(dir, LONG));
  const scan = new ProcessScanner({ maxAgeMs: 0 });
  c.kill('SIGKILL');
  await new Promise((r) => c.once('exit', r));
  for (const other of children) if (other !== c) other.kill('SIGKILL');
  await new Promise((r) => setTimeout(r, 50));
  assert.is((await checkProcess({ account: runAs.name, process: LONG }, { scanner: scan, uidOf })).status, 'down');
});
check('should be unknown when the account does not exist', async () => {
  const o = await checkProcess({ account: 'ghost', process: 'sleep' }, { scanner: new ProcessScanner(), uidOf });
  assert.equal([o.status, o.reason], ['unknown', 'no user "ghost"']);
});
check('should be unknown when /proc cannot be read', async () => {
  const o = await checkProcess({ account: runAs.name, process: 'sleep' }, { scanner: new ProcessScanner({ procRoot: join(dir, 'missing') }), uidOf });
  assert.equal([o.status, o.reason], ['unknown', 'cannot scan processes: ENOENT']);
});
check.run();
