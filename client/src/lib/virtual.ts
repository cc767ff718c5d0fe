/**
 * Virtual rows: which rows of a long list of fixed-height rows are visible in a scrolled
 * viewport, so only those are rendered (500 hosts, a few dozen rows in the DOM).
 */

export interface RowWindow {
  /** First row rendered (inclusive) and the one after the last (exclusive). */
  start: number;
  end: number;
  /** Space above the first rendered row and below the last, px. */
  padTop: number;
  padBottom: number;
}

/**
 * Rows to render for `count` rows of `rowHeight` px in a viewport of `viewportHeight` px scrolled
 * to `scrollTop` px, with `overscan` extra rows on each side so fast scrolling shows no blank.
 */
export function rowWindow(count: number, rowHeight: number, scrollTop: number, viewportHeight: number, overscan = 8): RowWindow {
  if (count <= 0 || rowHeight <= 0) return { start: 0, end: 0, padTop: 0, padBottom: 0 };
  const top = Math.max(0, scrollTop);
  const first = Math.min(count - 1, Math.floor(top / rowHeight));
  const visible = Math.ceil(Math.max(0, viewportHeight) / rowHeight) + 1;
  const start = Math.max(0, first - overscan);
  const end = Math.min(count, first + visible + overscan);
  return { start, end, padTop: start * rowHeight, padBottom: (count - end) * rowHeight };
}
