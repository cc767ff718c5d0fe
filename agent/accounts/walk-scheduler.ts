/**
 * Walks the homes of the accounts that have no quota figure, one pass after
 * another, spending at most `budgetPerTick` lstat calls per tick over all of
 * them, and keeps per account the figure to report:
 * - until an account's first pass completes: the running lower bound,
 *   `partial: true`, measured at the last step;
 * - afterwards: the total of the last COMPLETE pass and when it finished,
 *   while the next pass runs in the background.
 * A pass over an account starts no sooner than `passGapMs` after its previous
 * one finished; accounts never measured go first.
 */
import { performance } from 'node:perf_hooks';
import { HomeWalk, type WalkTotals } from './home-walk.js';

/** Disk figure of one account. */
export interface DiskFigure {
  /** Allocated bytes. */
  usedBytes: number;
  /** Inodes. */
  files: number;
  /** When it was measured, `now()` ms: end of the last complete pass, or the last step of a first pass; 0 when nothing was walked yet. */
  measuredAt: number;
  /** No pass has completed yet: `usedBytes` is a lower bound. */
  partial: boolean;
}

export interface WalkTarget {
  name: string;
  home: string;
}

export interface WalkSchedulerOptions {
  /** Entries lstat'ed per tick over all accounts. Default 250. */
  budgetPerTick?: number;
  /** Time between the end of a tick and the start of the next, ms. Default 1000. */
  tickMs?: number;
  /** Least time between two passes over the same account, ms. Default 60000. */
  passGapMs?: number;
  /** Entries a walk examines between two yields to the event loop. Default 64 (see home-walk.ts). */
  sliceEntries?: number;
  /** Clock for `measuredAt`, ms. Default Date.now. */
  now?: () => number;
  onError?: (message: string) => void;
}

export interface WalkStats {
  ticks: number;
  /** Wall time of the last and the longest tick, ms. */
  lastTickMs: number;
  maxTickMs: number;
  /** Entries lstat'ed since start. */
  entries: number;
  /** Passes completed since start (background and refresh). */
  passes: number;
  /** Over completed passes: directories skipped as unreadable, entries on other filesystems, other errors. */
  unreadableDirs: number;
  otherFs: number;
  errors: number;
  /** Account whose pass is under way, if any. */
  walking: string | null;
}

interface Target {
  name: string;
  home: string;
  figure: DiskFigure;
  /** When the last complete pass finished, or null. */
  completedAt: number | null;
  walk: HomeWalk | null;
}

export class WalkScheduler {
  readonly #budget: number;
  readonly #tickMs: number;
  readonly #gap: number;
  readonly #sliceEntries: number;
  readonly #now: () => number;
  readonly #onError: (m: string) => void;
  readonly #targets = new Map<string, Target>();
  readonly #refreshing = new Map<string, Promise<DiskFigure | null>>();
  #current: Target | null = null;
  #tick: Promise<void> | null = null;
  #timer: NodeJS.Timeout | null = null;
  #running = false;
  readonly #stats: WalkStats = {
    ticks: 0, lastTickMs: 0, maxTickMs: 0, entries: 0, passes: 0, unreadableDirs: 0, otherFs: 0, errors: 0, walking: null,
  };

  constructor(opts: WalkSchedulerOptions = {}) {
    this.#budget = Math.max(1, opts.budgetPerTick ?? 250);
    this.#tickMs = opts.tickMs ?? 1000;
    this.#gap = opts.passGapMs ?? 60_000;
    this.#sliceEntries = opts.sliceEntries ?? 64;
    this.#now = opts.now ?? Date.now;
    this.#onError = opts.onError ?? (() => {});
  }

  /** The accounts to walk. New ones start unmeasured; dropped ones lose their figure and running pass. */
  setTargets(targets: readonly WalkTarget[]): void {
    const keep = new Set<string>();
    for (const { name, home } of targets) {
      keep.add(name);
      const t = this.#targets.get(name);
      if (t && t.home === home) continue;
      if (t) this.#drop(t);
      this.#targets.set(name, { name, home, figure: { usedBytes: 0, files: 0, measuredAt: 0, partial: true }, completedAt: null, walk: null });
    }
    for (const t of this.#targets.values()) if (!keep.has(t.name)) this.#drop(t);
  }

  /** The figure to report for an account, or undefined if it is not walked. */
  figure(name: string): DiskFigure | undefined {
    const f = this.#targets.get(name)?.figure;
    return f && { ...f };
  }

  stats(): WalkStats {
    return { ...this.#stats, walking: this.#current?.name ?? null };
  }

  /** Spend one tick's budget. Overlapping calls share the tick in progress. */
  tick(): Promise<void> {
    this.#tick ??= this.#runTick().finally(() => { this.#tick = null; });
    return this.#tick;
  }

  /** Tick every `tickMs` until stop(). */
  start(): void {
    if (this.#running) return;
    this.#running = true;
    const loop = (): void => {
      this.#timer = setTimeout(() => {
        void this.tick().then(() => { if (this.#running) loop(); });
      }, this.#tickMs);
      this.#timer.unref();
    };
    loop();
  }

  /** Stop ticking, wait for the tick in progress and release every open directory. */
  async stop(): Promise<void> {
    this.#running = false;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    await this.#tick;
    for (const t of this.#targets.values()) await this.#abandon(t);
    this.#current = null;
  }

  /**
   * Walk one account's home now, without the per-tick budget, for at most
   * `budgetMs`. A completed walk becomes the account's figure; null when it
   * ran out of time (or the account is not walked).
   */
  walkNow(name: string, budgetMs: number): Promise<DiskFigure | null> {
    let p = this.#refreshing.get(name);
    if (!p) {
      p = this.#walkNow(name, budgetMs).finally(() => this.#refreshing.delete(name));
      this.#refreshing.set(name, p);
    }
    return p;
  }

  async #walkNow(name: string, budgetMs: number): Promise<DiskFigure | null> {
    const t = this.#targets.get(name);
    if (!t) return null;
    const deadline = performance.now() + budgetMs;
    const walk = new HomeWalk(t.home, { sliceEntries: this.#sliceEntries, onError: this.#onError });
    while (!walk.done && performance.now() < deadline) this.#stats.entries += await walk.step(500);
    if (!walk.done) {
      await walk.close();
      return null;
    }
    this.#complete(t, walk.totals);
    return { ...t.figure };
  }

  async #runTick(): Promise<void> {
    const t0 = performance.now();
    let budget = this.#budget;
    while (budget > 0) {
      const t = this.#current ?? this.#next();
      if (!t) break;
      this.#current = t;
      t.walk ??= new HomeWalk(t.home, { sliceEntries: this.#sliceEntries, onError: this.#onError });
      const walk = t.walk;
      const used = await walk.step(budget);
      budget -= used;
      this.#stats.entries += used;
      if (t.walk !== walk) continue; // dropped or replaced meanwhile
      if (walk.done) {
        t.walk = null;
        this.#current = null;
        this.#complete(t, walk.totals);
      } else {
        if (t.completedAt === null) {
          const r = walk.totals;
          t.figure = { usedBytes: r.bytes, files: r.files, measuredAt: this.#now(), partial: true };
        }
        if (used === 0) break;
      }
    }
    const ms = performance.now() - t0;
    this.#stats.ticks++;
    this.#stats.lastTickMs = ms;
    this.#stats.maxTickMs = Math.max(this.#stats.maxTickMs, ms);
  }

  /** Next account to walk: never measured first (in order), else the longest ago, once its gap has passed. */
  #next(): Target | null {
    let best: Target | null = null;
    const now = this.#now();
    for (const t of this.#targets.values()) {
      if (t.completedAt === null) return t;
      if (now - t.completedAt >= this.#gap && (!best || t.completedAt < best.completedAt!)) best = t;
    }
    return best;
  }

  #complete(t: Target, r: WalkTotals): void {
    const now = this.#now();
    t.figure = { usedBytes: r.bytes, files: r.files, measuredAt: now, partial: false };
    t.completedAt = now;
    const s = this.#stats;
    s.passes++;
    s.unreadableDirs += r.unreadableDirs;
    s.otherFs += r.otherFs;
    s.errors += r.errors;
  }

  async #abandon(t: Target): Promise<void> {
    const w = t.walk;
    t.walk = null;
    await w?.close();
  }

  #drop(t: Target): void {
    this.#targets.delete(t.name);
    if (this.#current === t) this.#current = null;
    void this.#abandon(t);
  }
}
