/**
 * How a hub learns that a queue got a message, so its waiting long-polls
 * answer at once instead of polling the database. One hub: an in-process
 * call. Several hubs on one database: Redis pub/sub (`queue.waker.redis.ts`).
 */

/** Called with the queue that got a message, or with null when any queue may have (e.g. after a reconnect). */
export type WakeListener = (queue: string | null) => void;

export interface QueueWaker {
  /** Announce that `queue` got a message: this hub's listeners are called at once, other hubs' soon after. */
  wake(queue: string): void;
  /** Add a listener; returns its removal. */
  onWake(fn: WakeListener): () => void;
  close(): Promise<void>;
}

/** Wakes the listeners of this process only (a single hub). */
export class LocalQueueWaker implements QueueWaker {
  private listeners = new Set<WakeListener>();

  wake(queue: string): void { this.emit(queue); }

  onWake(fn: WakeListener): () => void {
    this.listeners.add(fn);
    return () => { this.listeners.delete(fn); };
  }

  /** Call every listener; one that throws does not keep the others from being called. */
  protected emit(queue: string | null): void {
    for (const fn of this.listeners) {
      try { fn(queue); } catch { /* a listener's own failure is its own business */ }
    }
  }

  async close(): Promise<void> { this.listeners.clear(); }
}
