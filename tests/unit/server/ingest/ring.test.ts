import { suite } from 'uvu';
import * as assert from 'uvu/assert';
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
