/**
 * A running agent: a Sampler ticking on a timer, an AgentConnection sending
 * what it produces, and the spool between them. The CLI, `scripts/start.ts`
 * and integration tests all start agents through runAgent().
 */
import pino, { type Logger } from 'pino';
import type { Hello, Sample } from '../protocol/index.js';
import { readHostFacts } from './collectors/host.js';
import type { StatfsFn } from './collectors/filesystems.js';
import { AgentConnection, type AgentConnectionOptions, type ConnectionStats } from './connection.js';
import { Sampler, type SampleResult } from './sampler.js';
import { createSequences } from './sequence.js';
import { MemorySpool, type Spool } from './spool.js';

export interface AgentOptions {
  /** Hub base URL, e.g. "http://127.0.0.1:8080". */
  hubUrl: string;
  /** Agent token from `POST /api/hosts`. */
  token: string;
  /** Time between samples, ms. Default 1000. */
  intervalMs?: number;
  /** Root of the proc filesystem, default "/proc". */
  procRoot?: string;
  /** Default: silent. */
  logger?: Logger;
  /** Unacknowledged items. Default: a MemorySpool of 3600 items per stream. */
  spool?: Spool;
  /** statfs for the disks (tests inject one). */
  statfs?: StatfsFn;
  /** Connection tuning, e.g. shorter reconnect delays in tests. */
  connection?: Pick<AgentConnectionOptions, 'helloTimeoutMs' | 'reconnectionDelay' | 'reconnectionDelayMax' | 'randomizationFactor'>;
}

export interface AgentStats extends ConnectionStats {
  /** Ticks run (samples attempted). */
  ticks: number;
  /** Ticks whose sample could not be made (nothing sent). */
  failedTicks: number;
}

export interface RunningAgent {
  readonly connection: AgentConnection;
  readonly sampler: Sampler;
  readonly spool: Spool;
  /** Take a sample now and send it, as a tick does. */
  tick(): Promise<SampleResult>;
  stats(): AgentStats;
  /** Stop ticking and close the connection; `drainMs`: wait up to that long for pending acks first. */
  stop(opts?: { drainMs?: number }): Promise<void>;
}

/** Start sampling and connecting at once; the first sample (rates 0, with disks) is taken immediately. */
export async function runAgent(opts: AgentOptions): Promise<RunningAgent> {
  const log = opts.logger ?? pino({ level: 'silent' });
  const intervalMs = opts.intervalMs ?? 1000;
  if (!Number.isFinite(intervalMs) || intervalMs < 10) throw new RangeError(`intervalMs must be at least 10, got ${intervalMs}`);
  const sequences = createSequences();
  const spool = opts.spool ?? new MemorySpool();
  const sampler = new Sampler({ procRoot: opts.procRoot, sequence: sequences.samples, statfs: opts.statfs });
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
      return facts.hello;
    },
    // Quota and services arrive with a later issue; for now a refresh is a fresh host sample.
    onRefresh: async () => {
      const r = await tick();
      return r.sample ? { ok: true, quota: [], services: [] } : { ok: false, error: r.errors.join('; ').slice(0, 200) || 'no sample' };
    },
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
  log.info({ hub: opts.hubUrl, intervalMs, procRoot: opts.procRoot ?? '/proc' }, 'agent started');

  return {
    connection,
    sampler,
    spool,
    tick,
    stats: () => ({ ...connection.stats(), ticks, failedTicks }),
    async stop(stopOpts = {}) {
      stopped = true;
      if (timer) clearTimeout(timer);
      await connection.stop(stopOpts);
      log.info('agent stopped');
    },
  };
}

export interface OnceResult {
  hello: Hello;
  /** A sample whose rates cover `intervalMs`. */
  sample: Sample | null;
  errors: string[];
}

/** One round without a hub: the hello payload and a sample taken `intervalMs` (default 1000) after a first reading. */
export async function collectOnce(opts: { procRoot?: string; intervalMs?: number; statfs?: StatfsFn } = {}): Promise<OnceResult> {
  // disksEveryMs 0: the printed sample always shows the disks.
  const sampler = new Sampler({ procRoot: opts.procRoot, statfs: opts.statfs, disksEveryMs: 0 });
  const [facts] = await Promise.all([readHostFacts({ procRoot: opts.procRoot }), sampler.sample()]);
  await new Promise((r) => setTimeout(r, opts.intervalMs ?? 1000));
  const r = await sampler.sample();
  return { hello: facts.hello, sample: r.sample, errors: [...facts.warnings, ...r.errors] };
}
