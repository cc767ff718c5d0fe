import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { resumeStream } from '../../../agent/resume.js';
import { MemorySpool } from '../../../agent/spool.js';
import { samplesFrom, seqs } from './_samples.js';

const filled = (first: number, n: number): MemorySpool => {
  const s = new MemorySpool();
  for (const x of samplesFrom(first, n)) s.push('samples', x);
  return s;
};

const resume = suite('resumeStream');

resume('should drop items at or below the watermark and keep the rest to resend', () => {
  const s = filled(1, 10);
  // 1..8 were sent before the connection dropped; the hub made 1..5 durable.
  assert.equal(resumeStream(s, 'samples', 5, 8), { renumbered: 0, floor: 10 });
  assert.equal(seqs(s.pending('samples')), [6, 7, 8, 9, 10]);
});

resume('should keep everything when the hub has nothing', () => {
  const s = filled(1, 3);
  assert.equal(resumeStream(s, 'samples', 0, 0), { renumbered: 0, floor: 3 });
  assert.equal(seqs(s.pending('samples')), [1, 2, 3]);
});

resume('should renumber unsent items past a watermark left by an earlier run', () => {
  const s = filled(1, 4);
  assert.equal(resumeStream(s, 'samples', 5000, 0), { renumbered: 4, floor: 5004 });
  const p = s.pending('samples');
  assert.equal(seqs(p), [5001, 5002, 5003, 5004]);
  // Content and order kept: the first item still has the first timestamp.
  assert.is(p[0].t, 1_700_000_001_000);
});

resume('should renumber all unsent items when the watermark falls among them', () => {
  const s = filled(3, 8);
  assert.equal(resumeStream(s, 'samples', 5, 0).renumbered, 8);
  assert.equal(seqs(s.pending('samples')), [6, 7, 8, 9, 10, 11, 12, 13]);
});

resume('should drop sent items and renumber only unsent ones', () => {
  const s = filled(1, 6);
  // 1..3 were sent in this run; the hub reports 100 (another run got further).
  assert.equal(resumeStream(s, 'samples', 100, 3), { renumbered: 3, floor: 103 });
  assert.equal(seqs(s.pending('samples')), [101, 102, 103]);
});

resume('should report the watermark as floor when nothing is held', () => {
  assert.equal(resumeStream(new MemorySpool(), 'quota', 42, 0), { renumbered: 0, floor: 42 });
});
resume.run();
