/**
 * What this hub remembers of each consumer id: its cursor (so a round needs no read of it) and
 * when it was last seen (written to the database by the sweep, not on every request).
 */

export interface ConsumerState {
  /** Id of the last message given to it; null: read it from the database. */
  lastId: number | null;
  /** Last request began or ended, ms. */
  seenAt: number;
  /** The `seen_at` the database has, as far as this hub knows, ms. */
  persistedAt: number;
}

/** Consumers seen at one time on one queue, to be written in one statement. */
export interface SeenGroup { queue: string; at: number; consumers: string[] }

const key = (queue: string, consumer: string) => `${queue}\n${consumer}`;

export class ConsumerCache {
  private states = new Map<string, ConsumerState>();

  /** The state of an id, created (cursor unknown) if this hub has none. */
  get(queue: string, consumer: string, now: number): ConsumerState {
    const k = key(queue, consumer);
    let st = this.states.get(k);
    if (!st) this.states.set(k, (st = { lastId: null, seenAt: now, persistedAt: 0 }));
    return st;
  }

  see(queue: string, consumer: string, now: number): void {
    this.get(queue, consumer, now).seenAt = now;
  }

  delete(queue: string, consumer: string): void {
    this.states.delete(key(queue, consumer));
  }

  /** The seen times the database does not have yet, grouped by queue and time; they count as written from now on. */
  takeUnsaved(): SeenGroup[] {
    const groups = new Map<string, SeenGroup>();
    for (const [k, st] of this.states) {
      if (st.seenAt <= st.persistedAt) continue;
      const [queue, consumer] = k.split('\n');
      const g = groups.get(`${queue}\n${st.seenAt}`);
      if (g) g.consumers.push(consumer); else groups.set(`${queue}\n${st.seenAt}`, { queue, at: st.seenAt, consumers: [consumer] });
      st.persistedAt = st.seenAt;
    }
    return [...groups.values()];
  }

  /** Forget the ids last seen before `cutoff`, ms. */
  dropUnseenSince(cutoff: number): void {
    for (const [k, st] of this.states) if (st.seenAt < cutoff) this.states.delete(k);
  }
}
