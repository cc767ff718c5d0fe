import { spawn, type ChildProcess } from 'node:child_process';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { cp, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ProcessScanner } from '../../../../agent/accounts/process-scan.js';
import { at, switchableProc, tempDir } from './_fixtures.js';

const ALICE = 1001;
const BOB = 1002;
const CAROL = 1003;
const ACCOUNTS = new Set([ALICE, BOB, CAROL]);
const PAGE = 4096;

const scanner = suite('ProcessScanner');
let proc: Awaited<ReturnType<typeof switchableProc>>;
scanner.before(async () => { proc = await switchableProc(); });
scanner.after(async () => { await proc.cleanup(); });

scanner('should count processes and rss per account uid on a first scan, with no CPU window yet', async () => {
  await proc.use('proc-t0');
  const s = new ProcessScanner({ procRoot: proc.root, now: () => 0 });
  const r = await s.scan(ACCOUNTS);
  assert.is(r.elapsedS, null);
  assert.equal(Object.fromEntries(r.byUid), {
    [ALICE]: { processes: 2, rssBytes: 1500 * PAGE, ticks: 0 },
    [BOB]: { processes: 2, rssBytes: 2800 * PAGE, ticks: 0 },
    [CAROL]: { processes: 1, rssBytes: 100 * PAGE, ticks: 0 },
  });
  const st = s.stats();
  assert.equal([st.pids, st.statReads, st.statusReads, st.skipped, st.errors, st.vanished], [7, 7, 7, 0, 0, 0]);
});

scanner('should give CPU ticks between scans: increases, new processes in full, reaped children once, reused pids as new', async () => {
  await proc.use('proc-t0');
  let now = 0;
  const s = new ProcessScanner({ procRoot: proc.root, now: () => now });
  await s.scan(ACCOUNTS);
  await proc.use('proc-t1');
  now = 5000;
  const r = await s.scan(ACCOUNTS);
  assert.is(r.elapsedS, 5); // from /proc/uptime: 1000.00 → 1005.00
  // alice: pid 100 +200 ticks, 101 +0, 400 started in the window: all its 100 ticks.
  assert.equal(r.byUid.get(ALICE), { processes: 3, rssBytes: 2000 * PAGE, ticks: 300 });
  // bob: pid 200 own +30, plus reaped child 201 (seen at 50 ticks, ended at 85): +35 only;
  // pid 300 was carol's, now a new process of bob's (starttime changed): all its 25 ticks.
  assert.equal(r.byUid.get(BOB), { processes: 2, rssBytes: 2750 * PAGE, ticks: 90 });
  assert.is(r.byUid.has(CAROL), false);
});

scanner('should skip cached non-account pids and read status only for new or reused pids', async () => {
  await proc.use('proc-t0');
  let now = 0;
  const s = new ProcessScanner({ procRoot: proc.root, now: () => now });
  await s.scan(ACCOUNTS);
  await proc.use('proc-t1');
  now = 5000;
  await s.scan(ACCOUNTS);
  const st = s.stats();
  // pids 1 and 2 are root's: nothing read; 300 (reused) and 400 (new) need their uid.
  assert.equal([st.pids, st.statReads, st.statusReads, st.skipped], [7, 5, 2, 2]);
  assert.equal([st.totalStatReads, st.totalStatusReads, st.scans], [12, 9, 2]);
});

scanner('should re-read every uid once uidTtlMs has passed', async () => {
  await proc.use('proc-t0');
  let now = 0;
  const s = new ProcessScanner({ procRoot: proc.root, now: () => now, uidTtlMs: 60_000 });
  await s.scan(ACCOUNTS);
  now = 59_999;
  await s.scan(ACCOUNTS);
  assert.equal([s.stats().statReads, s.stats().statusReads], [5, 0]);
  now = 60_000;
  await s.scan(ACCOUNTS);
  assert.equal([s.stats().statReads, s.stats().statusReads], [7, 7]);
});

scanner('should wait twice as long, up to uidMaxTtlMs, after each re-read that found the same uid', async () => {
  await proc.use('proc-t0');
  let now = 0;
  const s = new ProcessScanner({ procRoot: proc.root, now: () => now, uidTtlMs: 60_000, uidMaxTtlMs: 120_000 });
  await s.scan(ACCOUNTS);
  now = 60_000;
  await s.scan(ACCOUNTS);
  assert.is(s.stats().statusReads, 7);
  now = 179_999;
  await s.scan(ACCOUNTS);
  assert.equal([s.stats().statReads, s.stats().statusReads], [5, 0]);
  now = 180_000;
  await s.scan(ACCOUNTS);
  assert.is(s.stats().statusReads, 7);
  // Capped: 120 s again, not 240 s.
  now = 300_000;
  await s.scan(ACCOUNTS);
  assert.is(s.stats().statusReads, 7);
});

scanner('should use pageSize for rss and a clock-time window when uptime is unreadable', async () => {
  const tmp = await tempDir();
  try {
    await cp(at('proc-t0'), tmp.dir, { recursive: true });
    await rm(join(tmp.dir, 'uptime'));
    let now = 0;
    const errors: string[] = [];
    const s = new ProcessScanner({ procRoot: tmp.dir, now: () => now, pageSize: 16384, onError: (m) => errors.push(m) });
    const a = await s.scan(new Set([CAROL]));
    assert.equal(a.byUid.get(CAROL), { processes: 1, rssBytes: 100 * 16384, ticks: 0 });
    now = 2500;
    await writeFile(join(tmp.dir, '300', 'stat'), (await import('node:fs')).readFileSync(join(tmp.dir, '300', 'stat'), 'utf8').replace(' S 1 300 300 0 -1 4194560 1200 0 3 0 0 0 ', ' S 1 300 300 0 -1 4194560 1200 0 3 0 40 10 '));
    const b = await s.scan(new Set([CAROL]));
    assert.is(b.elapsedS, 2.5);
    assert.is(b.byUid.get(CAROL)!.ticks, 50);
    assert.is(errors.length, 2);
    assert.match(errors[0], /uptime: ENOENT$/);
  } finally {
    await tmp.cleanup();
  }
});

scanner('should count garbage files as errors, a vanished process silently, and keep the good ones', async () => {
  const errors: string[] = [];
  const s = new ProcessScanner({ procRoot: at('proc-bad'), onError: (m) => errors.push(m) });
  const r = await s.scan(new Set([ALICE]));
  assert.equal(Object.fromEntries(r.byUid), { [ALICE]: { processes: 1, rssBytes: 25 * PAGE, ticks: 0 } });
  const st = s.stats();
  assert.equal([st.errors, st.vanished], [4, 1]);
  assert.equal(errors.map((e) => e.replace(at('proc-bad'), '')).sort(), [
    '/10/stat: no "(comm)" in stat line',
    '/11/status: no valid "Uid:" line',
    '/13/stat: malformed stat line "13 (trunc) S 1 13 13 0 -1"',
    '/uptime: malformed uptime',
  ]);
});

scanner('should not throw when the proc root is missing', async () => {
  const errors: string[] = [];
  const s = new ProcessScanner({ procRoot: at('no-such-proc'), onError: (m) => errors.push(m) });
  const r = await s.scan(ACCOUNTS);
  assert.is(r.byUid.size, 0);
  assert.ok(errors.some((e) => e.endsWith('no-such-proc: ENOENT')));
});

scanner('should read the real /proc and find this process under its uid', async () => {
  const uid = process.getuid!();
  const s = new ProcessScanner({ batchSize: 16 });
  await s.scan(new Set([uid]));
  const r = await s.scan(new Set([uid]));
  const mine = r.byUid.get(uid);
  assert.ok(mine && mine.processes >= 1 && mine.rssBytes > 10_000_000);
  assert.ok(r.elapsedS !== null && r.elapsedS >= 0);
  assert.is(s.stats().errors, 0);
});
scanner('should keep account pids\' stat files open on the real /proc, with the same figures, and close them when the processes end', async () => {
  // Children of a uid of their own (as root: nobody), so the counts are exactly theirs.
  const asRoot = process.getuid!() === 0;
  const uid = asRoot ? 65534 : process.getuid!();
  const kids: ChildProcess[] = [];
  for (let i = 0; i < 3; i++) {
    const c = spawn('sleep', ['30'], { uid, gid: asRoot ? 65534 : process.getgid!(), stdio: 'ignore' });
    kids.push(c);
    await new Promise((r) => c.once('spawn', r));
  }
  await new Promise((r) => setTimeout(r, 50));
  const kept = new ProcessScanner();
  const fresh = new ProcessScanner({ keepOpen: false });
  try {
    await kept.scan(new Set([uid]));
    const a = await kept.scan(new Set([uid]));
    const b = await fresh.scan(new Set([uid]));
    const mine = a.byUid.get(uid)!;
    assert.ok(mine.processes >= 3);
    assert.is(kept.openFiles, mine.processes);
    assert.is(mine.processes, b.byUid.get(uid)!.processes);
    assert.is(fresh.openFiles, 0);
    // Second scan of `kept`: every stat came through a kept file, none reopened.
    assert.is(kept.stats().statusReads, 0);
    for (const c of kids) c.kill('SIGKILL');
    await Promise.all(kids.map((c) => new Promise((r) => (c.exitCode !== null || c.signalCode !== null ? r(null) : c.once('exit', r)))));
    const after = await kept.scan(new Set([uid]));
    assert.is(kept.openFiles, mine.processes - 3);
    assert.is(after.byUid.get(uid)?.processes ?? 0, mine.processes - 3);
    assert.is(kept.stats().errors, 0);
    // Not an account any more: its files are closed.
    await kept.scan(new Set([4_000_000_000]));
    assert.is(kept.openFiles, 0);
  } finally {
    for (const c of kids) c.kill('SIGKILL');
    kept.close();
  }
});
scanner.run();
