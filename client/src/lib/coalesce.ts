/**
 * Coalescing of live updates: many deltas arriving between two frames are merged and applied
 * once, so a fleet of 500 hosts sending every second re-renders a few times a second, not 20.
 */

export interface Coalescer<T> {
  /** Queues an update; the flush is scheduled if none is. */
  push(item: T): void;
  /** Applies what is queued now (e.g. before a snapshot replaces it all). */
  flush(): void;
  /** Drops what is queued and cancels the scheduled flush. */
  cancel(): void;
  /** Updates waiting. */
  readonly pending: number;
}

/** A scheduler: runs `fn` later and returns a cancel function. */
export type Schedule = (fn: () => void) => () => void;

/** Schedules on the next animation frame, or in 16 ms where there are no frames (tests, background tabs keep rAF paused). */
export const nextFrame: Schedule = (fn) => {
  if (typeof requestAnimationFrame === 'function' && typeof document !== 'undefined' && !document.hidden) {
    const id = requestAnimationFrame(fn);
    return () => cancelAnimationFrame(id);
  }
  const id = setTimeout(fn, 16);
  return () => clearTimeout(id);
};

/** Schedules after `ms`. */
export const after = (ms: number): Schedule => (fn) => {
  const id = setTimeout(fn, ms);
  return () => clearTimeout(id);
};

/** Calls `apply` once per scheduled turn with every item pushed since the last call, in order. */
export function coalescer<T>(apply: (items: T[]) => void, schedule: Schedule = nextFrame): Coalescer<T> {
  let queue: T[] = [];
  let cancelTimer: (() => void) | null = null;
  const flush = () => {
    cancelTimer?.();
    cancelTimer = null;
    if (queue.length === 0) return;
    const items = queue;
    queue = [];
    apply(items);
  };
  return {
    push(item) {
      queue.push(item);
      cancelTimer ??= schedule(() => {
        cancelTimer = null;
        flush();
      });
    },
    flush,
    cancel() {
      cancelTimer?.();
      cancelTimer = null;
      queue = [];
    },
    get pending() {
      return queue.length;
    },
  };
}
