import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { LivePoint } from '../../../protocol/live.schema.js';
import { sparkline } from '../../../client/src/lib/sparkline.js';

function point(t: number, cpuPct: number, load1 = 0): LivePoint {
  return {
    t, load1, load5: 0, load15: 0, cpuPct, memUsedBytes: 0, memTotalBytes: 1,
    netRxBps: 0, netTxBps: 0, diskReadBps: 0, diskWriteBps: 0,
  };
}
const cpu = (p: LivePoint) => p.cpuPct;
const load = (p: LivePoint) => p.load1;

const spark = suite('sparkline');
spark('should map time to x over the window ending at the newest point, and value to y from the bottom', () => {
  const pts = [point(0, 0), point(5000, 50), point(10000, 100)];
  const line = sparkline(pts, cpu, { width: 100, height: 10, windowMs: 10000, max: 100 });
  assert.equal(line.segments, ['0,10 50,5 100,0']);
  assert.is(line.max, 100);
});
spark('should leave out points older than the window', () => {
  const pts = [point(0, 10), point(20000, 10), point(30000, 10)];
  const line = sparkline(pts, cpu, { width: 100, height: 10, windowMs: 10000, max: 100, gapMs: 60000 });
  assert.equal(line.segments, ['0,9 100,9']);
});
spark('should break the line where points are further apart than gapMs', () => {
  const pts = [point(0, 0), point(1000, 0), point(9000, 0), point(10000, 0)];
  const line = sparkline(pts, cpu, { width: 10, height: 10, windowMs: 10000, max: 100, gapMs: 5000 });
  assert.equal(line.segments, ['0,10 1,10', '9,10 10,10']);
});
spark('should scale to the largest value, but never below floorMax', () => {
  const busy = sparkline([point(0, 0, 4), point(1000, 0, 2)], load, { width: 10, height: 10, windowMs: 1000 });
  assert.is(busy.max, 4);
  assert.equal(busy.segments, ['0,0 10,5']);
  const idle = sparkline([point(0, 0, 0.1)], load, { width: 10, height: 10, windowMs: 1000 });
  assert.is(idle.max, 1);
});
spark('should clamp values above a fixed max to the top edge', () => {
  const line = sparkline([point(0, 150), point(1000, 150)], cpu, { width: 10, height: 10, windowMs: 1000, max: 100 });
  assert.equal(line.segments, ['0,0 10,0']);
});
spark('should return no segments for no points', () => {
  assert.equal(sparkline([], cpu, { width: 10, height: 10, windowMs: 1000 }).segments, []);
});
spark.run();
