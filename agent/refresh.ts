/**
 * The hub's `refresh`: measure now and answer within the hub's 2 s.
 *
 * For an account: its figures (AccountsSource.refresh) and its service checks,
 * run at once. For the host: a fresh sample (sent on the `samples` stream) and
 * every service check. Whatever is not measured within `budgetMs` (1500 by
 * default, leaving the reply time to travel) is answered from the last
 * figure; the hub judges its age by `measuredAt` / `checkedAt`. When there is
 * nothing to answer with, the reply is `{ok: false, error}` saying why.
 */
import type { AccountQuota, RefreshReply, RefreshRequest, ServiceStatus } from '../protocol/index.js';
import type { QuotaReporter, AccountsSource } from './quota-reporter.js';
import type { SampleResult } from './sampler.js';
import { ACCOUNT_NAME_RE } from './services/spec.js';
import type { ServiceScheduler } from './services/scheduler.js';

export const DEFAULT_REFRESH_BUDGET_MS = 1500;

export interface RefreshDeps {
  /** Takes a sample and sends it. */
  tick: () => Promise<SampleResult>;
  services: ServiceScheduler | null;
  accounts: { source: AccountsSource; reporter: QuotaReporter } | null;
  /** Time allowed for measuring, ms. Default 1500. */
  budgetMs?: number;
}

const TIMEOUT = Symbol('timeout');
const within = <T>(p: Promise<T>, ms: number): Promise<T | typeof TIMEOUT> => {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([p, new Promise<typeof TIMEOUT>((r) => { timer = setTimeout(r, ms, TIMEOUT); })]).finally(() => clearTimeout(timer));
};

/** A handler for AgentConnectionOptions.onRefresh. */
export function createRefreshHandler(deps: RefreshDeps): (req: RefreshRequest) => Promise<RefreshReply> {
  const budget = deps.budgetMs ?? DEFAULT_REFRESH_BUDGET_MS;
  return async (req) => {
    if (req.account === undefined) return refreshHost(deps, budget);
    if (!ACCOUNT_NAME_RE.test(req.account)) return { ok: false, error: 'invalid account name' };
    return refreshAccount(deps, req.account, budget);
  };
}

async function refreshHost(deps: RefreshDeps, budget: number): Promise<RefreshReply> {
  const [sample, services] = await Promise.all([
    within(deps.tick(), budget),
    deps.services ? deps.services.runNow(() => true, budget) : Promise.resolve([]),
  ]);
  if (sample === TIMEOUT) return services.length ? { ok: true, quota: [], services } : { ok: false, error: 'no sample within the time allowed' };
  if (!sample.sample) return { ok: false, error: `no sample: ${sample.errors.join('; ')}`.slice(0, 200) };
  return { ok: true, quota: [], services };
}

async function refreshAccount(deps: RefreshDeps, account: string, budget: number): Promise<RefreshReply> {
  const hasChecks = deps.services?.checks.some((c) => c.account === account) ?? false;
  let stale = false;
  const quotaRun: Promise<AccountQuota | Error | null> = deps.accounts
    ? deps.accounts.source.refresh(account, budget).then((r) => { stale = r.stale; return r.quota; }, (e: unknown) => (e instanceof Error ? e : new Error(String(e))))
    : Promise.resolve(null);
  const [q, services] = await Promise.all([
    // The collector keeps to the budget itself; this is the backstop.
    within(quotaRun, budget + 100),
    hasChecks ? deps.services!.runNow((c) => c.account === account, budget) : Promise.resolve([] as ServiceStatus[]),
  ]);
  let quota: AccountQuota[] = [];
  if (q instanceof Error || q === TIMEOUT) {
    const cached = deps.accounts?.reporter.latest(account);
    if (cached) { quota = [cached]; stale = true; }
    else if (!hasChecks) {
      return { ok: false, error: q === TIMEOUT ? 'the account could not be measured in time' : /unknown account/.test(q.message) ? `unknown account "${account}"` : 'the account could not be measured' };
    }
  } else if (q) {
    deps.accounts!.reporter.remember(q);
    quota = [q];
  } else if (!hasChecks) {
    return { ok: false, error: `this agent has no figures or checks for account "${account}"` };
  }
  // `stale`: the disk figure is the last complete one, not measured now (the hub tells the customer).
  return stale ? { ok: true, stale: true, quota, services } : { ok: true, quota, services };
}
