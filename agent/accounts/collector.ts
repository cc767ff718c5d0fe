/**
 * Per-account figures for the `quota` stream: disk usage (from repquota where
 * quotas are on, else from a budgeted walk of the home) and CPU, resident
 * memory and process count from /proc.
 *
 * Who the accounts are: /etc/passwd users with uid ≥ minUid (not nobody),
 * plus `include`, minus `exclude`; passwd is re-read when it changes (passwdVersion).
 * CPU/RSS are scanned by collect() at most every `scanIntervalMs`; disk
 * figures come from start()'s own timers (repquota every `quotaIntervalMs`,
 * walk ticks every `walkTickMs`). With quota "auto", an account found in the
 * last successful repquota report uses it, every other account is walked.
 *
 * Conventions of the figures: bytes are allocated bytes in both sources (what
 * quota charges); `measuredAt` 0 with `partial: true` means nothing measured
 * yet (before start(), or the first walk step); processes of a uid shared by
 * several names count for the first of them.
 *
 * Every entry must pass the protocol's accountQuotaSchema (the agent spools
 * only valid items). What comes from outside is checked against its fields
 * where it comes in: account names once per read of passwd (a name the hub
 * would refuse is left out, with an error), repquota's figures once per
 * report. The other figures are sums and rates this file computes from
 * parsed integers, so an entry is put together without parsing it again:
 * checking 200 entries every 10 s was a quarter of the idle agent's
 * JavaScript time and ~40 % of what it allocated.
 */
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import * as z from 'zod/mini';
import type { AccountQuota } from '../../protocol/index.js';
import { accountQuotaSchema } from '../../protocol/index.js';
import { defaultHome, passwdVersion, readPasswd, selectAccounts, type Account } from './passwd.js';
import { ProcessScanner, type ScanStats } from './process-scan.js';
import { parseRepquota, quotaByName, runRepquota, type QuotaUsage } from './repquota.js';
import { WalkScheduler, type WalkStats } from './walk-scheduler.js';

/** An account name as the protocol takes it. */
const accountNameSchema = accountQuotaSchema.shape.account;
/** What repquota gives of an account, as the protocol takes it. */
const quotaFiguresSchema = z.pick(accountQuotaSchema, { usedBytes: true, files: true, softLimitBytes: true, hardLimitBytes: true });

export type QuotaMode = 'auto' | 'repquota' | 'walk';

export interface AccountsCollectorOptions {
  /** Root of the proc filesystem, default "/proc". */
  procRoot?: string;
  /** Directory holding passwd, default "/etc". */
  etcRoot?: string;
  /** Lowest uid discovered as an account, default 1000. */
  minUid?: number;
  /** Names that are accounts whatever their uid (even if passwd lacks them: then disk only). */
  include?: readonly string[];
  /** Names that are never accounts. */
  exclude?: readonly string[];
  /** Home to walk for an account; undefined falls back to the passwd home, or /home/<name>. */
  homeOf?: (name: string) => string | undefined;
  /** Disk figure source. Default "auto": repquota where it reports the account, else a walk. */
  quota?: QuotaMode;
  /** Entries lstat'ed per walk tick, over all accounts. Default 250 (the config's default, agent/config.ts). */
  walkBudgetPerTick?: number;
  /** The same while some home has no complete figure yet. Default: walkBudgetPerTick. */
  walkFirstBudgetPerTick?: number;
  /** Called once, when every walked home has been measured once. */
  onWalkFirstCycle?: (info: { homes: number; entries: number; watchedHomes: number }) => void;
  /** Time between walk ticks, ms. Default 1000. */
  walkTickMs?: number;
  /** Least time between two walks of one home, ms. Default 60000. */
  walkPassGapMs?: number;
  /** Watch walked homes and walk again only those that changed (walk-scheduler.ts). Default false here; the agent's config default is true. */
  watchHomes?: boolean;
  /** Most inotify watches over all homes. Default 8192. */
  maxWatches?: number;
  /** A watched, unchanged home is walked again after this long, ms. Default 3600000. */
  walkRecheckMs?: number;
  /** USER_HZ of /proc/[pid]/stat times. Default 100. */
  clockTicks?: number;
  /** Bytes per page of /proc/[pid]/stat rss. Default 4096. */
  pageSize?: number;
  /** collect() scans /proc at most this often, ms. Default 5000. */
  scanIntervalMs?: number;
  /** repquota runs this often, ms. Default 60000. */
  quotaIntervalMs?: number;
  /** repquota executable (default "repquota" in PATH), arguments (default -a -u -n -p) and timeout (default 10000 ms). */
  repquotaPath?: string;
  repquotaArgs?: readonly string[];
  repquotaTimeoutMs?: number;
  /** Only count these devices of the quota report (as repquota names them). Default: all. */
  quotaDevices?: readonly string[];
  /** Clock, ms. Default Date.now. */
  now?: () => number;
}

export interface AccountsStats {
  /** Accounts reported; included names passwd does not know. */
  accounts: number;
  unknownAccounts: string[];
  /** Cost of the /proc scans. */
  scan: ScanStats;
  /** Work of the home walks. */
  walk: WalkStats;
  quota: { mode: QuotaMode; available: boolean | null; runs: number; failures: number; lastMs: number; lastError: string | null };
  /** Errors since start, and the latest few messages. */
  errors: number;
  lastErrors: string[];
}

interface Usage { cpuPct?: number; rssBytes: number; processes: number }
interface QuotaReport { at: number; byName: Map<string, QuotaUsage> }

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Within this many ms, refresh() reuses the last /proc scan instead of scanning again. */
const FRESH_SCAN_MS = 1000;

export class AccountsCollector {
  readonly #o: AccountsCollectorOptions;
  readonly #mode: QuotaMode;
  readonly #now: () => number;
  readonly #scanner: ProcessScanner;
  readonly #walks: WalkScheduler;
  #accounts: Account[] = [];
  #unknown: string[] = [];
  #passwdVersion: string | null = null;
  #usage = new Map<string, Usage>();
  #lastScanAt: number | null = null;
  #scanning: Promise<void> | null = null;
  #report: QuotaReport | null = null;
  #quotaRun: Promise<boolean> | null = null;
  #quotaTimer: NodeJS.Timeout | null = null;
  #quota = { available: null as boolean | null, runs: 0, failures: 0, lastMs: 0, lastError: null as string | null };
  #errors = 0;
  readonly #lastErrors: string[] = [];

  constructor(opts: AccountsCollectorOptions = {}) {
    this.#o = opts;
    this.#mode = opts.quota ?? 'auto';
    this.#now = opts.now ?? Date.now;
    const onError = (m: string) => this.#error(m);
    this.#scanner = new ProcessScanner({ procRoot: opts.procRoot, pageSize: opts.pageSize, clockTicks: opts.clockTicks, now: this.#now, onError });
    this.#walks = new WalkScheduler({
      budgetPerTick: opts.walkBudgetPerTick, firstBudgetPerTick: opts.walkFirstBudgetPerTick, onFirstCycle: opts.onWalkFirstCycle, tickMs: opts.walkTickMs, passGapMs: opts.walkPassGapMs, now: this.#now, onError,
      watch: opts.watchHomes, maxWatches: opts.maxWatches, recheckMs: opts.walkRecheckMs,
    });
  }

  /** Start the disk timers: repquota (unless mode "walk") and walk ticks (unless mode "repquota"). */
  start(): void {
    if (this.#mode !== 'repquota') this.#walks.start();
    if (this.#mode !== 'walk' && !this.#quotaTimer) {
      const loop = (): void => {
        void this.#runQuota(this.#o.repquotaTimeoutMs ?? 10_000).finally(() => {
          if (this.#quotaTimer) this.#quotaTimer = setTimeout(loop, this.#o.quotaIntervalMs ?? 60_000).unref();
        });
      };
      this.#quotaTimer = setTimeout(loop, 0).unref();
    }
  }

  /** Stop the timers and wait for the work in progress. */
  async stop(): Promise<void> {
    if (this.#quotaTimer) clearTimeout(this.#quotaTimer);
    this.#quotaTimer = null;
    await Promise.all([this.#walks.stop(), this.#quotaRun, this.#scanning]);
    this.#scanner.close();
  }

  /** Current figures, one entry per account, each valid per `accountQuotaSchema`; scans /proc if the last scan is older than `scanIntervalMs`. */
  async collect(): Promise<AccountQuota[]> {
    const last = this.#lastScanAt;
    if (last === null || this.#now() - last >= (this.#o.scanIntervalMs ?? 5000)) await this.#scan();
    return this.#accounts.map((a) => this.#entry(a));
  }

  /**
   * Measure one account now: CPU/RSS at once; disk by re-running repquota, or
   * walking the home if that finishes within `budgetMs`. Otherwise the cached
   * disk figure comes back with `stale: true` (also while it is partial).
   * Rejects only for an account that is not one.
   */
  async refresh(account: string, budgetMs: number): Promise<{ quota: AccountQuota; stale: boolean }> {
    const t0 = performance.now();
    const left = (): number => Math.max(0, budgetMs - (performance.now() - t0));
    let a = this.#accounts.find((x) => x.name === account);
    if (!a) {
      await this.#scan();
      a = this.#accounts.find((x) => x.name === account);
      if (!a) throw new Error(`unknown account "${account}"`);
    } else if (this.#lastScanAt === null || this.#now() - this.#lastScanAt >= FRESH_SCAN_MS) await this.#scan();
    // CPU is a rate: a first scan has no window yet, so take a short one.
    if (this.#usage.get(account)?.cpuPct === undefined && a.uid !== undefined) {
      await sleep(Math.min(250, left() / 4));
      await this.#scan();
    }
    // A repquota run already under way (from the timer) is shared, but not waited for past the budget.
    const fresh = this.#usesQuota(a)
      ? await Promise.race([this.#runQuota(Math.max(100, left())), sleep(left()).then(() => false)])
      : (await this.#walks.walkNow(a.name, left())) !== null;
    const quota = this.#entry(a);
    return { quota, stale: !fresh || quota.partial === true };
  }

  /** Costs and errors, for logs and /metrics. */
  stats(): AccountsStats {
    return {
      accounts: this.#accounts.length, unknownAccounts: [...this.#unknown],
      scan: this.#scanner.stats(), walk: this.#walks.stats(),
      quota: { mode: this.#mode, ...this.#quota },
      errors: this.#errors, lastErrors: [...this.#lastErrors],
    };
  }

  /** Reload accounts if passwd changed, then scan /proc. Concurrent calls share one scan. */
  #scan(): Promise<void> {
    this.#scanning ??= (async () => {
      await this.#loadAccounts();
      const byUid = new Map<number, Account>();
      for (const a of this.#accounts) if (a.uid !== undefined && !byUid.has(a.uid)) byUid.set(a.uid, a);
      const r = await this.#scanner.scan(new Set(byUid.keys()));
      const hz = this.#o.clockTicks ?? 100;
      const usage = new Map<string, Usage>();
      for (const a of this.#accounts) {
        const u = a.uid !== undefined && byUid.get(a.uid) === a ? r.byUid.get(a.uid) : undefined;
        const cpuPct = r.elapsedS ? Math.round(((u?.ticks ?? 0) / (r.elapsedS * hz)) * 10000) / 100 : undefined;
        usage.set(a.name, { rssBytes: u?.rssBytes ?? 0, processes: u?.processes ?? 0, ...(cpuPct !== undefined ? { cpuPct } : {}) });
      }
      this.#usage = usage;
      this.#lastScanAt = r.at;
    })().finally(() => { this.#scanning = null; });
    return this.#scanning;
  }

  async #loadAccounts(): Promise<void> {
    const etc = this.#o.etcRoot ?? '/etc';
    // null (not stat'able): read it anyway, and readPasswd says why.
    const version = await passwdVersion(etc);
    if (version !== null && version === this.#passwdVersion) return;
    this.#passwdVersion = version;
    const r = await readPasswd(etc);
    if (!r.ok) return this.#error(r.error);
    for (const e of r.value.errors) this.#error(`${join(etc, 'passwd')}: ${e}`);
    const { accounts, unknown } = selectAccounts(r.value.entries, this.#o);
    this.#accounts = accounts.filter((a) => {
      const v = z.safeParse(accountNameSchema, a.name);
      if (!v.success) this.#error(`account ${JSON.stringify(a.name.slice(0, 80))} left out: the hub would refuse its name (${v.error.issues[0].message})`);
      return v.success;
    });
    this.#unknown = unknown;
    this.#syncWalkTargets();
  }

  #home(a: Account): string {
    return this.#o.homeOf?.(a.name) ?? defaultHome(a);
  }

  #quotaOf(a: Account): QuotaUsage | undefined {
    const m = this.#report?.byName;
    return (a.uid !== undefined ? m?.get(`#${a.uid}`) : undefined) ?? m?.get(a.name);
  }

  #usesQuota(a: Account): boolean {
    return this.#mode === 'repquota' || (this.#mode === 'auto' && this.#quotaOf(a) !== undefined);
  }

  #syncWalkTargets(): void {
    const walked = this.#accounts.filter((a) => this.#mode === 'walk' || (this.#mode === 'auto' && !this.#usesQuota(a)));
    this.#walks.setTargets(walked.map((a) => ({ name: a.name, home: this.#home(a) })));
  }

  /** Run repquota once (concurrent calls share the run); true when it gave a report. */
  #runQuota(timeoutMs: number): Promise<boolean> {
    this.#quotaRun ??= (async () => {
      const t0 = performance.now();
      const out = await runRepquota({ path: this.#o.repquotaPath, args: this.#o.repquotaArgs, timeoutMs });
      const q = this.#quota;
      q.runs++;
      q.lastMs = performance.now() - t0;
      const report = out.ok ? parseRepquota(out.value) : null;
      const problem = !out.ok ? out.error : report!.sections === 0 ? 'repquota: no filesystem with user quotas' : null;
      if (problem) {
        q.failures++;
        q.lastError = problem;
        // Without the package, "auto" quietly walks; any other failure is worth telling.
        if (this.#mode === 'repquota' || q.available || !problem.endsWith('not found')) this.#error(problem);
        q.available = false;
        return false;
      }
      for (const e of report!.errors) this.#error(`repquota: ${e}`);
      q.available = true;
      const byName = quotaByName(report!.entries, this.#o.quotaDevices);
      for (const [name, figures] of byName) {
        const v = z.safeParse(quotaFiguresSchema, figures);
        if (v.success) continue;
        byName.delete(name);
        this.#error(`repquota: ${JSON.stringify(name.slice(0, 80))}: invalid figures (${v.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')})`);
      }
      this.#report = { at: this.#now(), byName };
      this.#syncWalkTargets();
      return true;
    })().finally(() => { this.#quotaRun = null; });
    return this.#quotaRun;
  }

  /** The protocol entry of an account (see the top of this file for why it is valid). */
  #entry(a: Account): AccountQuota {
    const u = this.#usage.get(a.name);
    const proc = { rssBytes: u?.rssBytes ?? 0, processes: u?.processes ?? 0, ...(u?.cpuPct !== undefined ? { cpuPct: u.cpuPct } : {}) };
    let disk: Omit<AccountQuota, 'account' | 'rssBytes' | 'processes' | 'cpuPct'>;
    const q = this.#mode !== 'walk' ? this.#quotaOf(a) : undefined;
    if (q && this.#report) disk = { ...q, source: 'quota', measuredAt: this.#report.at };
    else if (this.#mode === 'repquota') {
      // repquota leaves out users without usage; before any report nothing is known (measuredAt 0).
      disk = this.#report ? { usedBytes: 0, files: 0, source: 'quota', measuredAt: this.#report.at }
        : { usedBytes: 0, files: 0, source: 'quota', measuredAt: 0, partial: true };
    } else {
      const f = this.#walks.figure(a.name) ?? { usedBytes: 0, files: 0, measuredAt: 0, partial: true };
      disk = { usedBytes: f.usedBytes, files: f.files, source: 'walk', measuredAt: f.measuredAt, ...(f.partial ? { partial: true } : {}) };
    }
    return { account: a.name, ...disk, ...proc };
  }

  #error(message: string): void {
    this.#errors++;
    this.#lastErrors.push(message);
    if (this.#lastErrors.length > 20) this.#lastErrors.shift();
  }
}
