/**
 * A running agent: the Sampler ticking on a timer, the accounts' figures
 * (QuotaReporter), the service checks (ServiceScheduler), named actions
 * (ActionRunner), and an AgentConnection sending what they produce through
 * the spool. The CLI, `scripts/start.ts` and integration tests all start
 * agents through runAgent(); optionsFromConfig() maps the config file onto it.
 */
import { silentLogger, type AgentLogger } from './log.js';
import type { Hello } from '../protocol/index.js';
import { AccountDirectory } from './account-directory.js';
import { AccountsCollector, type AccountsCollectorOptions } from './accounts/collector.js';
import { ActionRunner, type ActionsConfig } from './actions.js';
import { readHostFacts } from './collectors/host.js';
import type { StatfsFn } from './collectors/filesystems.js';
import type { AgentConfig } from './config.js';
import { AgentConnection, type AgentConnectionOptions, type ConnectionStats } from './connection.js';
import { DiskSpool, type DiskSpoolOptions } from './disk-spool.js';
import { QuotaReporter, type AccountsSource } from './quota-reporter.js';
import { createRefreshHandler, DEFAULT_REFRESH_BUDGET_MS } from './refresh.js';
import { Sampler, type SampleResult } from './sampler.js';
import { createSequences } from './sequence.js';
import { ProcessScanner } from './services/process.js';
import { runCheck } from './services/run-check.js';
import { ServiceScheduler } from './services/scheduler.js';
import type { ServiceCheck } from './services/spec.js';
import { MemorySpool, type Spool } from './spool.js';

export { collectOnce, type OnceResult } from './once.js';

/** Per-account figures: the collector's options, how often to report, or a collector of one's own (tests). */
export interface AgentAccountsOptions extends AccountsCollectorOptions {
  /** Time between `quota` messages, ms. Default 10000. */
  intervalMs?: number;
  /** Use this instead of a new AccountsCollector (whose options above are then ignored, but minUid/include/exclude still select who may have actions run). */
  collector?: AccountsSource;
}

export interface AgentOptions {
  /** Hub base URL, e.g. "http://127.0.0.1:8080". */
  hubUrl: string;
  /** Agent token from `POST /api/hosts`. */
  token: string;
  /** Time between samples, ms. Default 1000. */
  intervalMs?: number;
  /** Root of the proc filesystem, default "/proc". */
  procRoot?: string;
  /** Directory holding passwd, default "/etc". */
  etcRoot?: string;
  /** Default: silent. */
  logger?: AgentLogger;
  /**
   * Unacknowledged items: a Spool, or the options of a DiskSpool to open (and
   * close on stop). Default: a MemorySpool of 3600 items per stream.
   */
  spool?: Spool | DiskSpoolOptions;
  /** statfs for the disks (tests inject one). */
  statfs?: StatfsFn;
  /** Connection tuning, e.g. shorter reconnect delays in tests. */
  connection?: Pick<AgentConnectionOptions, 'helloTimeoutMs' | 'reconnectionDelay' | 'reconnectionDelayMax' | 'randomizationFactor' | 'dropReportEveryMs'>;
  /** Per-account figures on the `quota` stream. Default: none. */
  accounts?: AgentAccountsOptions | false;
  /** Service checks (defaults applied, e.g. by configSchema). Default: none. */
  services?: readonly ServiceCheck[];
  /** Checks running at once. Default 4. */
  servicesConcurrency?: number;
  /** A `services` message at least this often, ms. Default 30000. */
  servicesHeartbeatMs?: number;
  /** Named actions the hub may run for an account. Default: none. */
  actions?: ActionsConfig;
  /** Time a refresh may spend measuring, ms. Default 1500 (the hub waits 2000). */
  refreshBudgetMs?: number;
}

export interface AgentStats extends ConnectionStats {
  /** Ticks run (samples attempted). */
  ticks: number;
  /** Ticks whose sample could not be made (nothing sent). */
  failedTicks: number;
  /** `services` reports made. */
  serviceReports: number;
}

export interface RunningAgent {
  readonly connection: AgentConnection;
  readonly sampler: Sampler;
  readonly spool: Spool;
  /** Null without accounts / checks / actions. */
  readonly accounts: AccountsSource | null;
  readonly quota: QuotaReporter | null;
  readonly services: ServiceScheduler | null;
  readonly actions: ActionRunner | null;
  /** Take a sample now and send it, as a tick does. */
  tick(): Promise<SampleResult>;
  stats(): AgentStats;
  /** Stop everything and close the connection; `drainMs`: wait up to that long for pending acks first. */
  stop(opts?: { drainMs?: number }): Promise<void>;
}

const isSpool = (s: Spool | DiskSpoolOptions): s is Spool => typeof (s as Spool).push === 'function';

/** The runAgent options a config file describes (plus hub and token, which must be set to run). */
export function optionsFromConfig(c: AgentConfig): Omit<AgentOptions, 'hubUrl' | 'token' | 'logger'> {
  const a = c.accounts;
  return {
    intervalMs: c.intervalMs,
    procRoot: c.procRoot,
    etcRoot: c.etcRoot,
    spool: { ...c.spool },
    accounts: a.enabled && {
      intervalMs: a.intervalMs, minUid: a.minUid, include: a.include, exclude: a.exclude, quota: a.quota,
      walkBudgetPerTick: a.walkBudgetPerTick, walkFirstBudgetPerTick: a.walkFirstBudgetPerTick, walkPassGapMs: a.walkPassGapMs,
      watchHomes: a.watchHomes, maxWatches: a.maxWatches, walkRecheckMs: a.walkRecheckMs, quotaIntervalMs: a.quotaIntervalMs, quotaDevices: a.quotaDevices,
    },
    services: c.services,
    servicesConcurrency: c.servicesConcurrency,
    servicesHeartbeatMs: c.servicesHeartbeatMs,
    actions: c.actions,
  };
}

/** Start sampling and connecting at once; the first sample (rates 0, with disks) is taken immediately. */
export async function runAgent(opts: AgentOptions): Promise<RunningAgent> {
  const log = opts.logger ?? silentLogger;
  const intervalMs = opts.intervalMs ?? 1000;
  if (!Number.isFinite(intervalMs) || intervalMs < 10) throw new RangeError(`intervalMs must be at least 10, got ${intervalMs}`);
  const sequences = createSequences();
  const ownSpool = opts.spool !== undefined && !isSpool(opts.spool);
  const spool = opts.spool === undefined ? new MemorySpool() : isSpool(opts.spool) ? opts.spool : new DiskSpool(opts.spool);
  if (spool instanceof DiskSpool) {
    const r = spool.recovery;
    if (r.warnings.length) log.warn({ dir: spool.dir, warnings: r.warnings }, 'spool recovered with losses');
    log.info({ dir: spool.dir, items: r.items, lastSeq: { samples: spool.lastSeq('samples'), quota: spool.lastSeq('quota'), services: spool.lastSeq('services') } }, 'spool opened');
  }
  const sampler = new Sampler({ procRoot: opts.procRoot, sequence: sequences.samples, statfs: opts.statfs });
  const acc = opts.accounts || null;
  const directory = new AccountDirectory({ etcRoot: opts.etcRoot, minUid: acc?.minUid, include: acc?.include, exclude: acc?.exclude });
  let lastErrors = '';
  let ticks = 0;
  let failedTicks = 0;

  const tick = async (): Promise<SampleResult> => {
    ticks++;
    const r = await sampler.sample();
    if (r.sample) connection.send('samples', r.sample);
    else failedTicks++;
    // Log a source's failure when it starts and when it ends, not every second.
    const errs = r.errors.join('; ');
    if (errs !== lastErrors) {
      if (errs) log.warn({ errors: r.errors }, 'some sources could not be read; their fields are 0');
      else log.info('all sources readable again');
      lastErrors = errs;
    }
    return r;
  };

  // Accounts: the collector measures, the reporter sends a snapshot every interval.
  let source: AccountsSource | null = null;
  let reporter: QuotaReporter | null = null;
  if (acc) {
    const { intervalMs: accountsEvery = 10_000, collector, ...collectorOpts } = acc;
    // Scan /proc on every report, so CPU covers the whole interval.
    const walkStarted = Date.now();
    source = collector ?? new AccountsCollector({
      procRoot: opts.procRoot, etcRoot: opts.etcRoot, scanIntervalMs: Math.round(accountsEvery * 0.8),
      onWalkFirstCycle: ({ homes, entries, watchedHomes }) => log.info({ homes, entries, watchedHomes, seconds: Math.round((Date.now() - walkStarted) / 1000) },
        'home walk: every walked home measured once'),
      ...collectorOpts,
    });
    let failing = false;
    reporter = new QuotaReporter({
      source,
      sequence: sequences.quota,
      intervalMs: accountsEvery,
      send: (m) => { failing = false; connection.send('quota', m); },
      onError: (e) => { if (!failing) log.warn({ err: e.message }, 'accounts could not be collected'); failing = true; },
    });
  }

  // Service checks: one /proc scan shared by the process checks of a round.
  const checks = opts.services ?? [];
  const scanner = new ProcessScanner({ procRoot: opts.procRoot });
  const services = checks.length === 0 ? null : new ServiceScheduler({
    checks,
    concurrency: opts.servicesConcurrency,
    heartbeatMs: opts.servicesHeartbeatMs,
    run: (spec, timeoutMs) => runCheck(spec, timeoutMs, { scanner, uidOf: (n) => directory.uidOf(n) }),
    onReport: (list) => connection.send('services', { seq: sequences.services.next(), t: Date.now(), services: list }),
  });

  const actions = opts.actions && Object.keys(opts.actions).length > 0
    ? new ActionRunner({ actions: opts.actions, lookup: (n) => directory.account(n), logger: log })
    : null;

  const connection = new AgentConnection({
    ...opts.connection,
    hubUrl: opts.hubUrl,
    token: opts.token,
    spool,
    sequences,
    logger: log,
    hello: async (): Promise<Hello> => {
      const facts = await readHostFacts({ procRoot: opts.procRoot });
      if (facts.warnings.length) log.warn({ warnings: facts.warnings }, 'host facts from fallbacks');
      return actions ? { ...facts.hello, actions: actions.offered() } : facts.hello;
    },
    onRefresh: createRefreshHandler({
      tick,
      services,
      accounts: source && reporter ? { source, reporter } : null,
      budgetMs: opts.refreshBudgetMs ?? DEFAULT_REFRESH_BUDGET_MS,
    }),
    ...(actions ? { onAction: (req: unknown) => actions.run(req) } : {}),
  });

  // Ticks on a fixed grid (start + k × interval) so they do not drift; a tick
  // still running when the next is due makes that one skip, never queue.
  const started = Date.now();
  let k = 0;
  let running = false;
  let stopped = false;
  let timer: NodeJS.Timeout | null = null;
  const schedule = (): void => {
    if (stopped) return;
    const now = Date.now();
    k = Math.max(k + 1, Math.ceil((now - started) / intervalMs));
    timer = setTimeout(onTimer, started + k * intervalMs - now);
  };
  const onTimer = (): void => {
    schedule();
    if (running) return;
    running = true;
    tick().finally(() => { running = false; });
  };

  connection.start();
  running = true;
  tick().finally(() => { running = false; });
  schedule();
  source?.start();
  reporter?.start();
  services?.start();
  log.info({
    hub: opts.hubUrl, intervalMs, procRoot: opts.procRoot ?? '/proc', spool: spool instanceof DiskSpool ? spool.dir : 'memory',
    accounts: !!acc, services: checks.length, actions: actions?.names ?? [],
  }, 'agent started');

  return {
    connection,
    sampler,
    spool,
    accounts: source,
    quota: reporter,
    services,
    actions,
    tick,
    stats: () => ({ ...connection.stats(), ticks, failedTicks, serviceReports: services?.reports ?? 0 }),
    async stop(stopOpts = {}) {
      if (stopped) return;
      stopped = true;
      if (timer) clearTimeout(timer);
      reporter?.stop();
      services?.stop();
      await source?.stop();
      await connection.stop(stopOpts);
      sampler.close();
      if (ownSpool) spool.close();
      log.info('agent stopped');
    },
  };
}
