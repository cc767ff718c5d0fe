/**
 * What the agent has produced and the hub has not yet acknowledged as durable,
 * kept per stream in sequence order so it can be resent after a reconnect.
 *
 * The interface is synchronous so the connection can decide what to send in
 * one go, without interleaving with new items. DiskSpool (disk-spool.ts)
 * persists behind the same interface; MemorySpool is for tests and embedding.
 */
import type { QuotaMessage, Sample, ServicesMessage, Stream } from '../protocol/index.js';
import { STREAMS } from '../protocol/index.js';

/** The item type of each stream; every item carries its stream's `seq`. */
export interface StreamItems {
  samples: Sample;
  quota: QuotaMessage;
  services: ServicesMessage;
}

/** Items a push threw away because the spool was full: the oldest ones, a contiguous run of the stream. */
export interface Dropped {
  /** How many. */
  count: number;
  /** First and last seq of the items thrown away. */
  firstSeq: number;
  lastSeq: number;
}

export interface Spool {
  /**
   * Keep `item` until acknowledged. Its seq must be above every seq already held on the stream.
   * Returns what had to be thrown away to stay within the bound, or null.
   */
  push<S extends Stream>(stream: S, item: StreamItems[S]): Dropped | null;
  /** Items held on `stream` with seq above `afterSeq` (default: all), in seq order. */
  pending<S extends Stream>(stream: S, afterSeq?: number): StreamItems[S][];
  /** Drop every item with seq ≤ `seq` (the hub's cumulative watermark); returns how many were dropped. */
  ack(stream: Stream, seq: number): number;
  /** Items held on `stream`, or on all streams. */
  size(stream?: Stream): number;
  /** Items thrown away on `stream` because the spool was full, since creation. */
  dropped(stream: Stream): number;
  /**
   * Highest seq ever pushed or acknowledged on `stream` (0 if none). A disk
   * spool keeps it across restarts, so a restarted agent continues its numbers.
   */
  lastSeq(stream: Stream): number;
  /** Persist what is pending and release files; the spool is unusable afterwards. */
  close(): void;
}

/** Items per stream a MemorySpool holds by default: one hour of 1 s samples. */
export const DEFAULT_SPOOL_LIMIT = 3600;

/** One stream's items: an array read from `head`, compacted now and then, so dropping the oldest is O(1). */
class Queue<T extends { seq: number }> {
  items: T[] = [];
  head = 0;
  dropped = 0;
  /** Highest seq pushed or acknowledged. */
  top = 0;

  get length(): number {
    return this.items.length - this.head;
  }

  lastSeq(): number {
    return this.length > 0 ? this.items[this.items.length - 1].seq : 0;
  }

  /** Index of the first item with seq > `seq` (items are in seq order). */
  upperBound(seq: number): number {
    let lo = this.head;
    let hi = this.items.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.items[mid].seq <= seq) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  dropTo(index: number): void {
    this.head = index;
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
  }
}

/** A Spool in memory, bounded per stream; when full, the oldest item is dropped and counted. */
export class MemorySpool implements Spool {
  readonly #queues = new Map<Stream, Queue<{ seq: number }>>();
  readonly #limits: Record<Stream, number>;

  /** @param limit items per stream (a number for all, or per stream), default 3600. */
  constructor(limit: number | Partial<Record<Stream, number>> = DEFAULT_SPOOL_LIMIT) {
    this.#limits = Object.fromEntries(STREAMS.map((s) => {
      const n = typeof limit === 'number' ? limit : limit[s] ?? DEFAULT_SPOOL_LIMIT;
      if (!Number.isInteger(n) || n < 1) throw new RangeError(`spool limit for ${s} must be a positive integer, got ${n}`);
      return [s, n];
    })) as Record<Stream, number>;
    for (const s of STREAMS) this.#queues.set(s, new Queue());
  }

  #q(stream: Stream): Queue<{ seq: number }> {
    const q = this.#queues.get(stream);
    if (!q) throw new RangeError(`unknown stream "${String(stream)}"`);
    return q;
  }

  push<S extends Stream>(stream: S, item: StreamItems[S]): Dropped | null {
    const q = this.#q(stream);
    if (!(item.seq > q.lastSeq())) throw new RangeError(`${stream}: seq ${item.seq} is not above the last held seq ${q.lastSeq()}`);
    q.items.push(item);
    q.top = Math.max(q.top, item.seq);
    if (q.length <= this.#limits[stream]) return null;
    const count = q.length - this.#limits[stream];
    const to = q.items.length - this.#limits[stream];
    const dropped = { count, firstSeq: q.items[q.head].seq, lastSeq: q.items[to - 1].seq };
    q.dropped += count;
    q.dropTo(to);
    return dropped;
  }

  pending<S extends Stream>(stream: S, afterSeq = 0): StreamItems[S][] {
    const q = this.#q(stream);
    return q.items.slice(q.upperBound(afterSeq)) as StreamItems[S][];
  }

  ack(stream: Stream, seq: number): number {
    const q = this.#q(stream);
    q.top = Math.max(q.top, seq);
    const to = q.upperBound(seq);
    const n = to - q.head;
    q.dropTo(to);
    return n;
  }

  size(stream?: Stream): number {
    if (stream !== undefined) return this.#q(stream).length;
    let n = 0;
    for (const q of this.#queues.values()) n += q.length;
    return n;
  }

  dropped(stream: Stream): number {
    return this.#q(stream).dropped;
  }

  lastSeq(stream: Stream): number {
    return this.#q(stream).top;
  }

  close(): void {
    // Nothing to persist.
  }
}
