/**
 * What a benchmark returns and how the runner reports it: a table on stdout
 * and `bench/results/latest.json` (format in DESIGN.md, "Benchmarks").
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { dirname } from 'node:path';
import { fmt } from './stats.js';

/** One measured figure; `<area>.<store or variant>.<measure>`. */
export interface Figure {
  name: string;
  value: number;
  unit: string;
  /** The same measure on a baseline, in the same run. */
  baseline?: { name: string; value: number };
  /** Median of the per-pair ratios product / baseline (pairs measured back to back). */
  ratio?: number;
}

export interface BenchContext {
  quick: boolean;
  /** Command-line arguments after `--`, for benchmark-specific options. */
  argv: string[];
  /** Progress, on stderr. */
  log(msg: string): void;
  /** Something the reader of the results must know (a skipped target, a limit hit); printed under the table and saved. */
  note(msg: string): void;
}

/** A benchmark the runner knows about (`bench/*.bench.ts`). */
export interface Bench {
  name: string;
  /** Runs only when named with --only= (long runs such as the soak). */
  optIn?: boolean;
  run(ctx: BenchContext): Promise<Figure[]>;
}

export interface Results {
  at: string;
  node: string;
  cpus: number;
  quick: boolean;
  figures: Figure[];
  /** Remarks on this run (limits hit, targets skipped). */
  notes?: string[];
  /** Wall time of the whole run, s. */
  durationS?: number;
}

export function newResults(quick: boolean): Results {
  return { at: new Date().toISOString(), node: process.version, cpus: cpus().length, quick, figures: [] };
}

/** The figures as an aligned text table. */
export function formatTable(figures: Figure[]): string {
  const rows = [['figure', 'value', 'unit', 'baseline', 'base value', 'ratio']];
  for (const f of figures) {
    rows.push([f.name, fmt(f.value), f.unit, f.baseline?.name ?? '', f.baseline ? fmt(f.baseline.value) : '',
      f.ratio !== undefined ? f.ratio.toFixed(3) : '']);
  }
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  const right = new Set([1, 4, 5]);
  const line = (r: string[]) => r.map((c, i) => (right.has(i) ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ').trimEnd();
  return [line(rows[0]), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.slice(1).map(line)].join('\n');
}

export async function writeResults(path: string, r: Results): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, JSON.stringify(r, null, 2) + '\n');
}
