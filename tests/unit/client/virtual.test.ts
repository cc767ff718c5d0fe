import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { rowWindow } from '../../../client/src/lib/virtual.js';

const test = suite('rowWindow');
test('should render only the rows in view plus the overscan at the top of a long list', () => {
  assert.equal(rowWindow(500, 40, 0, 400, 5), { start: 0, end: 16, padTop: 0, padBottom: 484 * 40 });
});
test('should move the window with the scroll position and pad above and below', () => {
  const w = rowWindow(500, 40, 4000, 400, 5); // row 100 at the top
  assert.is(w.start, 95);
  assert.is(w.end, 116);
  assert.is(w.padTop, 95 * 40);
  assert.is(w.padTop + (w.end - w.start) * 40 + w.padBottom, 500 * 40, 'the list keeps its full height');
});
test('should clamp at the end of the list and past it', () => {
  const w = rowWindow(500, 40, 10_000_000, 400, 5);
  assert.is(w.end, 500);
  assert.is(w.padBottom, 0);
  assert.ok(w.start < 500);
});
test('should render everything of a short list and nothing of an empty one', () => {
  assert.equal(rowWindow(3, 40, 0, 800), { start: 0, end: 3, padTop: 0, padBottom: 0 });
  assert.equal(rowWindow(0, 40, 0, 800), { start: 0, end: 0, padTop: 0, padBottom: 0 });
});
test('should treat a negative scroll (overscroll bounce) as the top', () => {
  assert.is(rowWindow(100, 40, -50, 400, 2).start, 0);
});
test.run();
