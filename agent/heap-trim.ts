/**
 * Keeps the agent's memory near what it holds. After a full collection, V8
 * lets its old generation grow by at least 2 MB (with --optimize-for-size;
 * 8 MB without) before it collects again, so an agent that holds ~7 MB of
 * objects sits anywhere from there to 2 MB above, and right after a burst (a
 * host's processes all new, a first walk of every home) that garbage stays
 * until the next collection. Every `everyMs`, if the old generation holds
 * `growthBytes` more than after the last full collection, one runs now (about
 * 15 ms for the agent's heap on this project's machine), but not sooner than
 * `minGapMs` after the last one it ran: where the agent makes garbage fast (a
 * walk of homes that change all the time) it collects no more than once in that
 * gap, and V8's own collections do the rest.
 *
 * Needs node's --expose-gc (the agent's flags: agent/build.ts and
 * deploy/rackpulse-agent.service); without it, startHeapTrim does nothing.
 */
import { performance } from 'node:perf_hooks';
import { getHeapSpaceStatistics } from 'node:v8';

export interface HeapTrimOptions {
  /** Time between two looks at the heap, ms. Default 5000. */
  everyMs?: number;
  /** Collect when the old generation grew this much since the last full collection, bytes. Default 512 KiB. */
  growthBytes?: number;
  /** Least time between two collections it runs, ms. Default 30000. */
  minGapMs?: number;
  /** The collector to call. Default: the global `gc` of --expose-gc. */
  gc?: () => void;
}

export interface HeapTrim {
  /** Full collections it ran. */
  readonly collections: number;
  stop(): void;
}

/** Bytes held in V8's old generation now. */
export function oldGenerationBytes(): number {
  let used = 0;
  for (const s of getHeapSpaceStatistics()) if (s.space_name === 'old_space') used += s.space_used_size;
  return used;
}

/** Start looking at the heap; null (nothing started) when there is no collector to call. */
export function startHeapTrim(opts: HeapTrimOptions = {}): HeapTrim | null {
  const gc = opts.gc ?? (globalThis as { gc?: () => void }).gc;
  if (typeof gc !== 'function') return null;
  const growth = opts.growthBytes ?? 512 * 1024;
  const gap = opts.minGapMs ?? 30_000;
  let floor = oldGenerationBytes();
  let collections = 0;
  let last = -Infinity;
  const timer = setInterval(() => {
    const used = oldGenerationBytes();
    // Below the floor: V8 collected by itself since.
    if (used < floor) floor = used;
    else if (used - floor > growth && performance.now() - last >= gap) {
      gc();
      collections++;
      last = performance.now();
      floor = oldGenerationBytes();
    }
  }, opts.everyMs ?? 5000);
  timer.unref();
  return {
    get collections() { return collections; },
    stop: () => clearInterval(timer),
  };
}
