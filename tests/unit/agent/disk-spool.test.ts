import { appendFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { DiskSpool, SpoolDirError } from '../../../agent/disk-spool.js';
import { resumeStream } from '../../../agent/resume.js';
import { sampleAt, seqs } from './_samples.js';

const dirs: string[] = [];
const tempDir = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'rackpulse-spool-'));
  dirs.push(d);
  return d;
};
const segments = (dir: string, stream = 'samples'): string[] => readdirSync(join(dir, stream)).sort();
/** A spool with small segments (about 4 samples each) so tests cross segment boundaries. */
const open = (dir: string, o: Partial<ConstructorParameters<typeof DiskSpool>[0]> = {}): DiskSpool =>
  new DiskSpool({ dir, segmentBytes: 1000, fsyncIntervalMs: 0, stateIntervalMs: 0, ...o });

const spool = suite('DiskSpool');
spool.after(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); });

spool('should return pending items in seq order across several segment files', () => {
  const dir = tempDir();
  const s = open(dir);
  for (let i = 1; i <= 20; i++) s.push('samples', sampleAt(i));
  assert.ok(segments(dir).length >= 4, `segments: ${segments(dir)}`);
  assert.equal(seqs(s.pending('samples')), Array.from({ length: 20 }, (_, i) => i + 1));
  assert.equal(seqs(s.pending('samples', 13)), [14, 15, 16, 17, 18, 19, 20]);
  assert.equal(s.pending('samples')[4], sampleAt(5));
  s.close();
});

spool('should drop acked items, say how many and delete segments wholly acked', () => {
  const dir = tempDir();
  const s = open(dir);
  for (let i = 1; i <= 20; i++) s.push('samples', sampleAt(i));
  const before = segments(dir).length;
  assert.is(s.ack('samples', 12), 12);
  assert.is(s.ack('samples', 5), 0);
  assert.equal(seqs(s.pending('samples')), [13, 14, 15, 16, 17, 18, 19, 20]);
  assert.is(s.size('samples'), 8);
  assert.ok(segments(dir).length < before);
  assert.is(s.ack('samples', 20), 8);
  assert.is(s.size(), 0);
  s.close();
});

spool('should keep unacked items and the last seq per stream when reopened on the same directory', () => {
  const dir = tempDir();
  const a = open(dir);
  for (let i = 1; i <= 10; i++) a.push('samples', sampleAt(i));
  a.push('quota', { seq: 1, t: 1, accounts: [] });
  a.push('quota', { seq: 2, t: 2, accounts: [] });
  a.ack('samples', 6);
  a.ack('quota', 2);
  a.close();

  const b = open(dir);
  assert.equal(b.recovery.items, { samples: 4, quota: 0, services: 0 });
  assert.equal(seqs(b.pending('samples')), [7, 8, 9, 10]);
  assert.is(b.lastSeq('samples'), 10);
  // Everything on quota was acked and its files deleted, yet the numbering continues.
  assert.is(b.lastSeq('quota'), 2);
  assert.is(b.lastSeq('services'), 0);
  b.push('samples', sampleAt(11));
  b.close();
  const c = open(dir);
  assert.equal(seqs(c.pending('samples')), [7, 8, 9, 10, 11]);
  c.close();
});

spool('should keep items after a crash (no close) and carry an acked watermark above every item', () => {
  const dir = tempDir();
  const a = open(dir);
  for (let i = 1; i <= 5; i++) a.push('samples', sampleAt(i));
  a.ack('samples', 3);
  a.ack('services', 40);
  // No close(): the process died.
  const b = open(dir);
  assert.equal(seqs(b.pending('samples')), [4, 5]);
  assert.is(b.lastSeq('services'), 40);
  b.close();
  a.close();
});

spool('should resend after a crash what was acknowledged since the last state write, and nothing acknowledged after flush()', () => {
  const dir = tempDir();
  const a = open(dir, { stateIntervalMs: 60_000 });
  for (let i = 1; i <= 5; i++) a.push('samples', sampleAt(i));
  a.ack('samples', 3);
  assert.is(a.stats().stateWrites, 1); // the one proving the directory writable; the ack's is not due yet
  // No close(): the process died before the state was due. Every unacknowledged item is there, and more.
  const b = open(dir);
  assert.equal(seqs(b.pending('samples')), [1, 2, 3, 4, 5]);
  b.close();
  a.flush();
  const c = open(dir);
  assert.equal(seqs(c.pending('samples')), [4, 5]);
  c.close();
  a.close();
});

spool('should fdatasync only items not acknowledged by the time their sync is due', () => {
  const s = open(tempDir(), { fsyncIntervalMs: 60_000, stateIntervalMs: 60_000 });
  s.push('samples', sampleAt(1));
  s.push('samples', sampleAt(2));
  s.ack('samples', 2);
  s.flush();
  assert.equal([s.stats().fsyncs, s.stats().fsyncsSkipped], [0, 1]);
  s.push('samples', sampleAt(3));
  s.flush();
  assert.equal([s.stats().fsyncs, s.stats().fsyncsSkipped], [1, 1]);
  s.push('samples', sampleAt(4));
  s.close();
  assert.is(s.stats().fsyncs, 2);
});

spool('should drop the oldest items when the item bound is hit, count them and report the range', () => {
  const dir = tempDir();
  const s = open(dir, { maxItems: 5 });
  const drops = [];
  for (let i = 1; i <= 12; i++) {
    const d = s.push('samples', sampleAt(i));
    if (d) drops.push(d);
  }
  assert.equal(seqs(s.pending('samples')), [8, 9, 10, 11, 12]);
  assert.is(s.dropped('samples'), 7);
  assert.equal(drops[0], { count: 1, firstSeq: 1, lastSeq: 1 });
  assert.equal(drops.at(-1), { count: 1, firstSeq: 7, lastSeq: 7 });
  s.close();
  // The drop survives a restart: the dropped items do not come back.
  const again = open(dir, { maxItems: 5 });
  assert.equal(seqs(again.pending('samples')), [8, 9, 10, 11, 12]);
  again.close();
});

spool('should drop the oldest items when the byte bound is hit', () => {
  const dir = tempDir();
  const one = JSON.stringify(sampleAt(1)).length + 1;
  const s = open(dir, { maxBytes: one * 3 + 5 });
  for (let i = 1; i <= 6; i++) s.push('samples', sampleAt(i));
  assert.equal(seqs(s.pending('samples')), [4, 5, 6]);
  assert.is(s.dropped('samples'), 3);
  assert.ok(s.bytes('samples') <= one * 3 + 5);
  s.close();
});

spool('should drop the excess at once when reopened with a smaller bound', () => {
  const dir = tempDir();
  const a = open(dir);
  for (let i = 1; i <= 10; i++) a.push('samples', sampleAt(i));
  a.close();
  const b = open(dir, { maxItems: 3 });
  assert.equal(seqs(b.pending('samples')), [8, 9, 10]);
  assert.is(b.dropped('samples'), 7);
  b.close();
});

spool('should ignore a torn last line after a crash, cut it off and append after it', () => {
  const dir = tempDir();
  const a = open(dir);
  for (let i = 1; i <= 3; i++) a.push('samples', sampleAt(i));
  const last = join(dir, 'samples', segments(dir).at(-1)!);
  appendFileSync(last, JSON.stringify(sampleAt(4)).slice(0, 40));
  const b = open(dir);
  assert.is(b.recovery.torn, 1);
  assert.equal(seqs(b.pending('samples')), [1, 2, 3]);
  assert.ok(readFileSync(last, 'utf8').endsWith('}\n'));
  b.push('samples', sampleAt(4));
  b.close();
  const c = open(dir);
  assert.equal(seqs(c.pending('samples')), [1, 2, 3, 4]);
  assert.is(c.recovery.torn, 0);
  c.close();
  a.close();
});

spool('should skip a damaged line in the middle and a damaged state file, keeping the rest', () => {
  const dir = tempDir();
  const a = open(dir, { segmentBytes: 1 << 20 });
  a.push('samples', sampleAt(1));
  a.close();
  const seg = join(dir, 'samples', segments(dir)[0]);
  appendFileSync(seg, '{"seq": "garbage"}\n');
  writeFileSync(join(dir, 'state.json'), '{not json');
  const b = open(dir, { segmentBytes: 1 << 20 });
  b.push('samples', sampleAt(2));
  assert.is(b.recovery.corrupt, 1);
  assert.ok(b.recovery.warnings.some((w) => /state\.json/.test(w)));
  assert.equal(seqs(b.pending('samples')), [1, 2]);
  b.close();
});

spool('should continue numbers after renumbering by resume and a restart', () => {
  const dir = tempDir();
  const a = open(dir);
  for (let i = 1; i <= 4; i++) a.push('samples', sampleAt(i));
  // The hub holds seqs up to 5000 from an earlier history: unsent items move past it.
  resumeStream(a, 'samples', 5000, 0);
  assert.equal(seqs(a.pending('samples')), [5001, 5002, 5003, 5004]);
  const b = open(dir);
  assert.equal(seqs(b.pending('samples')), [5001, 5002, 5003, 5004]);
  assert.is(b.lastSeq('samples'), 5004);
  b.close();
  a.close();
});

spool('should refuse an item whose seq is not above the last one held', () => {
  const s = open(tempDir());
  s.push('samples', sampleAt(5));
  assert.throws(() => s.push('samples', sampleAt(5)), /seq 5 is not above/);
  s.close();
});

spool('should throw a SpoolDirError naming the directory when it cannot be created', () => {
  const file = join(tempDir(), 'a-file');
  writeFileSync(file, 'x');
  const dir = join(file, 'spool');
  try {
    open(dir);
    assert.unreachable('should have thrown');
  } catch (e) {
    assert.instance(e, SpoolDirError);
    assert.match((e as Error).message, dir);
    assert.match((e as Error).message, /ENOTDIR|EEXIST/);
    assert.match((e as Error).message, 'RACKPULSE_SPOOL_DIR');
  }
  assert.not.ok(existsSync(dir));
});

spool('should throw a SpoolDirError at once for a directory the kernel will not create', () => {
  assert.throws(() => open('/proc/rackpulse-spool-test/x'), (e: Error) => e instanceof SpoolDirError && /ENOENT|EACCES|EROFS|EPERM/.test(e.message));
});

spool('should refuse bounds that are not positive integers', () => {
  assert.throws(() => open(tempDir(), { maxItems: 0 }), RangeError);
  assert.throws(() => open(tempDir(), { maxBytes: 1.5 }), RangeError);
  assert.throws(() => open(tempDir(), { stateIntervalMs: -1 }), RangeError);
});

spool.run();
