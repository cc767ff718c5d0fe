import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { coalescer, type Schedule } from '../../../client/src/lib/coalesce.js';

/** A manual scheduler: `run()` fires what was scheduled. */
function manual() {
  let pending: (() => void) | null = null;
  let scheduled = 0;
  const schedule: Schedule = (fn) => {
    scheduled++;
    pending = fn;
    return () => { if (pending === fn) pending = null; };
  };
  return { schedule, run: () => { const f = pending; pending = null; f?.(); }, get scheduled() { return scheduled; } };
}

const test = suite('coalescer');
test('should apply every update pushed before the turn once, in order', () => {
  const m = manual();
  const applied: number[][] = [];
  const c = coalescer<number>((xs) => applied.push(xs), m.schedule);
  c.push(1); c.push(2); c.push(3);
  assert.is(m.scheduled, 1, 'one turn scheduled for three updates');
  assert.equal(applied, []);
  m.run();
  assert.equal(applied, [[1, 2, 3]]);
  c.push(4);
  m.run();
  assert.equal(applied, [[1, 2, 3], [4]]);
});
test('should apply at once on flush and not again on the scheduled turn', () => {
  const m = manual();
  const applied: number[][] = [];
  const c = coalescer<number>((xs) => applied.push(xs), m.schedule);
  c.push(1);
  c.flush();
  m.run();
  assert.equal(applied, [[1]]);
});
test('should drop what is queued on cancel (a snapshot replaces it)', () => {
  const m = manual();
  const applied: number[][] = [];
  const c = coalescer<number>((xs) => applied.push(xs), m.schedule);
  c.push(1); c.push(2);
  c.cancel();
  m.run();
  assert.equal(applied, []);
  assert.is(c.pending, 0);
});
test.run();
