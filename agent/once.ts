/**
 * `--once`: one round of everything without a hub — the hello payload, a
 * sample whose rates cover `intervalMs`, the accounts' figures and every
 * service check — for a look at what the agent would send.
 */
import type { AccountQuota, Hello, Sample, ServiceStatus } from '../protocol/index.js';
import { AccountDirectory } from './account-directory.js';
import { AccountsCollector, type AccountsCollectorOptions } from './accounts/collector.js';
import { ActionRunner, type ActionsConfig } from './actions.js';
import { readHostFacts } from './collectors/host.js';
import type { StatfsFn } from './collectors/filesystems.js';
import { Sampler } from './sampler.js';
import { ProcessScanner } from './services/process.js';
import { runCheck } from './services/run-check.js';
import { ServiceScheduler } from './services/scheduler.js';
import type { ServiceCheck } from './services/spec.js';

export interface OnceOptions {
  procRoot?: string;
  etcRoot?: string;
  /** Time between the two readings of the sample, ms. Default 1000. */
  intervalMs?: number;
  statfs?: StatfsFn;
  /** Options of the accounts collector; absent or false: no accounts. */
  accounts?: AccountsCollectorOptions | false;
  services?: readonly ServiceCheck[];
  servicesConcurrency?: number;
  /** Listed in the hello (not run). */
  actions?: ActionsConfig;
}

export interface OnceResult {
  hello: Hello;
  /** A sample whose rates cover `intervalMs`. */
  sample: Sample | null;
  /** Figures of every account (a walk may still be partial after one interval). */
  accounts: AccountQuota[];
  services: ServiceStatus[];
  errors: string[];
}

/** One round without a hub. */
export async function collectOnce(opts: OnceOptions = {}): Promise<OnceResult> {
  // disksEveryMs 0: the printed sample always shows the disks.
  const sampler = new Sampler({ procRoot: opts.procRoot, statfs: opts.statfs, disksEveryMs: 0 });
  // scanIntervalMs 0: the second collect() scans again, so CPU covers the interval.
  const collector = opts.accounts ? new AccountsCollector({ procRoot: opts.procRoot, etcRoot: opts.etcRoot, ...opts.accounts, scanIntervalMs: 0 }) : null;
  const directory = new AccountDirectory({ etcRoot: opts.etcRoot, ...(opts.accounts || {}) });
  const scanner = new ProcessScanner({ procRoot: opts.procRoot });
  const scheduler = new ServiceScheduler({
    checks: opts.services ?? [],
    concurrency: opts.servicesConcurrency,
    run: (spec, timeoutMs) => runCheck(spec, timeoutMs, { scanner, uidOf: (n) => directory.uidOf(n) }),
    onReport: () => {},
  });
  collector?.start();
  const [facts, services] = await Promise.all([
    readHostFacts({ procRoot: opts.procRoot }),
    scheduler.runAll(),
    sampler.sample(),
    collector?.collect(),
  ]);
  await new Promise((r) => setTimeout(r, opts.intervalMs ?? 1000));
  const [r, accounts] = await Promise.all([sampler.sample(), collector ? collector.collect() : Promise.resolve([])]);
  const errors = [...facts.warnings, ...r.errors];
  if (collector) {
    await collector.stop();
    errors.push(...collector.stats().lastErrors.map((e) => `accounts: ${e}`));
  }
  const offered = opts.actions && Object.keys(opts.actions).length > 0 ? new ActionRunner({ actions: opts.actions, lookup: async () => null }).offered() : null;
  return { hello: offered ? { ...facts.hello, actions: offered } : facts.hello, sample: r.sample, accounts, services, errors };
}
