/**
 * Tile grid layout for the rack screen: the number of columns that gives the largest
 * tiles for `n` hosts in a `width` × `height` area. Tiles are at most `maxAspect` times
 * as wide as tall and never taller than wide. Pure.
 */
export interface Grid { cols: number; rows: number; /** tile size, px */ w: number; h: number; gap: number }

export interface Cell { x: number; y: number; w: number; h: number }

export function tileGrid(n: number, width: number, height: number, opts: { gap?: number; maxAspect?: number } = {}): Grid {
  const maxAspect = opts.maxAspect ?? 2.2;
  const count = Math.max(1, n);
  let best: Grid = { cols: 1, rows: 1, w: 0, h: 0, gap: 0 };
  let bestArea = -1;
  for (let cols = 1; cols <= count; cols++) {
    const rows = Math.ceil(count / cols);
    // Gaps shrink with the tiles so hundreds still fit.
    const gap = opts.gap ?? Math.max(2, Math.min(12, Math.floor(Math.min(width / cols, height / rows) * 0.06)));
    const cw = (width - gap * (cols - 1)) / cols;
    const ch = (height - gap * (rows - 1)) / rows;
    if (cw <= 0 || ch <= 0) continue;
    const h = Math.min(ch, cw);
    const w = Math.min(cw, h * maxAspect);
    const area = w * h;
    if (area > bestArea) { bestArea = area; best = { cols, rows, w: Math.floor(w), h: Math.floor(h), gap }; }
  }
  return best;
}

/** Where tile `i` goes (row-major), the whole grid centred in the area. */
export function cellAt(g: Grid, i: number, width: number, height: number): Cell {
  const usedW = g.cols * g.w + (g.cols - 1) * g.gap;
  const usedH = g.rows * g.h + (g.rows - 1) * g.gap;
  const x0 = Math.floor((width - usedW) / 2);
  const y0 = Math.floor((height - usedH) / 2);
  const col = i % g.cols;
  const row = Math.floor(i / g.cols);
  return { x: x0 + col * (g.w + g.gap), y: y0 + row * (g.h + g.gap), w: g.w, h: g.h };
}
