import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { lstat, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { accountQuotaSchema, type AccountQuota } from '../../../../protocol/index.js';
import { AccountsCollector, type AccountsCollectorOptions } from '../../../../agent/accounts/collector.js';
import { at, fakeRepquota, switchableProc, tempDir } from './_fixtures.js';

const KiB = 1024;
const byName = (qs: AccountQuota[]) => Object.fromEntries(qs.map((q) => [q.account, q]));
const until = async (cond: () => boolean | Promise<boolean>, ms = 5_000): Promise<void> => {
  const t0 = Date.now();
  while (!(await cond())) {
    if (Date.now() - t0 > ms) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
};

const collector = suite('AccountsCollector');
let proc: Awaited<ReturnType<typeof switchableProc>>;
let tmp: Awaited<ReturnType<typeof tempDir>>;
/** Homes of the fixture accounts (eve has none). */
const homes: Record<string, string> = {};
let aliceBytes = 0;
collector.before(async () => {
  proc = await switchableProc();
  tmp = await tempDir();
  for (const name of ['alice', 'bob', 'carol']) {
    homes[name] = join(tmp.dir, name);
    await mkdir(homes[name]);
  }
  await writeFile(join(homes.alice, 'data.bin'), Buffer.alloc(200_000, 1));
  aliceBytes = (await lstat(homes.alice)).blocks * 512 + (await lstat(join(homes.alice, 'data.bin'))).blocks * 512;
  homes.eve = join(tmp.dir, 'eve-missing');
});
collector.after(async () => {
  await proc.cleanup();
  await tmp.cleanup();
});

const base = (extra: AccountsCollectorOptions = {}): AccountsCollectorOptions => ({
  procRoot: proc.root, etcRoot: at('etc'), homeOf: (n) => homes[n] ?? join(tmp.dir, 'none', n), walkTickMs: 5, ...extra,
});

collector('should report every account with processes and rss, valid per accountQuotaSchema, CPU from the second scan on', async () => {
  await proc.use('proc-t0');
  let now = 1_000_000;
  const c = new AccountsCollector(base({ quota: 'walk', now: () => now }));
  const a = await c.collect();
  assert.equal(a.map((q) => q.account), ['alice', 'bob', 'carol', 'eve']);
  for (const q of a) assert.ok(accountQuotaSchema.safeParse(q).success, JSON.stringify(q));
  assert.equal(byName(a).alice, { account: 'alice', usedBytes: 0, files: 0, source: 'walk', measuredAt: 0, partial: true, rssBytes: 1500 * 4096, processes: 2 });
  assert.is(byName(a).eve.processes, 0);

  await proc.use('proc-t1');
  now += 5_000;
  const b = byName(await c.collect());
  // 300 ticks over 5 s at 100 Hz = 60 % of one CPU; bob 90 ticks = 18 %.
  assert.equal([b.alice.cpuPct, b.bob.cpuPct, b.carol.cpuPct, b.eve.cpuPct], [60, 18, 0, 0]);
  assert.equal([b.alice.processes, b.bob.processes, b.carol.processes], [3, 2, 0]);
  assert.is(b.bob.rssBytes, 2750 * 4096);
});

collector('should scan /proc at most every scanIntervalMs', async () => {
  await proc.use('proc-t0');
  let now = 0;
  const c = new AccountsCollector(base({ quota: 'walk', now: () => now, scanIntervalMs: 5_000 }));
  await c.collect();
  now = 4_999;
  await c.collect();
  assert.is(c.stats().scan.scans, 1);
  now = 5_000;
  await c.collect();
  assert.is(c.stats().scan.scans, 2);
});

collector('should honour clockTicks in CPU percent', async () => {
  await proc.use('proc-t0');
  const c = new AccountsCollector(base({ quota: 'walk', clockTicks: 250, scanIntervalMs: 0 }));
  await c.collect();
  await proc.use('proc-t1');
  // 200 ticks of pid 100 over 5 s × 250 Hz = 16 %. (At 250 Hz the fixture's starttime of pid 400 falls
  // before the window, so it counts as a process first seen, not as a new one.)
  assert.is(byName(await c.collect()).alice.cpuPct, 16);
});

collector('should walk homes after start(): complete figures, a missing home as 0 with an error', async () => {
  await proc.use('proc-t0');
  const c = new AccountsCollector(base({ quota: 'walk', walkBudgetPerTick: 2 }));
  c.start();
  try {
    await until(async () => (await c.collect()).every((q) => !q.partial));
  } finally {
    await c.stop();
  }
  const q = byName(await c.collect());
  assert.equal([q.alice.usedBytes, q.alice.files, q.alice.source, q.alice.partial], [aliceBytes, 2, 'walk', undefined]);
  assert.ok(q.alice.usedBytes >= 200_000);
  assert.ok(q.alice.measuredAt > Date.now() - 10_000);
  assert.equal([q.eve.usedBytes, q.eve.files], [0, 0]);
  const st = c.stats();
  assert.ok(st.lastErrors.some((e) => /eve-missing: home missing$/.test(e)), st.lastErrors.join('\n'));
  assert.ok(st.walk.passes >= 4);
});

collector('should take disk figures from repquota by uid in mode "repquota", 0 for accounts it does not list', async () => {
  await proc.use('proc-t0');
  const path = await fakeRepquota(tmp.dir, { fixture: 'ids-raw-grace.txt' });
  const c = new AccountsCollector(base({ quota: 'repquota', repquotaPath: path, now: () => 777 }));
  assert.equal(byName(await c.collect()).alice.measuredAt, 0, 'no report before start()');
  c.start();
  await until(() => c.stats().quota.runs > 0);
  await c.stop();
  const q = byName(await c.collect());
  assert.equal(q.alice, {
    account: 'alice', usedBytes: 1_200_000 * KiB, files: 4200, softLimitBytes: 1_000_000 * KiB, hardLimitBytes: 1_500_000 * KiB,
    source: 'quota', measuredAt: 777, rssBytes: 1500 * 4096, processes: 2,
  });
  assert.equal(q.carol, { account: 'carol', usedBytes: 0, files: 0, source: 'quota', measuredAt: 777, rssBytes: 100 * 4096, processes: 1 });
  assert.equal(c.stats().quota, { mode: 'repquota', available: true, runs: 1, failures: 0, lastMs: c.stats().quota.lastMs, lastError: null });
});

collector('should use repquota where it lists the account and walk the others in mode "auto"', async () => {
  await proc.use('proc-t0');
  const path = await fakeRepquota(tmp.dir, { fixture: 'default.txt' }); // names, not ids: alice, bob, carol
  const c = new AccountsCollector(base({ repquotaPath: path, quotaDevices: ['/dev/sda2'] }));
  c.start();
  try {
    await until(async () => (await c.collect()).every((q) => !q.partial));
  } finally {
    await c.stop();
  }
  const q = byName(await c.collect());
  assert.equal([q.alice.source, q.alice.usedBytes], ['quota', 1_200_000 * KiB]);
  assert.equal([q.carol.source, q.carol.files], ['quota', 1500]);
  assert.equal([q.eve.source, q.eve.usedBytes], ['walk', 0]);
});

collector('should quietly walk everyone in mode "auto" when repquota is not installed', async () => {
  await proc.use('proc-t0');
  const c = new AccountsCollector(base({ repquotaPath: join(tmp.dir, 'no-repquota') }));
  c.start();
  try {
    await until(() => c.stats().quota.runs > 0);
    await until(async () => (await c.collect()).every((q) => !q.partial));
  } finally {
    await c.stop();
  }
  assert.ok((await c.collect()).every((q) => q.source === 'walk'));
  const st = c.stats();
  assert.equal([st.quota.available, st.quota.failures], [false, 1]);
  assert.match(st.quota.lastError!, 'not found');
  assert.not.ok(st.lastErrors.some((e) => e.includes('no-repquota')));
});

collector('should refresh one account now: CPU at once and a fresh walk within the budget', async () => {
  // The real /proc, so that time passes between the two scans of a first refresh (the fixture uids have no processes there).
  const c = new AccountsCollector(base({ quota: 'walk', procRoot: undefined }));
  const t0 = Date.now();
  const { quota, stale } = await c.refresh('alice', 2_000);
  assert.is(stale, false);
  assert.equal([quota.usedBytes, quota.files, quota.partial, quota.processes, quota.cpuPct], [aliceBytes, 2, undefined, 0, 0]);
  assert.ok(quota.cpuPct !== undefined, 'no CPU figure');
  assert.ok(Date.now() - t0 < 2_000);
  assert.ok(accountQuotaSchema.safeParse(quota).success);
});

collector('should return the cached figure as stale when the walk does not fit the budget', async () => {
  await proc.use('proc-t0');
  const c = new AccountsCollector(base({ quota: 'walk' }));
  const r = await c.refresh('bob', 0);
  assert.is(r.stale, true);
  assert.equal([r.quota.partial, r.quota.measuredAt], [true, 0]);
});

collector('should re-run repquota on refresh, and give the cached figure as stale when it is too slow', async () => {
  await proc.use('proc-t0');
  const fast = new AccountsCollector(base({ quota: 'repquota', repquotaPath: await fakeRepquota(tmp.dir, { fixture: 'ids-raw-grace.txt' }) }));
  const r = await fast.refresh('bob', 2_000);
  assert.equal([r.stale, r.quota.source, r.quota.usedBytes], [false, 'quota', 52344 * KiB]);

  const slow = new AccountsCollector(base({ quota: 'repquota', repquotaPath: await fakeRepquota(tmp.dir, { sleepS: 3, fixture: 'ids-raw-grace.txt' }) }));
  const t0 = Date.now();
  const s = await slow.refresh('bob', 300);
  assert.ok(Date.now() - t0 < 1_500, `took ${Date.now() - t0} ms`);
  assert.equal([s.stale, s.quota.usedBytes, s.quota.measuredAt], [true, 0, 0]);
  await slow.stop();
});

collector('should reject a refresh of an unknown account', async () => {
  const c = new AccountsCollector(base({ quota: 'walk' }));
  try {
    await c.refresh('mallory', 100);
    assert.unreachable('refresh of an unknown account resolved');
  } catch (e) {
    assert.match((e as Error).message, 'unknown account "mallory"');
  }
});

collector('should report included names passwd lacks, without processes', async () => {
  await proc.use('proc-t0');
  const c = new AccountsCollector(base({ quota: 'walk', include: ['ghost'], exclude: ['eve'] }));
  const q = await c.collect();
  assert.equal(q.map((x) => x.account), ['alice', 'bob', 'carol', 'ghost']);
  assert.equal(byName(q).ghost.processes, 0);
  assert.equal(c.stats().unknownAccounts, ['ghost']);
});

collector('should not throw on garbage /proc files, a missing passwd or a missing /proc, and count the errors', async () => {
  const bad = new AccountsCollector({ procRoot: at('proc-bad'), etcRoot: at('etc'), quota: 'walk', homeOf: () => join(tmp.dir, 'none') });
  const q = byName(await bad.collect());
  assert.equal([q.alice.processes, q.alice.rssBytes], [1, 25 * 4096]);
  assert.ok(bad.stats().errors >= 6); // 2 passwd lines, uptime, 3 process files
  assert.is(bad.stats().scan.vanished, 1);

  const noEtc = new AccountsCollector({ procRoot: at('proc-t0'), etcRoot: at('no-such-etc'), quota: 'walk' });
  assert.equal(await noEtc.collect(), []);
  assert.ok(noEtc.stats().lastErrors.some((e) => e.endsWith('no-such-etc/passwd: ENOENT')));

  const noProc = new AccountsCollector({ procRoot: at('no-such-proc'), etcRoot: at('etc'), quota: 'walk' });
  const r = await noProc.collect();
  assert.is(r.length, 4);
  assert.ok(r.every((x) => x.processes === 0));
});
collector('should leave out an account whose name the hub would refuse, say so, and report the others', async () => {
  const etc = join(tmp.dir, 'etc-odd-names');
  await mkdir(etc, { recursive: true });
  const long = 'l'.repeat(65);
  await writeFile(join(etc, 'passwd'), [
    'alice:x:1001:1001::/home/alice:/bin/bash',
    'bell\u0007:x:1002:1002::/home/bell:/bin/bash',
    `${long}:x:1003:1003::/home/long:/bin/bash`,
  ].join('\n') + '\n');
  const c = new AccountsCollector({ procRoot: at('proc-t0'), etcRoot: etc, quota: 'walk', homeOf: (n) => homes[n] ?? join(tmp.dir, 'none', n) });
  const q = await c.collect();
  assert.equal(q.map((x) => x.account), ['alice']);
  for (const x of q) assert.ok(accountQuotaSchema.safeParse(x).success, JSON.stringify(x));
  const errors = c.stats().lastErrors;
  assert.ok(errors.some((e) => e.startsWith('account "bell\\u0007" left out: the hub would refuse its name')), errors.join('\n'));
  assert.ok(errors.some((e) => e.startsWith(`account "${long}" left out`) && /64/.test(e)), errors.join('\n'));
  // The walk does not spend its budget on them either.
  assert.equal(c.stats().accounts, 1);
});
collector.run();
