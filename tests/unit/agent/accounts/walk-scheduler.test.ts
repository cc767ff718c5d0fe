import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { lstat, mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { WalkScheduler } from '../../../../agent/accounts/walk-scheduler.js';
import { tempDir } from './_fixtures.js';

/** Allocated bytes of a tree, as the walker should find them. */
async function allocated(path: string): Promise<{ bytes: number; files: number }> {
  const st = await lstat(path);
  let bytes = st.blocks * 512;
  let files = 1;
  if (st.isDirectory()) {
    for (const name of await readdir(path)) {
      const sub = await allocated(join(path, name));
      bytes += sub.bytes;
      files += sub.files;
    }
  }
  return { bytes, files };
}

async function makeHome(dir: string, name: string, nFiles: number): Promise<string> {
  const home = join(dir, name);
  await mkdir(join(home, 'd'), { recursive: true });
  for (let i = 0; i < nFiles; i++) await writeFile(join(home, i % 2 ? 'd' : '', `f${i}`), 'x'.repeat(3000 * (i + 1)));
  return home;
}

const sched = suite('WalkScheduler');
let tmp: Awaited<ReturnType<typeof tempDir>>;
sched.before(async () => { tmp = await tempDir(); });
sched.after(async () => { await tmp.cleanup(); });

sched('should report partial lower bounds until the first pass completes, then the complete total and its time', async () => {
  const alice = await makeHome(tmp.dir, 'alice1', 6);
  const bob = await makeHome(tmp.dir, 'bob1', 2);
  let now = 1_000;
  const s = new WalkScheduler({ budgetPerTick: 3, now: () => now });
  s.setTargets([{ name: 'alice', home: alice }, { name: 'bob', home: bob }]);
  assert.equal(s.figure('alice'), { usedBytes: 0, files: 0, measuredAt: 0, partial: true });
  assert.is(s.figure('nobody'), undefined);

  await s.tick();
  const first = s.figure('alice')!;
  assert.equal([first.partial, first.measuredAt, first.files], [true, 1_000, 3]);
  assert.is(s.stats().walking, 'alice');
  let ticks = 1;
  while (s.figure('alice')!.partial) {
    now += 1_000;
    await s.tick();
    if (++ticks > 20) assert.unreachable('alice never completed');
  }
  const want = await allocated(alice);
  assert.equal(s.figure('alice'), { usedBytes: want.bytes, files: want.files, measuredAt: now, partial: false });
  assert.ok(ticks >= 3, `${ticks} ticks`);
  while (s.figure('bob')!.partial) await s.tick();
  assert.equal(s.figure('bob')!.usedBytes, (await allocated(bob)).bytes);
  assert.is(s.stats().passes, 2);
  assert.ok(s.stats().entries >= want.files + 4);
});

sched('should keep the previous complete total while the next pass runs, and wait passGapMs between passes', async () => {
  const alice = await makeHome(tmp.dir, 'alice2', 4);
  let now = 0;
  const s = new WalkScheduler({ budgetPerTick: 2, passGapMs: 60_000, now: () => now });
  s.setTargets([{ name: 'alice', home: alice }]);
  while (s.figure('alice')!.partial) await s.tick();
  const before = s.figure('alice')!;
  const entries = s.stats().entries;
  now = 59_999;
  await s.tick();
  assert.is(s.stats().entries, entries, 'walked again before the gap');

  await writeFile(join(alice, 'new.bin'), Buffer.alloc(64 * 1024, 1));
  now = 60_000;
  await s.tick();
  assert.ok(s.stats().entries > entries);
  assert.equal(s.figure('alice'), before, 'figure changed mid-pass');
  while (s.stats().passes < 2) { now += 1000; await s.tick(); }
  const after = s.figure('alice')!;
  assert.equal([after.usedBytes, after.files, after.partial], [(await allocated(alice)).bytes, before.files + 1, false]);
  assert.ok(after.usedBytes >= before.usedBytes + 64 * 1024);
  assert.is(after.measuredAt, now);
});

sched('should walk one home at once within its time budget, or give null when out of time', async () => {
  const alice = await makeHome(tmp.dir, 'alice3', 5);
  const s = new WalkScheduler({ budgetPerTick: 1, now: () => 42 });
  s.setTargets([{ name: 'alice', home: alice }]);
  assert.is(await s.walkNow('alice', 0), null);
  assert.is(s.figure('alice')!.partial, true);
  const [a, b] = await Promise.all([s.walkNow('alice', 5_000), s.walkNow('alice', 5_000)]);
  assert.equal(a, { usedBytes: (await allocated(alice)).bytes, files: 7, measuredAt: 42, partial: false });
  assert.equal(b, a);
  assert.equal(s.figure('alice'), a);
  assert.is(await s.walkNow('ghost', 5_000), null);
});

sched('should forget dropped targets and restart one whose home changed', async () => {
  const alice = await makeHome(tmp.dir, 'alice4', 1);
  const other = await makeHome(tmp.dir, 'alice4b', 3);
  const s = new WalkScheduler({ budgetPerTick: 100 });
  s.setTargets([{ name: 'alice', home: alice }, { name: 'bob', home: alice }]);
  await s.tick();
  assert.is(s.figure('alice')!.files, 3);
  s.setTargets([{ name: 'alice', home: other }]);
  assert.is(s.figure('bob'), undefined);
  assert.is(s.figure('alice')!.partial, true);
  await s.tick();
  assert.is(s.figure('alice')!.files, 5);
});

sched('should tick on its own timer after start() until stop()', async () => {
  const alice = await makeHome(tmp.dir, 'alice5', 3);
  const s = new WalkScheduler({ budgetPerTick: 2, tickMs: 5 });
  s.setTargets([{ name: 'alice', home: alice }]);
  s.start();
  const t0 = Date.now();
  while (s.figure('alice')!.partial && Date.now() - t0 < 5_000) await new Promise((r) => setTimeout(r, 10));
  await s.stop();
  assert.is(s.figure('alice')!.partial, false);
  const ticks = s.stats().ticks;
  assert.ok(ticks >= 2);
  await new Promise((r) => setTimeout(r, 30));
  assert.is(s.stats().ticks, ticks, 'ticked after stop');
});
sched('should walk at firstBudgetPerTick until every home was measured once, say so once, then at budgetPerTick', async () => {
  const alice = await makeHome(tmp.dir, 'alice6', 6);
  const bob = await makeHome(tmp.dir, 'bob6', 6);
  let now = 0;
  const told: unknown[] = [];
  const s = new WalkScheduler({ budgetPerTick: 2, firstBudgetPerTick: 100, passGapMs: 0, now: () => now, onFirstCycle: (i) => told.push(i) });
  s.setTargets([{ name: 'alice', home: alice }, { name: 'bob', home: bob }]);
  await s.tick();
  assert.equal([s.figure('alice')!.partial, s.figure('bob')!.partial], [false, false]);
  assert.equal(told, [{ homes: 2, entries: (await allocated(alice)).files + (await allocated(bob)).files, watchedHomes: 0 }]);
  const entries = s.stats().entries;
  now = 1;
  await s.tick();
  assert.is(s.stats().entries - entries, 2, 'the second cycle is walked at budgetPerTick');
  for (let i = 0; i < 20; i++) await s.tick();
  assert.is(told.length, 1);
});
sched.run();
