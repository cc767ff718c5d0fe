/**
 * What the ingest benchmark records per step and per ramp, and the figures
 * (DESIGN.md, "Benchmarks") it reports from them.
 */
import type { StepStats } from './agents.js';
import type { LatencyStats } from './dashboard.js';
import type { Figure } from './report.js';
import { median } from './stats.js';
import type { TargetName } from './targets.js';

const BASELINE_NAME = 'bare socket.io with acks';

/** Outcome of one step on one target. */
export interface StepRecord {
  rate: number; pass: boolean; reasons: string[]; generatorLimited: boolean;
  stats: StepStats; cpuPct: number; rssMb: number; latency?: LatencyStats;
  /** CPU on the server and generator cores not used by the target or the generator, percent of a core. */
  foreign: [number, number];
  /** CPU of the targets not under test (pinned to the same core), percent of a core. */
  idleTargetsPct: number;
}

/** What one ramp of one target found. */
export interface RampRecord { best: number; atBest?: StepRecord; atFixed?: StepRecord; generatorLimited: boolean }

/** The figures of a run from what each round's ramps found (values: medians over rounds; ratios: medians of per-round ratios). */
export function ingestFigures(records: Map<TargetName, RampRecord[]>, agents: number, note: (m: string) => void): Figure[] {
  const out: Figure[] = [];
  const bare = records.get('bare');
  /** Median of per-round ratios product/baseline (rounds where both exist). */
  const pairRatio = (hub: RampRecord[], pick: (r: RampRecord) => number | undefined) => {
    if (!bare) return undefined;
    const ratios: number[] = [];
    for (let i = 0; i < Math.min(hub.length, bare.length); i++) {
      const a = pick(hub[i]), b = pick(bare[i]);
      if (a !== undefined && b !== undefined && b > 0 && Number.isFinite(a)) ratios.push(a / b);
    }
    const m = median(ratios);
    return Number.isFinite(m) ? Math.round(m * 1000) / 1000 : undefined;
  };
  const med = (rs: RampRecord[], pick: (r: RampRecord) => number | undefined) =>
    median(rs.map(pick).filter((x): x is number => x !== undefined && Number.isFinite(x)));
  const rate = (r: RampRecord) => r.best;
  const cpuFixed = (r: RampRecord) => r.atFixed?.cpuPct;
  const rssBest = (r: RampRecord) => r.atBest?.rssMb;
  const withBase = (f: Figure, base: number, baseName: string, ratio: number | undefined): Figure =>
    Number.isFinite(base) ? { ...f, baseline: { name: baseName, value: round(base) }, ...(ratio !== undefined ? { ratio } : {}) } : f;

  out.push({ name: 'ingest.load.agents', value: agents, unit: 'connections' });
  if (bare) {
    out.push({ name: 'ingest.bare.samples_per_s', value: round(med(bare, rate)), unit: '1/s' });
    out.push({ name: 'ingest.bare.cpu_pct_at_5k', value: round(med(bare, cpuFixed)), unit: '%' });
    out.push({ name: 'ingest.bare.rss_mb', value: round(med(bare, rssBest)), unit: 'MB' });
  }
  for (const [name, hub] of records) {
    if (name === 'bare') continue;
    const p = `ingest.${name}`;
    out.push(withBase({ name: `${p}.samples_per_s`, value: round(med(hub, rate)), unit: '1/s' },
      bare ? med(bare, rate) : NaN, BASELINE_NAME, pairRatio(hub, rate)));
    out.push({ name: `${p}.p99_latency_ms`, value: round(med(hub, (r) => r.atBest?.latency?.p99)), unit: 'ms' });
    out.push({ name: `${p}.ack_lag_p99_ms`, value: round(med(hub, (r) => r.atBest?.stats.ackLagP99)), unit: 'ms' });
    out.push(withBase({ name: `${p}.hub_cpu_pct_at_5k`, value: round(med(hub, cpuFixed)), unit: '%' },
      bare ? med(bare, cpuFixed) : NaN, `${BASELINE_NAME} at 5k/s`, pairRatio(hub, cpuFixed)));
    out.push({ name: `${p}.hub_cpu_pct_at_max`, value: round(med(hub, (r) => r.atBest?.cpuPct)), unit: '%' });
    out.push(withBase({ name: `${p}.hub_rss_mb`, value: round(med(hub, rssBest)), unit: 'MB' },
      bare ? med(bare, rssBest) : NaN, `${BASELINE_NAME} at its max`, pairRatio(hub, rssBest)));
  }
  if (bare?.some((r) => r.generatorLimited)) note('ingest: hub/bare ratios are upper bounds where the bare rate is generator-limited');
  return out;
}

const round = (x: number) => (Number.isFinite(x) ? Math.round(x * 10) / 10 : NaN);
