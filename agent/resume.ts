/**
 * What is left to send on a stream after `hello` reported the hub's durable
 * watermark: everything at or below it is dropped from the spool.
 *
 * Sequence numbers after a restart: a fresh process (with a memory spool)
 * numbers from 1 again, but the hub ignores numbers at or below its watermark.
 * Within one run the hub cannot hold a number this process never sent; so if
 * the watermark reaches the first item never sent, those numbers belong to an
 * earlier run, and the unsent items are renumbered to follow the watermark (in
 * order, contiguous). Items that were sent are then all at or below the
 * watermark, hence durable, and dropped.
 */
import type { Stream } from '../protocol/index.js';
import type { Spool } from './spool.js';

export interface Resumed {
  /** Items given new numbers (0 in the usual case). */
  renumbered: number;
  /** Highest seq now held on the stream, or the watermark if none: the producer continues above it. */
  floor: number;
}

/**
 * Apply watermark `w` to `stream` of `spool`. `emittedUpTo` is the highest seq
 * this process ever emitted on the stream (items above it have reached no hub).
 */
export function resumeStream(spool: Spool, stream: Stream, w: number, emittedUpTo: number): Resumed {
  const held = spool.pending(stream);
  const unsent = held.filter((i) => i.seq > emittedUpTo);
  if (unsent.length > 0 && w >= unsent[0].seq) {
    spool.ack(stream, held[held.length - 1].seq);
    unsent.forEach((item, i) => spool.push(stream, { ...item, seq: w + 1 + i }));
    return { renumbered: unsent.length, floor: w + unsent.length };
  }
  spool.ack(stream, w);
  return { renumbered: 0, floor: Math.max(w, held.at(-1)?.seq ?? 0) };
}
