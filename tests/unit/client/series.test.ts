import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { bandColumns, liveColumns } from '../../../client/src/lib/series.js';
import type { LivePoint } from '../../../protocol/live.schema.js';

const p = (t: number, avg: number) => ({ t, count: 60, avg, min: avg - 1, max: avg + 1 });

const band = suite('bandColumns');
band('should turn buckets into seconds and min/avg/max columns', () => {
  const c = bandColumns([p(60_000, 5), p(120_000, 6)], 60);
  assert.equal(c, { t: [60, 120], min: [4, 5], avg: [5, 6], max: [6, 7] });
});
band('should insert a null row (a gap, not a zero) where buckets are missing', () => {
  const c = bandColumns([p(0, 5), p(60_000, 6), p(300_000, 7)], 60);
  assert.equal(c.t, [0, 60, 120, 300]);
  assert.equal(c.avg, [5, 6, null, 7]);
  assert.equal(c.min, [4, 5, null, 6]);
});
band('should sort the buckets and drop duplicates', () => {
  const c = bandColumns([p(120_000, 2), p(60_000, 1), p(120_000, 9)], 60);
  assert.equal(c.avg, [1, 2]);
});
band('should leave gaps at the edges of the range asked for when data starts late or ends early', () => {
  const c = bandColumns([p(600_000, 1)], 60, { from: 0, to: 1_200_000 });
  assert.equal(c.t, [0, 600, 660]);
  assert.equal(c.avg, [null, 1, null]);
});
band('should give one gap row for an empty range', () => {
  assert.equal(bandColumns([], 60, { from: 0, to: 1 }).avg, [null]);
  assert.equal(bandColumns([], 60).t, []);
});
band.run();

const live = suite('liveColumns');
const lp = (t: number, load1: number) => ({ t, load1, load5: 0, load15: 0, cpuPct: 0, memUsedBytes: 0, memTotalBytes: 1, netRxBps: 0, netTxBps: 0, diskReadBps: 0, diskWriteBps: 0 }) as LivePoint;
live('should break the line where the agent was away longer than the gap', () => {
  const [t, load] = liveColumns([lp(1000, 1), lp(2000, 2), lp(20_000, 3)], [(x) => x.load1]);
  assert.equal(t, [1, 2, 3, 20]);
  assert.equal(load, [1, 2, null, 3]);
});
live.run();
