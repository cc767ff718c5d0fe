import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { execFile } from 'node:child_process';
import { chmod, link, lstat, mkdir, symlink, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { HomeWalk } from '../../../../agent/accounts/home-walk.js';
import { tempDir } from './_fixtures.js';

/**
 * A home of known content:
 *   a.txt (10,000 B), empty.txt, sparse.bin (10 MiB apparent, nothing written),
 *   sub/b.bin (100,000 B), sub/hard.txt (hard link to a.txt), sub/deeper/c.txt (5,000 B),
 *   loop -> .. (symlink loop), locked/ (mode 000) with secret.txt inside.
 */
async function makeHome(dir: string): Promise<{ home: string; expected: { bytes: number; files: number }; lockedBytes: number }> {
  const home = join(dir, 'home');
  await mkdir(join(home, 'sub', 'deeper'), { recursive: true });
  await mkdir(join(home, 'locked'));
  await writeFile(join(home, 'a.txt'), 'a'.repeat(10_000));
  await writeFile(join(home, 'empty.txt'), '');
  await writeFile(join(home, 'sparse.bin'), '');
  await truncate(join(home, 'sparse.bin'), 10 * 1024 * 1024);
  await writeFile(join(home, 'sub', 'b.bin'), Buffer.alloc(100_000, 7));
  await link(join(home, 'a.txt'), join(home, 'sub', 'hard.txt'));
  await writeFile(join(home, 'sub', 'deeper', 'c.txt'), 'c'.repeat(5_000));
  await symlink('..', join(home, 'loop'));
  await writeFile(join(home, 'locked', 'secret.txt'), 's'.repeat(50_000));
  await chmod(join(home, 'locked'), 0o000);
  // Every inode once (the hard link is a.txt again), allocated blocks as the kernel reports them.
  const counted = ['', 'a.txt', 'empty.txt', 'sparse.bin', 'sub', 'sub/b.bin', 'sub/deeper', 'sub/deeper/c.txt', 'loop', 'locked'];
  let bytes = 0;
  for (const rel of counted) bytes += (await lstat(join(home, rel))).blocks * 512;
  const lockedBytes = (await lstat(join(home, 'locked', 'secret.txt'))).blocks * 512;
  return { home, expected: { bytes, files: counted.length }, lockedBytes };
}

const walk = suite('HomeWalk');
let tmp: Awaited<ReturnType<typeof tempDir>>;
let home: Awaited<ReturnType<typeof makeHome>>;
walk.before(async () => {
  tmp = await tempDir();
  await chmod(tmp.dir, 0o755); // the unprivileged child below must reach the home
  home = await makeHome(tmp.dir);
});
walk.after(async () => {
  await chmod(join(home.home, 'locked'), 0o755).catch(() => {});
  await tmp.cleanup();
});

walk('should count allocated bytes of every inode once, hard links once, without following the symlink loop', async () => {
  const w = new HomeWalk(home.home);
  while (!w.done) await w.step(10_000);
  const t = w.totals;
  // As root, locked/ is readable: its file counts too.
  assert.is(t.bytes, home.expected.bytes + home.lockedBytes);
  assert.is(t.files, home.expected.files + 1);
  assert.equal([t.unreadableDirs, t.otherFs, t.errors], [0, 0, 0]);
  // Allocated, not apparent: the 10 MiB sparse file adds (next to) nothing.
  assert.ok(t.bytes < 1024 * 1024);
  // Allocated blocks cover at least the bytes written.
  assert.ok(t.bytes >= 10_000 + 100_000 + 5_000 + 50_000);
});

walk('should give the same totals when every directory is streamed (wholeDirBytes -1) as when read whole', async () => {
  const whole = new HomeWalk(home.home);
  while (!whole.done) await whole.step(10_000);
  const streamed = new HomeWalk(home.home, { wholeDirBytes: -1, sliceEntries: 2 });
  while (!streamed.done) await streamed.step(3);
  assert.equal(streamed.totals, whole.totals);
});

walk('should join paths under a home given with a trailing slash', async () => {
  const w = new HomeWalk(`${home.home}/`);
  while (!w.done) await w.step(10_000);
  assert.is(w.totals.files, home.expected.files + 1);
  assert.is(w.totals.errors, 0);
});

walk('should need several steps with a tiny budget, with a growing lower bound, never exceeding the budget', async () => {
  const w = new HomeWalk(home.home, { sliceEntries: 2 });
  const seen: number[] = [];
  let steps = 0;
  while (!w.done) {
    const used = await w.step(3);
    assert.ok(used <= 3, `step used ${used} entries`);
    steps++;
    seen.push(w.totals.bytes);
    if (steps > 100) assert.unreachable('walk did not finish');
  }
  assert.ok(steps >= 4, `only ${steps} steps`);
  for (let i = 1; i < seen.length; i++) assert.ok(seen[i] >= seen[i - 1]);
  assert.is(w.totals.files, home.expected.files + 1);
  assert.is(w.totals.entries, 12); // 11 names + the home itself; the hard link is lstat'ed but not counted
});

walk('should skip and count an unreadable directory (walked as nobody)', async () => {
  const script = `
    const { HomeWalk } = await import(${JSON.stringify(new URL('../../../../agent/accounts/home-walk.ts', import.meta.url).pathname)});
    const errors = [];
    const w = new HomeWalk(${JSON.stringify(home.home)}, { onError: (m) => errors.push(m) });
    while (!w.done) await w.step(5);
    console.log(JSON.stringify({ totals: w.totals, errors }));`;
  const out = await new Promise<string>((resolve, reject) => {
    execFile(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script],
      { uid: 65534, gid: 65534, cwd: process.cwd(), env: { ...process.env, HOME: '/tmp' }, timeout: 20_000 },
      (err, stdout, stderr) => (err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout)));
  });
  const { totals, errors } = JSON.parse(out.trim().split('\n').pop()!);
  assert.is(totals.unreadableDirs, 1);
  assert.is(totals.bytes, home.expected.bytes);
  assert.is(totals.files, home.expected.files);
  assert.is(errors.length, 1);
  assert.match(errors[0], /locked: unreadable \(EACCES\), skipped$/);
});

walk('should not enter another filesystem (/dev holds /dev/shm and /dev/pts)', async () => {
  const w = new HomeWalk('/dev');
  while (!w.done) await w.step(100_000);
  assert.ok(w.totals.otherFs >= 1, `otherFs ${w.totals.otherFs}`);
});

walk('should finish at once with 0 bytes and an error for a missing home', async () => {
  const errors: string[] = [];
  const w = new HomeWalk(join(tmp.dir, 'nope'), { onError: (m) => errors.push(m) });
  assert.is(await w.step(10), 1);
  assert.ok(w.done);
  assert.equal([w.totals.bytes, w.totals.files, w.totals.errors], [0, 0, 1]);
  assert.match(errors[0], /nope: home missing$/);
});

walk('should count a home that is a file as that one file', async () => {
  const w = new HomeWalk(join(home.home, 'a.txt'));
  await w.step(10);
  assert.ok(w.done);
  assert.is(w.totals.files, 1);
});

walk('should follow a home that is itself a symlink, but nothing below it', async () => {
  const linked = join(tmp.dir, 'home-link');
  await symlink(home.home, linked);
  const w = new HomeWalk(linked);
  while (!w.done) await w.step(1000);
  assert.is(w.totals.files, home.expected.files + 1);
});

walk('should never be done once closed mid-pass, and refuse overlapping steps', async () => {
  const w = new HomeWalk(home.home);
  await w.step(2);
  const a = w.step(2);
  try {
    await w.step(2);
    assert.unreachable('overlapping step accepted');
  } catch (e) {
    assert.match((e as Error).message, 'while a step is running');
  }
  await a;
  await w.close();
  assert.is(w.done, false);
  assert.is(await w.step(100), 0);
});
walk.run();
