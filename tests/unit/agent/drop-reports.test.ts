import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { DropReports } from '../../../agent/drop-reports.js';

const drops = suite('DropReports');
drops('should report a drop at once with the range and the total since start', () => {
  let now = 10_000;
  const d = new DropReports(5000, () => now);
  assert.is(d.dueIn(), null);
  d.note('samples', { count: 2, firstSeq: 1, lastSeq: 2 });
  assert.is(d.dueIn(), 0);
  assert.equal(d.take(() => 2), [{ stream: 'samples', dropped: 2, firstSeq: 1, lastSeq: 2, t: 10_000 }]);
  assert.is(d.dueIn(), null);
});
drops('should coalesce drops within the interval into one report spanning them', () => {
  let now = 10_000;
  const d = new DropReports(5000, () => now);
  d.note('samples', { count: 1, firstSeq: 1, lastSeq: 1 });
  d.take(() => 1);
  now += 1000;
  d.note('samples', { count: 1, firstSeq: 2, lastSeq: 2 });
  d.note('samples', { count: 1, firstSeq: 3, lastSeq: 3 });
  assert.is(d.dueIn(), 4000);
  assert.equal(d.take(() => 3), []);
  now += 4000;
  assert.equal(d.take(() => 3), [{ stream: 'samples', dropped: 3, firstSeq: 2, lastSeq: 3, t: 15_000 }]);
});
drops('should report everything pending when forced (a new connection)', () => {
  let now = 10_000;
  const d = new DropReports(5000, () => now);
  d.note('quota', { count: 1, firstSeq: 7, lastSeq: 7 });
  d.take(() => 1);
  d.note('quota', { count: 1, firstSeq: 8, lastSeq: 8 });
  d.note('services', { count: 1, firstSeq: 3, lastSeq: 3 });
  assert.equal(d.take(() => 2, true).map((m) => [m.stream, m.firstSeq, m.lastSeq]), [['quota', 8, 8], ['services', 3, 3]]);
});
drops.run();
