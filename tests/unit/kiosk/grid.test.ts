import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { cellAt, tileGrid } from '../../../kiosk/src/lib/grid.js';

const grid = suite('tileGrid');
grid('should hold every host', () => {
  for (const n of [1, 2, 7, 60, 300, 500]) {
    const g = tileGrid(n, 1904, 940);
    assert.ok(g.cols * g.rows >= n, `${n} hosts`);
  }
});
grid('should stay inside the area', () => {
  for (const [n, w, h] of [[1, 1904, 940], [12, 1264, 690], [300, 1904, 940], [300, 1264, 690]]) {
    const g = tileGrid(n, w, h);
    assert.ok(g.cols * g.w + (g.cols - 1) * g.gap <= w, `width for ${n} in ${w}×${h}`);
    assert.ok(g.rows * g.h + (g.rows - 1) * g.gap <= h, `height for ${n} in ${w}×${h}`);
  }
});
grid('should keep a few hundred hosts readable at 1920×1080', () => {
  const g = tileGrid(300, 1904, 940);
  assert.ok(g.h >= 30 && g.w >= 60, `${g.w}×${g.h}`);
});
grid('should never make a tile taller than wide, nor wider than 2.2 heights', () => {
  for (const n of [1, 3, 40]) {
    const g = tileGrid(n, 1904, 940);
    assert.ok(g.h <= g.w && g.w <= g.h * 2.2 + 1, `${n}: ${g.w}×${g.h}`);
  }
});
grid('should take the layout with the biggest tiles (6 hosts: 3 × 2)', () => {
  const g = tileGrid(6, 1904, 940);
  assert.is(g.cols, 3); assert.is(g.rows, 2);
});
grid.run();

const cell = suite('cellAt');
cell('should place tiles row by row, centred', () => {
  const g = { cols: 2, rows: 2, w: 100, h: 50, gap: 10 };
  assert.equal(cellAt(g, 0, 410, 310), { x: 100, y: 100, w: 100, h: 50 });
  assert.equal(cellAt(g, 1, 410, 310), { x: 210, y: 100, w: 100, h: 50 });
  assert.equal(cellAt(g, 2, 410, 310), { x: 100, y: 160, w: 100, h: 50 });
});
cell.run();
