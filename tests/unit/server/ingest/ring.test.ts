import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Ring } from '../../../../server/ingest/ring.js';

const ring = suite('Ring');

ring('should be empty when new', () => {
  const r = new Ring<number>(3);
  assert.is(r.size, 0);
  assert.is(r.capacity, 3);
  assert.is(r.last(), undefined);
  assert.equal(r.toArray(), []);
});

ring('should keep items oldest first while below capacity', () => {
  const r = new Ring<string>(4);
  r.push('a'); r.push('b'); r.push('c');
  assert.is(r.size, 3);
  assert.equal(r.toArray(), ['a', 'b', 'c']);
  assert.is(r.last(), 'c');
});

ring('should hold exactly capacity items when filled to capacity', () => {
  const r = new Ring<number>(3);
  for (const n of [1, 2, 3]) r.push(n);
  assert.is(r.size, 3);
  assert.equal(r.toArray(), [1, 2, 3]);
  assert.is(r.last(), 3);
});

ring('should drop the oldest item when full', () => {
  const r = new Ring<number>(3);
  for (const n of [1, 2, 3, 4]) r.push(n);
  assert.is(r.size, 3);
  assert.equal(r.toArray(), [2, 3, 4]);
  assert.is(r.last(), 4);
});

ring('should keep the last capacity items in order after wrapping several times', () => {
  const r = new Ring<number>(3);
  for (let n = 1; n <= 10; n++) {
    r.push(n);
    // After pushing n, the ring holds max(1, n-2)..n.
    const from = Math.max(1, n - 2);
    assert.equal(r.toArray(), Array.from({ length: n - from + 1 }, (_, i) => from + i), `after ${n}`);
    assert.is(r.last(), n);
  }
  assert.is(r.size, 3);
});

ring('should keep only the newest item with capacity 1', () => {
  const r = new Ring<string>(1);
  r.push('a');
  assert.equal(r.toArray(), ['a']);
  r.push('b');
  r.push('c');
  assert.is(r.size, 1);
  assert.equal(r.toArray(), ['c']);
  assert.is(r.last(), 'c');
});

ring('should return a copy from toArray that does not change the ring', () => {
  const r = new Ring<number>(2);
  r.push(1); r.push(2);
  const a = r.toArray();
  a.push(99); a[0] = -1;
  assert.equal(r.toArray(), [1, 2]);
});

ring('should keep falsy items and report them from last()', () => {
  const r = new Ring<number | null>(2);
  r.push(0);
  assert.is(r.last(), 0);
  r.push(null);
  assert.is(r.last(), null);
  assert.equal(r.toArray(), [0, null]);
});

ring.run();

import { PointRing } from '../../../../server/ingest/ring.js';
const points = suite('PointRing');
const pt = (t: number) => ({ t, load1: t / 10, load5: 0.5, load15: 0.25, cpuPct: 12.5, memUsedBytes: 2 ** 40 + t, memTotalBytes: 2 ** 41, netRxBps: 1, netTxBps: 2, diskReadBps: 3, diskWriteBps: 4 });
points('should give back the points pushed, field for field, oldest first', () => {
  const r = new PointRing<ReturnType<typeof pt>>(3);
  r.push(pt(1)); r.push(pt(2));
  assert.equal(r.toArray(), [pt(1), pt(2)]);
  assert.equal(r.last(), pt(2));
});
points('should keep only the newest `capacity` points once full', () => {
  const r = new PointRing<ReturnType<typeof pt>>(3);
  for (let t = 1; t <= 7; t++) r.push(pt(t));
  assert.is(r.size, 3);
  assert.equal(r.toArray().map((p) => p.t), [5, 6, 7]);
});
points('should be empty with no last point before any push', () => {
  const r = new PointRing<ReturnType<typeof pt>>(2);
  assert.is(r.last(), undefined);
  assert.equal(r.toArray(), []);
});
points.run();
