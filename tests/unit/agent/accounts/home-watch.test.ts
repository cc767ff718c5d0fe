import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { appendFile, lstat, mkdir, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { HomeWatch, WatchBudget } from '../../../../agent/accounts/home-watch.js';
import { WalkScheduler } from '../../../../agent/accounts/walk-scheduler.js';
import { tempDir } from './_fixtures.js';

async function allocated(path: string): Promise<number> {
  const st = await lstat(path);
  let bytes = st.blocks * 512;
  if (st.isDirectory()) for (const name of await readdir(path)) bytes += await allocated(join(path, name));
  return bytes;
}

/** A home with files in the home itself and in two levels of subdirectories. */
async function makeHome(dir: string, name: string): Promise<string> {
  const home = join(dir, name);
  await mkdir(join(home, 'www', 'img'), { recursive: true });
  for (const [i, sub] of ['', 'www', 'www/img'].entries()) await writeFile(join(home, sub, `f${i}`), 'x'.repeat(5000));
  return home;
}

/** Wait (up to 3 s) for inotify's event to reach the watch. */
async function until(what: string, cond: () => boolean): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > 3000) assert.unreachable(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const watch = suite('HomeWatch');
let tmp: Awaited<ReturnType<typeof tempDir>>;
watch.before(async () => { tmp = await tempDir(); });
watch.after(async () => { await tmp.cleanup(); });

watch('should see a write, a new file, a rename and a deleted directory, once each, and then watch nothing', async () => {
  const home = await makeHome(tmp.dir, 'w1');
  const changes: Array<() => Promise<void>> = [
    () => appendFile(join(home, 'www', 'img', 'f2'), 'more'),
    () => writeFile(join(home, 'www', 'new'), 'x'),
    () => rename(join(home, 'f0'), join(home, 'f0.old')),
    () => rm(join(home, 'www', 'img'), { recursive: true }),
  ];
  for (const change of changes) {
    const budget = new WatchBudget(100);
    let calls = 0;
    const w = new HomeWatch(budget, () => { calls++; });
    for (const d of [home, join(home, 'www'), join(home, 'www', 'img')]) w.add(d);
    assert.equal([w.holds, w.size, budget.used], [true, 3, 3]);
    await change();
    await until('the change', () => w.changed);
    await appendFile(join(home, 'www', 'f1'), 'again');
    await new Promise((r) => setTimeout(r, 50));
    assert.equal([calls, w.holds, w.size, budget.used], [1, false, 0, 0]);
    await mkdir(join(home, 'www', 'img'), { recursive: true });
    await writeFile(join(home, 'www', 'img', 'f2'), 'x'.repeat(5000));
  }
});

watch('should give up on a home that would go over the budget or cannot be watched, and release its watches', async () => {
  const home = await makeHome(tmp.dir, 'w2');
  const budget = new WatchBudget(2);
  const w = new HomeWatch(budget, () => assert.unreachable('no change expected'));
  assert.ok(w.add(home));
  assert.ok(w.add(join(home, 'www')));
  assert.not.ok(w.add(join(home, 'www', 'img')), 'over the budget');
  assert.equal([w.holds, w.changed, w.size, budget.used], [false, false, 0, 0]);
  const w2 = new HomeWatch(budget, () => {});
  assert.not.ok(w2.add(join(home, 'no-such-dir')));
  assert.equal([w2.holds, budget.used], [false, 0]);
  await writeFile(join(home, 'f9'), 'x');
  await new Promise((r) => setTimeout(r, 50));
});
watch.run();

const sched = suite('WalkScheduler with watched homes');
let tmp2: Awaited<ReturnType<typeof tempDir>>;
sched.before(async () => { tmp2 = await tempDir(); });
sched.after(async () => { await tmp2.cleanup(); });

sched('should not walk an unchanged home again, report its figure as current, and walk it once it changes', async () => {
  const home = await makeHome(tmp2.dir, 's1');
  let now = 1_000;
  const s = new WalkScheduler({ budgetPerTick: 2, passGapMs: 10_000, watch: true, now: () => now });
  s.setTargets([{ name: 'alice', home }]);
  while (s.figure('alice')!.partial) await s.tick();
  const first = s.figure('alice')!;
  assert.is(first.usedBytes, await allocated(home));
  assert.equal([s.stats().watchedHomes, s.stats().watches], [1, 3]);
  const entries = s.stats().entries;

  // Unchanged: no more walking however long, and the figure is as of now.
  for (let i = 0; i < 5; i++) { now += 60_000; await s.tick(); }
  assert.is(s.stats().entries, entries, 'walked an unchanged home again');
  assert.equal(s.figure('alice'), { ...first, measuredAt: now });
  // A refresh answers from the watched figure at once.
  assert.equal(await s.walkNow('alice', 5_000), { ...first, measuredAt: now });
  assert.is(s.stats().entries, entries);

  // A file grows two levels down: the figure is known good until then, and the next pass measures it.
  now += 1_000;
  const changedAt = now;
  await appendFile(join(home, 'www', 'img', 'f2'), Buffer.alloc(64 * 1024, 1));
  await until('the change', () => s.stats().watchedHomes === 0);
  now += 5_000;
  assert.is(s.figure('alice')!.measuredAt, changedAt);
  assert.is(s.stats().watches, 0, 'watches left open after a change');
  while (s.stats().passes < 2) { now += 1_000; await s.tick(); }
  const after = s.figure('alice')!;
  assert.is(after.usedBytes, await allocated(home));
  assert.ok(after.usedBytes >= first.usedBytes + 64 * 1024);
  assert.equal([after.measuredAt, s.stats().watchedHomes], [now, 1]);
  await s.stop();
  assert.is(s.stats().watches, 0, 'watches left open after stop');
});

sched('should still walk a watched home every recheckMs, and every passGapMs one it could not watch', async () => {
  const home = await makeHome(tmp2.dir, 's2');
  let now = 0;
  const s = new WalkScheduler({ budgetPerTick: 100, passGapMs: 1_000, recheckMs: 30_000, watch: true, now: () => now });
  s.setTargets([{ name: 'alice', home }]);
  await s.tick();
  assert.equal([s.stats().passes, s.stats().watchedHomes], [1, 1]);
  for (now = 1_000; now < 30_000; now += 1_000) await s.tick();
  assert.is(s.stats().passes, 1);
  now = 30_000;
  await s.tick();
  assert.equal([s.stats().passes, s.stats().watchedHomes, s.stats().watches], [2, 1, 3]);
  await s.stop();

  // Three directories, two watches allowed: not watched, walked like without watching.
  const small = new WalkScheduler({ budgetPerTick: 100, passGapMs: 1_000, watch: true, maxWatches: 2, now: () => now });
  small.setTargets([{ name: 'alice', home }]);
  await small.tick();
  assert.equal([small.stats().passes, small.stats().watchedHomes, small.stats().watches], [1, 0, 0]);
  assert.is(small.figure('alice')!.measuredAt, now);
  now += 1_000;
  await small.tick();
  assert.is(small.stats().passes, 2);
  await small.stop();
});

sched('should not hold a figure that changed while its pass was walking', async () => {
  const home = await makeHome(tmp2.dir, 's3');
  let now = 0;
  const s = new WalkScheduler({ budgetPerTick: 1, passGapMs: 1_000, watch: true, now: () => now });
  s.setTargets([{ name: 'alice', home }]);
  await s.tick();
  await s.tick(); // the home and www are watched by now
  await writeFile(join(home, 'late'), 'x'.repeat(10_000));
  await new Promise((r) => setTimeout(r, 100));
  while (s.figure('alice')!.partial) await s.tick();
  assert.is(s.stats().watchedHomes, 0);
  now = 1_000;
  const passes = s.stats().passes;
  while (s.stats().passes === passes) await s.tick();
  assert.is(s.figure('alice')!.usedBytes, await allocated(home));
  assert.is(s.stats().watchedHomes, 1);
  await s.stop();
});
sched.run();
