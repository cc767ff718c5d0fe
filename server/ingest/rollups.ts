/**
 * MRTG-style history: samples fold into buckets of 1 min, 30 min and 1 day,
 * each keeping count, sum, min and max per metric, so merging buckets is exact.
 * This accumulates the not-yet-committed part; the repository adds it to the
 * stored rows (count += …, min = LEAST(…)), so a bucket can be committed in pieces.
 */
import { ROLLUP_METRICS, type RollupMetric } from '../db/entities.js';
import type { Sample } from '../../protocol/index.js';

/** Default bucket widths in seconds, finest first. */
export const TIERS = [60, 1800, 86400] as const;
/** Default time each tier is kept, seconds: 48 h, 90 days, 2 years. */
export const RETENTION_S: Record<number, number> = { 60: 48 * 3600, 1800: 90 * 86400, 86400: 730 * 86400 };

/** One rollup tier: bucket width and how long its rows are kept, seconds. */
export interface Tier { widthS: number; keepS: number }
export const DEFAULT_TIERS: readonly Tier[] = TIERS.map((w) => ({ widthS: w, keepS: RETENTION_S[w] }));

const UNIT_S: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };

/**
 * Parse `ROLLUP_TIERS` (`width:keep,…`, units s, m, h, d; seconds without one), e.g. `1m:48h,30m:90d,1d:730d`.
 * Widths must grow, each a multiple of the one before (so a coarser bucket is a union of finer ones), at least 1 min,
 * and each kept longer than the one before and at least its width; throws an Error naming the problem.
 */
export function parseTiers(text: string): Tier[] {
  const secs = (v: string) => { const m = /^(\d+)([smhd]?)$/.exec(v.trim()); if (!m) throw new Error(`bad duration "${v}"`); return Number(m[1]) * UNIT_S[m[2] || 's']; };
  const tiers = text.split(',').map((part) => { const [w, k] = part.split(':'); return { widthS: secs(w ?? ''), keepS: secs(k ?? '') }; });
  tiers.forEach((t, i) => {
    if (t.widthS < 60) throw new Error(`tier ${i + 1}: width must be at least 1 min (the 1 s points are kept in memory)`);
    if (t.keepS < t.widthS) throw new Error(`tier ${i + 1}: must be kept at least as long as its width`);
    const prev = tiers[i - 1];
    if (prev && (t.widthS <= prev.widthS || t.widthS % prev.widthS)) throw new Error(`tier ${i + 1}: width must be a larger multiple of the one before`);
    if (prev && t.keepS <= prev.keepS) throw new Error(`tier ${i + 1}: must be kept longer than the one before`);
  });
  return tiers;
}

/** The tiers this process uses: the defaults until the hub applies ROLLUP_TIERS at start. */
let active: readonly Tier[] = DEFAULT_TIERS;
export function useTiers(tiers: readonly Tier[]): void { active = tiers; }
export function activeTiers(): readonly Tier[] { return active; }

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
    for (const { widthS: tier } of active) {
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
export function tierFor(fromMs: number, nowMs: number, tiers: readonly Tier[] = active): number {
  const age = (nowMs - fromMs) / 1000;
  if (age <= 15 * 60) return 1;
  for (const t of tiers) if (age <= t.keepS) return t.widthS;
  return tiers[tiers.length - 1].widthS;
}
