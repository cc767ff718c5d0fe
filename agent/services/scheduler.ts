/**
 * Runs the configured service checks: each at its own interval, at most
 * `concurrency` at once, a check still running (or waiting) when it is due
 * again skipping that turn. Results are reported — all of them, as one
 * `services` message — when a status changes (a few changes close together
 * go in one report) and at least every `heartbeatMs`.
 *
 * A refresh runs checks at once, outside the concurrency bound, joining a run
 * already under way; what is not done within its budget is answered from the
 * last result while the run goes on (its full timeout, so a refresh never
 * turns a slow-but-up service into a false "down").
 */
import type { ServiceStatus } from '../../protocol/index.js';
import type { CheckOutcome } from './outcome.js';
import type { ServiceCheck } from './spec.js';

export type RunCheck = (spec: ServiceCheck, timeoutMs: number) => Promise<CheckOutcome>;

export interface ServiceSchedulerOptions {
  checks: readonly ServiceCheck[];
  /** Runs one check (run-check.ts; tests inject their own). */
  run: RunCheck;
  /** Called with the latest result of every check that has one, in config order. */
  onReport: (services: ServiceStatus[]) => void;
  /** Checks running at once. Default 4. */
  concurrency?: number;
  /** Report at least this often, even without a change, ms. Default 30000. */
  heartbeatMs?: number;
  /** Changes within this long of each other go in one report, ms. Default 100. */
  coalesceMs?: number;
  /** Wall clock for `checkedAt`, Unix ms. Default Date.now. */
  now?: () => number;
}

export const DEFAULT_SERVICES_CONCURRENCY = 4;
export const DEFAULT_SERVICES_HEARTBEAT_MS = 30_000;

/** A status change worth reporting at once: the status, or why it is not up. */
export function changed(prev: ServiceStatus | undefined, next: ServiceStatus): boolean {
  return !prev || prev.status !== next.status || (next.status !== 'up' && prev.reason !== next.reason);
}

export class ServiceScheduler {
  readonly #opts: ServiceSchedulerOptions;
  readonly #checks: readonly ServiceCheck[];
  readonly #now: () => number;
  readonly #latest = new Map<string, ServiceStatus>();
  readonly #inFlight = new Map<string, Promise<ServiceStatus>>();
  readonly #timers: NodeJS.Timeout[] = [];
  readonly #waiting: (() => void)[] = [];
  #active = 0;
  #heartbeat: NodeJS.Timeout | null = null;
  #coalesce: NodeJS.Timeout | null = null;
  /** Reports are made only between start() and stop(). */
  #running = false;
  #reports = 0;

  constructor(opts: ServiceSchedulerOptions) {
    const names = new Set<string>();
    for (const c of opts.checks) {
      if (names.has(c.name)) throw new RangeError(`two service checks are named "${c.name}"`);
      names.add(c.name);
    }
    this.#opts = opts;
    this.#checks = opts.checks;
    this.#now = opts.now ?? Date.now;
  }

  get checks(): readonly ServiceCheck[] {
    return this.#checks;
  }

  /** Reports made so far. */
  get reports(): number {
    return this.#reports;
  }

  /** Run every check now, then each at its interval. */
  start(): void {
    if (this.#running) return;
    this.#running = true;
    for (const spec of this.#checks) {
      this.#due(spec);
      this.#timers.push(setInterval(() => this.#due(spec), spec.intervalMs));
    }
    this.#armHeartbeat();
  }

  stop(): void {
    this.#running = false;
    for (const t of this.#timers) clearInterval(t);
    this.#timers.length = 0;
    if (this.#heartbeat) clearTimeout(this.#heartbeat);
    if (this.#coalesce) clearTimeout(this.#coalesce);
  }

  /** Latest result of every check that has one (of `account`'s checks only, if given). */
  latest(account?: string): ServiceStatus[] {
    return this.#checks
      .filter((c) => account === undefined || c.account === account)
      .map((c) => this.#latest.get(c.name))
      .filter((s): s is ServiceStatus => s !== undefined);
  }

  /**
   * Run the checks `filter` selects now (outside the concurrency bound) and
   * answer within `budgetMs`: fresh results, or the last one of a check not
   * done in time (a check never run before is then left out).
   */
  async runNow(filter: (c: ServiceCheck) => boolean, budgetMs: number): Promise<ServiceStatus[]> {
    const picked = this.#checks.filter(filter);
    const runs = picked.map((spec) => this.#inFlight.get(spec.name) ?? this.#track(spec, this.#exec(spec)));
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<null>((r) => { timer = setTimeout(r, budgetMs, null); });
    try {
      const got = await Promise.all(runs.map((p) => Promise.race([p, late])));
      return picked.map((spec, i) => got[i] ?? this.#latest.get(spec.name)).filter((s): s is ServiceStatus => s !== undefined);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Run every check once through the concurrency bound and wait for all (for --once). */
  runAll(): Promise<ServiceStatus[]> {
    return Promise.all(this.#checks.map((spec) => this.#inFlight.get(spec.name) ?? this.#track(spec, this.#limited(() => this.#exec(spec)))));
  }

  #due(spec: ServiceCheck): void {
    if (!this.#running || this.#inFlight.has(spec.name)) return;
    this.#track(spec, this.#limited(() => this.#exec(spec)));
  }

  #track(spec: ServiceCheck, p: Promise<ServiceStatus>): Promise<ServiceStatus> {
    this.#inFlight.set(spec.name, p);
    void p.finally(() => { if (this.#inFlight.get(spec.name) === p) this.#inFlight.delete(spec.name); });
    return p;
  }

  async #limited<T>(fn: () => Promise<T>): Promise<T> {
    const max = this.#opts.concurrency ?? DEFAULT_SERVICES_CONCURRENCY;
    if (this.#active >= max) await new Promise<void>((r) => this.#waiting.push(r));
    this.#active++;
    try {
      return await fn();
    } finally {
      this.#active--;
      this.#waiting.shift()?.();
    }
  }

  async #exec(spec: ServiceCheck): Promise<ServiceStatus> {
    let o: CheckOutcome;
    try {
      o = await this.#opts.run(spec, spec.timeoutMs);
    } catch (e) {
      o = { status: 'unknown', latencyMs: 0, reason: `check failed: ${(e as Error)?.message ?? String(e)}` };
    }
    const s: ServiceStatus = {
      name: spec.name,
      ...(spec.account ? { account: spec.account } : {}),
      status: o.status,
      latencyMs: Math.max(0, o.latencyMs),
      ...(o.reason ? { reason: o.reason.slice(0, 200) } : {}),
      checkedAt: Math.round(this.#now()),
    };
    const prev = this.#latest.get(spec.name);
    this.#latest.set(spec.name, s);
    if (changed(prev, s)) this.#soon();
    return s;
  }

  #soon(): void {
    if (!this.#running || this.#coalesce) return;
    this.#coalesce = setTimeout(() => this.#report(), this.#opts.coalesceMs ?? 100);
  }

  #armHeartbeat(): void {
    if (this.#heartbeat) clearTimeout(this.#heartbeat);
    if (!this.#running) return;
    this.#heartbeat = setTimeout(() => this.#report(), this.#opts.heartbeatMs ?? DEFAULT_SERVICES_HEARTBEAT_MS);
  }

  #report(): void {
    if (this.#coalesce) clearTimeout(this.#coalesce);
    this.#coalesce = null;
    if (!this.#running) return;
    const all = this.latest();
    if (all.length > 0) {
      this.#reports++;
      this.#opts.onReport(all);
    }
    this.#armHeartbeat();
  }
}
