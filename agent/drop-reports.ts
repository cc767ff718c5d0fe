/**
 * Drops of a full spool waiting to be told to the hub as `spoolDropped`:
 * per stream, the seq range dropped since the last report. While the spool
 * stays full every push drops an item, so reports are coalesced to at most
 * one per stream per `everyMs`.
 */
import type { SpoolDropped, Stream } from '../protocol/index.js';
import { spoolDroppedSchema, STREAMS } from '../protocol/index.js';
import type { Dropped } from './spool.js';

export class DropReports {
  readonly #everyMs: number;
  readonly #now: () => number;
  readonly #pending: Partial<Record<Stream, { firstSeq: number; lastSeq: number }>> = {};
  readonly #reportedAt: Partial<Record<Stream, number>> = {};

  /** @param everyMs least time between two reports of one stream, ms. */
  constructor(everyMs = 5000, now: () => number = Date.now) {
    this.#everyMs = everyMs;
    this.#now = now;
  }

  /** Add a drop to its stream's unreported range. */
  note(stream: Stream, d: Dropped): void {
    const cur = this.#pending[stream];
    this.#pending[stream] = { firstSeq: cur?.firstSeq ?? d.firstSeq, lastSeq: d.lastSeq };
  }

  /** ms until a pending report may go (0: now), or null when nothing is pending. */
  dueIn(): number | null {
    let due: number | null = null;
    for (const s of STREAMS) {
      if (!this.#pending[s]) continue;
      const wait = Math.max(0, (this.#reportedAt[s] ?? -Infinity) + this.#everyMs - this.#now());
      due = due === null ? wait : Math.min(due, wait);
    }
    return due;
  }

  /**
   * The reports that may go now, taken out of the pending ones; `total(stream)`
   * is the spool's drop count since start. `force`: ignore the rate limit (a new connection).
   */
  take(total: (s: Stream) => number, force = false): SpoolDropped[] {
    const out: SpoolDropped[] = [];
    const now = this.#now();
    for (const stream of STREAMS) {
      const d = this.#pending[stream];
      if (!d || (!force && now < (this.#reportedAt[stream] ?? -Infinity) + this.#everyMs)) continue;
      delete this.#pending[stream];
      const m = spoolDroppedSchema.safeParse({ stream, dropped: total(stream), firstSeq: d.firstSeq, lastSeq: d.lastSeq, t: Math.round(now) });
      if (!m.success) continue;
      this.#reportedAt[stream] = now;
      out.push(m.data);
    }
    return out;
  }
}
