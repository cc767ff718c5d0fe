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
 *
 * With `watch`, each pass watches the directories it reads (home-watch.ts).
 * A home whose watch still holds when its pass completes — nothing changed
 * while it was walked — is not walked again until something changes under
 * it or `recheckMs` has passed; its figure is reported as measured NOW, since
 * nothing has changed it (and, once something does, as measured when the
 * change was seen). Only homes that change cost walking, so a host whose
 * accounts are mostly idle spends almost nothing on the walk after its first
 * cycle, and their figures are current instead of up to a cycle old.
 */
import { performance } from 'node:perf_hooks';
import { HomeWalk, type WalkTotals } from './home-walk.js';
import { HomeWatch, WatchBudget } from './home-watch.js';

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
  /** The same while some home has no complete figure yet (after start, or a new account). Default: budgetPerTick. */
  firstBudgetPerTick?: number;
  /** Called once, when every home has a complete figure for the first time. */
  onFirstCycle?: (info: { homes: number; entries: number; watchedHomes: number }) => void;
  /** Time between the end of a tick and the start of the next, ms. Default 1000. */
  tickMs?: number;
  /** Least time between two passes over the same account, ms. Default 60000. */
  passGapMs?: number;
  /** Entries a walk examines between two yields to the event loop. Default 64 (see home-walk.ts). */
  sliceEntries?: number;
  /** Watch the homes and walk again only the ones that changed (see above). Default false. */
  watch?: boolean;
  /** Most inotify watches (one per directory) over all homes. Default 8192. */
  maxWatches?: number;
  /** A watched, unchanged home is still walked again after this long, ms. Default 3600000 (1 h). */
  recheckMs?: number;
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
  /** Homes whose figure is held by a watch (nothing changed since their pass), and the watches open. */
  watchedHomes: number;
  watches: number;
}

interface Target {
  name: string;
  home: string;
  figure: DiskFigure;
  /** When the last complete pass finished, or null. */
  completedAt: number | null;
  walk: HomeWalk | null;
  /** The running pass's watch (with `watch`). */
  passWatch: HomeWatch | null;
  /** The watch of the last complete pass, if it held to the end; null when it did not or after a change. */
  held: HomeWatch | null;
  /** When `held` saw a change (the figure was known to hold until then), or null. */
  changedAt: number | null;
}

export class WalkScheduler {
  readonly #budget: number;
  readonly #firstBudget: number;
  readonly #onFirstCycle: WalkSchedulerOptions['onFirstCycle'];
  #firstCycleTold = false;
  readonly #tickMs: number;
  readonly #gap: number;
  readonly #sliceEntries: number;
  readonly #now: () => number;
  readonly #onError: (m: string) => void;
  readonly #watch: boolean;
  readonly #watchBudget: WatchBudget;
  readonly #recheckMs: number;
  readonly #targets = new Map<string, Target>();
  readonly #refreshing = new Map<string, Promise<DiskFigure | null>>();
  #current: Target | null = null;
  #tick: Promise<void> | null = null;
  #timer: NodeJS.Timeout | null = null;
  #running = false;
  readonly #stats: WalkStats = {
    ticks: 0, lastTickMs: 0, maxTickMs: 0, entries: 0, passes: 0, unreadableDirs: 0, otherFs: 0, errors: 0, walking: null,
    watchedHomes: 0, watches: 0,
  };

  constructor(opts: WalkSchedulerOptions = {}) {
    this.#budget = Math.max(1, opts.budgetPerTick ?? 250);
    this.#firstBudget = Math.max(this.#budget, opts.firstBudgetPerTick ?? 0);
    this.#onFirstCycle = opts.onFirstCycle;
    this.#tickMs = opts.tickMs ?? 1000;
    this.#gap = opts.passGapMs ?? 60_000;
    this.#sliceEntries = opts.sliceEntries ?? 64;
    this.#now = opts.now ?? Date.now;
    this.#onError = opts.onError ?? (() => {});
    this.#watch = opts.watch ?? false;
    this.#watchBudget = new WatchBudget(opts.maxWatches ?? 8192);
    this.#recheckMs = opts.recheckMs ?? 3_600_000;
  }

  /** The accounts to walk. New ones start unmeasured; dropped ones lose their figure and running pass. */
  setTargets(targets: readonly WalkTarget[]): void {
    const keep = new Set<string>();
    for (const { name, home } of targets) {
      keep.add(name);
      const t = this.#targets.get(name);
      if (t && t.home === home) continue;
      if (t) this.#drop(t);
      this.#targets.set(name, {
        name, home, figure: { usedBytes: 0, files: 0, measuredAt: 0, partial: true }, completedAt: null, walk: null,
        passWatch: null, held: null, changedAt: null,
      });
    }
    for (const t of this.#targets.values()) if (!keep.has(t.name)) this.#drop(t);
  }

  /** The figure to report for an account, or undefined if it is not walked. */
  figure(name: string): DiskFigure | undefined {
    const t = this.#targets.get(name);
    if (!t) return undefined;
    if (t.held?.holds) return { ...t.figure, measuredAt: this.#now() };
    if (t.changedAt !== null && t.changedAt > t.figure.measuredAt) return { ...t.figure, measuredAt: t.changedAt };
    return { ...t.figure };
  }

  stats(): WalkStats {
    let watchedHomes = 0;
    for (const t of this.#targets.values()) if (t.held?.holds) watchedHomes++;
    return { ...this.#stats, walking: this.#current?.name ?? null, watchedHomes, watches: this.#watchBudget.used };
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
    for (const t of this.#targets.values()) {
      await this.#abandon(t);
      t.held?.close();
      t.held = null;
    }
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
    // Nothing changed since the last pass: that figure is the answer.
    if (t.held?.holds) return this.figure(name)!;
    const deadline = performance.now() + budgetMs;
    const watch = this.#newWatch(t);
    const walk = new HomeWalk(t.home, { sliceEntries: this.#sliceEntries, onError: this.#onError, onDir: watch ? (p) => { watch.add(p); } : undefined });
    while (!walk.done && performance.now() < deadline) this.#stats.entries += await walk.step(500);
    if (!walk.done || this.#targets.get(name) !== t) {
      await walk.close();
      watch?.close();
      return null;
    }
    this.#complete(t, walk.totals, watch);
    this.#firstCycleDone();
    return { ...t.figure };
  }

  /** A watch for a new pass over `t` (null without `watch`): a change it sees is noted on `t` once the watch holds its figure. */
  #newWatch(t: Target): HomeWatch | null {
    if (!this.#watch) return null;
    const w: HomeWatch = new HomeWatch(this.#watchBudget, () => {
      if (t.held === w) t.changedAt = this.#now();
    });
    return w;
  }

  async #runTick(): Promise<void> {
    const t0 = performance.now();
    let unmeasured = false;
    for (const t of this.#targets.values()) if (t.completedAt === null) { unmeasured = true; break; }
    let budget = unmeasured ? this.#firstBudget : this.#budget;
    while (budget > 0) {
      const t = this.#current ?? this.#next();
      if (!t) break;
      this.#current = t;
      if (!t.walk) {
        t.passWatch?.close();
        const watch = t.passWatch = this.#newWatch(t);
        t.walk = new HomeWalk(t.home, { sliceEntries: this.#sliceEntries, onError: this.#onError, onDir: watch ? (p) => { watch.add(p); } : undefined });
      }
      const walk = t.walk;
      const used = await walk.step(budget);
      budget -= used;
      this.#stats.entries += used;
      if (t.walk !== walk) continue; // dropped or replaced meanwhile
      if (walk.done) {
        const watch = t.passWatch;
        t.walk = null;
        t.passWatch = null;
        this.#current = null;
        this.#complete(t, walk.totals, watch);
        // The first cycle just ended: the rest of this tick's (larger) budget is not spent.
        if (unmeasured && this.#firstCycleDone()) break;
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

  /**
   * Next account to walk: never measured first (in order), else the longest ago, once its gap
   * has passed — and, for a home whose watch holds, once `recheckMs` has passed.
   */
  #next(): Target | null {
    let best: Target | null = null;
    const now = this.#now();
    for (const t of this.#targets.values()) {
      if (t.completedAt === null) return t;
      const wait = t.held?.holds ? Math.max(this.#gap, this.#recheckMs) : this.#gap;
      if (now - t.completedAt >= wait && (!best || t.completedAt < best.completedAt!)) best = t;
    }
    return best;
  }

  /** Whether every home has a complete figure; tells onFirstCycle the first time it is so. */
  #firstCycleDone(): boolean {
    for (const t of this.#targets.values()) if (t.completedAt === null) return false;
    if (!this.#firstCycleTold) {
      this.#firstCycleTold = true;
      const s = this.stats();
      this.#onFirstCycle?.({ homes: this.#targets.size, entries: s.entries, watchedHomes: s.watchedHomes });
    }
    return true;
  }

  /** A pass over `t` completed with totals `r`; `watch` watched it (kept if it held to the end). */
  #complete(t: Target, r: WalkTotals, watch: HomeWatch | null = null): void {
    const now = this.#now();
    t.figure = { usedBytes: r.bytes, files: r.files, measuredAt: now, partial: false };
    t.completedAt = now;
    t.held?.close();
    t.held = null;
    t.changedAt = null;
    if (watch?.holds) t.held = watch;
    else watch?.close();
    const s = this.#stats;
    s.passes++;
    s.unreadableDirs += r.unreadableDirs;
    s.otherFs += r.otherFs;
    s.errors += r.errors;
  }

  async #abandon(t: Target): Promise<void> {
    const w = t.walk;
    t.walk = null;
    t.passWatch?.close();
    t.passWatch = null;
    await w?.close();
  }

  #drop(t: Target): void {
    this.#targets.delete(t.name);
    if (this.#current === t) this.#current = null;
    t.held?.close();
    t.held = null;
    void this.#abandon(t);
  }
}
