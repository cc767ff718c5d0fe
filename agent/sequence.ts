/**
 * Sequence numbers of the agent's streams. The hub ignores any number at or
 * below a host's durable watermark, so numbers only go up; one counter per
 * stream is shared by the producer (which numbers items) and the connection
 * (which moves it past the hub's watermark after a restart, see
 * AgentConnection).
 */
import { STREAMS, type Stream } from '../protocol/index.js';

export class Sequence {
  #next: number;

  /** @param first the first number handed out (positive integer). */
  constructor(first = 1) {
    this.#next = first;
  }

  /** The number the next item gets, without taking it. */
  peek(): number {
    return this.#next;
  }

  /** Take the next number. */
  next(): number {
    return this.#next++;
  }

  /** Continue numbering at `n` (only ever forward). */
  continueAt(n: number): void {
    if (n > this.#next) this.#next = n;
  }
}

export type Sequences = Record<Stream, Sequence>;

/** One fresh counter per stream, each starting at 1. */
export function createSequences(): Sequences {
  return Object.fromEntries(STREAMS.map((s) => [s, new Sequence()])) as Sequences;
}
