import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { MemorySpool, DEFAULT_SPOOL_LIMIT } from '../../../agent/spool.js';
import { sampleAt, seqs } from './_samples.js';

const spool = suite('MemorySpool');

spool('should return pending items in seq order, after a given seq', () => {
  const s = new MemorySpool();
  for (let i = 1; i <= 5; i++) s.push('samples', sampleAt(i));
  assert.equal(seqs(s.pending('samples')), [1, 2, 3, 4, 5]);
  assert.equal(seqs(s.pending('samples', 3)), [4, 5]);
  assert.equal(seqs(s.pending('samples', 5)), []);
});

spool('should drop everything at or below an acked seq and say how many', () => {
  const s = new MemorySpool();
  for (let i = 1; i <= 5; i++) s.push('samples', sampleAt(i));
  assert.is(s.ack('samples', 3), 3);
  assert.equal(seqs(s.pending('samples')), [4, 5]);
  assert.is(s.ack('samples', 2), 0);
  assert.is(s.ack('samples', 99), 2);
  assert.is(s.size(), 0);
});

spool('should keep streams apart', () => {
  const s = new MemorySpool();
  s.push('samples', sampleAt(1));
  s.push('quota', { seq: 1, t: 1, accounts: [] });
  s.push('quota', { seq: 2, t: 2, accounts: [] });
  s.ack('quota', 2);
  assert.is(s.size('samples'), 1);
  assert.is(s.size('quota'), 0);
  assert.is(s.size(), 1);
});

spool('should hold 3600 items per stream by default', () => {
  assert.is(DEFAULT_SPOOL_LIMIT, 3600);
  const s = new MemorySpool();
  for (let i = 1; i <= 3601; i++) s.push('samples', sampleAt(i));
  assert.is(s.size('samples'), 3600);
  assert.is(s.pending('samples')[0].seq, 2);
  assert.is(s.dropped('samples'), 1);
});

spool('should drop the oldest and count them when full', () => {
  const s = new MemorySpool({ samples: 3 });
  for (let i = 1; i <= 10; i++) s.push('samples', sampleAt(i));
  assert.equal(seqs(s.pending('samples')), [8, 9, 10]);
  assert.is(s.dropped('samples'), 7);
  assert.is(s.dropped('quota'), 0);
});

spool('should stay in order across many drops and acks', () => {
  const s = new MemorySpool(1000);
  for (let i = 1; i <= 10_000; i++) {
    s.push('samples', sampleAt(i));
    if (i % 7 === 0) s.ack('samples', i - 500);
  }
  // The last ack was at i = 9996 (7 × 1428): everything ≤ 9496 is gone.
  const p = seqs(s.pending('samples'));
  assert.is(p[0], 9497);
  assert.is(p.length, 504);
  assert.ok(p.every((v, i) => i === 0 || v === p[i - 1] + 1));
});

spool('should return the range a push dropped, or null', () => {
  const s = new MemorySpool({ samples: 2 });
  assert.is(s.push('samples', sampleAt(1)), null);
  assert.is(s.push('samples', sampleAt(2)), null);
  assert.equal(s.push('samples', sampleAt(3)), { count: 1, firstSeq: 1, lastSeq: 1 });
});

spool('should give the highest seq pushed or acknowledged as lastSeq', () => {
  const s = new MemorySpool();
  assert.is(s.lastSeq('samples'), 0);
  s.push('samples', sampleAt(4));
  s.ack('samples', 4);
  assert.is(s.lastSeq('samples'), 4);
  s.ack('quota', 9);
  assert.is(s.lastSeq('quota'), 9);
});

spool('should refuse an item whose seq is not above the last one held', () => {
  const s = new MemorySpool();
  s.push('samples', sampleAt(5));
  assert.throws(() => s.push('samples', sampleAt(5)), /seq 5 is not above/);
  assert.throws(() => s.push('samples', sampleAt(4)), RangeError);
});

spool('should refuse a limit that is not a positive integer', () => {
  assert.throws(() => new MemorySpool(0), RangeError);
  assert.throws(() => new MemorySpool({ quota: 1.5 }), RangeError);
});
spool.run();
