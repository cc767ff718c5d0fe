/**
 * uPlot options for the server page: live line charts and min–avg–max history bands, coloured
 * from the page's CSS variables so light and dark both read well. Lazily loaded with uPlot.
 */
import type uPlot from 'uplot';
import { formatBytes, formatLoad } from './format.js';

export type Unit = 'load' | 'percent' | 'bytes' | 'rate';

/** A value in a chart's unit, for axes and the legend. */
export function formatUnit(unit: Unit, v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '—';
  switch (unit) {
    case 'load': return formatLoad(v);
    case 'percent': return `${v.toFixed(0)}%`;
    case 'bytes': return formatBytes(v);
    case 'rate': return `${formatBytes(v)}/s`;
  }
}

function cssVar(name: string, fallback: string): string {
  if (typeof document === 'undefined') return fallback;
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || fallback;
}

const PALETTE = ['--accent', '--good', '--amber', '--bad'];

function axes(unit: Unit): uPlot.Axis[] {
  const stroke = cssVar('--muted', '#666');
  const grid = { stroke: cssVar('--border', '#ddd'), width: 1 };
  return [
    { stroke, grid, ticks: grid },
    { stroke, grid, ticks: grid, size: 70, values: (_u, splits) => splits.map((v) => formatUnit(unit, v)) },
  ];
}

/** Live lines: one series per label, times in the viewer's time zone. */
export function liveOptions(labels: string[], unit: Unit, max?: number): Omit<uPlot.Options, 'width' | 'height'> {
  return {
    legend: { live: true },
    cursor: { drag: { x: false, y: false } },
    scales: { x: { time: true }, y: max === undefined ? { range: (_u, _min, hi) => [0, Math.max(unit === 'load' ? 1 : 1, hi)] } : { range: [0, max] } },
    axes: axes(unit),
    series: [
      {},
      ...labels.map((label, i) => ({ label, stroke: cssVar(PALETTE[i % PALETTE.length], '#2563eb'), width: 1.5, spanGaps: false, points: { show: false }, value: (_u: uPlot, v: number) => formatUnit(unit, v) })),
    ],
  };
}

/** A `#rrggbb` colour at 22 % opacity (canvas fills take no CSS variables). */
function translucent(hex: string): string {
  return /^#[0-9a-f]{6}$/i.test(hex) ? `${hex}38` : 'rgba(37, 99, 235, 0.22)';
}

/** A min–avg–max band: series 1 min, 2 avg, 3 max; the band filled between max and min. */
export function bandOptions(label: string, unit: Unit): Omit<uPlot.Options, 'width' | 'height'> {
  const color = cssVar('--accent', '#2563eb');
  const value = (_u: uPlot, v: number) => formatUnit(unit, v);
  return {
    legend: { live: true },
    cursor: { drag: { x: true, y: false } },
    scales: { x: { time: true }, y: { range: (_u, _min, hi) => [0, Math.max(unit === 'percent' ? 100 : 1, hi)] } },
    axes: axes(unit),
    series: [
      {},
      { label: `${label} min`, stroke: color, width: 0.5, spanGaps: false, points: { show: false }, value },
      { label: `${label} avg`, stroke: color, width: 1.5, spanGaps: false, points: { show: false }, value },
      { label: `${label} max`, stroke: color, width: 0.5, spanGaps: false, points: { show: false }, value },
    ],
    bands: [{ series: [3, 1], fill: translucent(color) }],
  };
}
