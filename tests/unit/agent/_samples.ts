/** Minimal valid samples for spool, batching and resume tests. */
import type { Sample } from '../../../protocol/index.js';

export const sampleAt = (seq: number): Sample => ({
  seq, t: 1_700_000_000_000 + seq * 1000, load1: 0.5, load5: 0.4, load15: 0.3, cpuPct: 12.5,
  memUsedBytes: 1_000_000_000, memTotalBytes: 8_000_000_000, netRxBps: 1000, netTxBps: 2000, diskReadBps: 0, diskWriteBps: 4096,
});

export const samplesFrom = (first: number, n: number): Sample[] => Array.from({ length: n }, (_, i) => sampleAt(first + i));
export const seqs = (items: { seq: number }[]): number[] => items.map((i) => i.seq);
