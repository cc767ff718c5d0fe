/**
 * MRTG-style history: samples fold into buckets of 1 min, 30 min and 1 day,
 * each keeping count, sum, min and max per metric, so merging buckets is exact.
 * This accumulates the not-yet-committed part; the repository adds it to the
 * stored rows (count += …, min = LEAST(…)), so a bucket can be committed in pieces.
 */
import { ROLLUP_METRICS, type RollupMetric } from '../db/entities.js';
import type { Sample } from '../../protocol/index.js';

/** Bucket widths in seconds, finest first. */
export const TIERS = [60, 1800, 86400] as const;
/** How long each tier is kept, seconds: 48 h, 90 days, 2 years. */
export const RETENTION_S: Record<number, number> = { 60: 48 * 3600, 1800: 90 * 86400, 86400: 730 * 86400 };

export interface RollupDelta {
  hostId: number;
  tier: number;
  /** Bucket start, Unix seconds. */
  bucket: number;
  count: number;
  sum: Float64Array;
  min: Float64Array;
  max: Float64Array;
}

const M = ROLLUP_METRICS.length;

export function sampleValues(s: Pick<Sample, RollupMetric>): number[] {
  return ROLLUP_METRICS.map((m) => s[m]);
}

export class RollupAccumulator {
  private pending = new Map<string, RollupDelta>();

  get size(): number { return this.pending.size; }

  add(hostId: number, tMs: number, values: number[]): void {
    const tS = Math.floor(tMs / 1000);
    for (const tier of TIERS) {
      const bucket = tS - (tS % tier);
      const key = `${hostId}:${tier}:${bucket}`;
      let d = this.pending.get(key);
      if (!d) {
        d = { hostId, tier, bucket, count: 0, sum: new Float64Array(M), min: new Float64Array(M).fill(Infinity), max: new Float64Array(M).fill(-Infinity) };
        this.pending.set(key, d);
      }
      d.count++;
      for (let i = 0; i < M; i++) {
        const v = values[i];
        d.sum[i] += v;
        if (v < d.min[i]) d.min[i] = v;
        if (v > d.max[i]) d.max[i] = v;
      }
    }
  }

  /** Take everything pending (for a commit). */
  drain(): RollupDelta[] {
    const out = [...this.pending.values()];
    this.pending.clear();
    return out;
  }

  /** Put back deltas whose commit failed, merging with anything added since. */
  restore(deltas: RollupDelta[]): void {
    for (const d of deltas) {
      const key = `${d.hostId}:${d.tier}:${d.bucket}`;
      const cur = this.pending.get(key);
      if (!cur) { this.pending.set(key, d); continue; }
      cur.count += d.count;
      for (let i = 0; i < M; i++) {
        cur.sum[i] += d.sum[i];
        cur.min[i] = Math.min(cur.min[i], d.min[i]);
        cur.max[i] = Math.max(cur.max[i], d.max[i]);
      }
    }
  }

  /** Forget a deleted host. */
  dropHost(hostId: number): void {
    for (const [k, d] of this.pending) if (d.hostId === hostId) this.pending.delete(k);
  }
}

/** The finest tier whose retention covers `fromMs`, or 1 (the live ring) for the last 15 minutes. */
export function tierFor(fromMs: number, nowMs: number): number {
  const age = (nowMs - fromMs) / 1000;
  if (age <= 15 * 60) return 1;
  for (const t of TIERS) if (age <= RETENTION_S[t]) return t;
  return TIERS[TIERS.length - 1];
}
