import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { AccountQuota } from '../../../protocol/index.js';
import { QuotaReporter, type AccountsSource } from '../../../agent/quota-reporter.js';
import { createRefreshHandler, type RefreshDeps } from '../../../agent/refresh.js';
import type { SampleResult } from '../../../agent/sampler.js';
import { Sequence } from '../../../agent/sequence.js';
import { ServiceScheduler } from '../../../agent/services/scheduler.js';
import type { ServiceCheck } from '../../../agent/services/spec.js';
import { sampleAt } from './_samples.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const q = (account: string, measuredAt: number): AccountQuota => ({ account, usedBytes: 1, source: 'walk', measuredAt, rssBytes: 0, processes: 0 });
const check = (name: string, account?: string): ServiceCheck => ({ kind: 'tcp', name, account, host: '127.0.0.1', port: 1, intervalMs: 10_000, timeoutMs: 2000 });

/** Deps with accounts alice (measured in `refreshMs`) and bob (refresh fails), checks of alice and of the host. */
function deps(o: { refreshMs?: number; checkMs?: number; noSample?: boolean } = {}): RefreshDeps & { ticks: number } {
  const source: AccountsSource = {
    async collect() { return [q('alice', 1), q('bob', 1)]; },
    async refresh(account) {
      await sleep(o.refreshMs ?? 1);
      if (account === 'alice') return { quota: q('alice', 2), stale: false };
      if (account === 'bob') throw new Error('walk failed');
      throw new Error(`unknown account "${account}"`);
    },
    start() {},
    stop() {},
  };
  const reporter = new QuotaReporter({ source, sequence: new Sequence(), intervalMs: 10_000, send: () => {} });
  const services = new ServiceScheduler({
    checks: [check('alice:web', 'alice'), check('ssh')],
    onReport: () => {},
    run: async () => { await sleep(o.checkMs ?? 1); return { status: 'up', latencyMs: 1 }; },
  });
  const d = {
    ticks: 0,
    services,
    accounts: { source, reporter },
    budgetMs: 200,
    tick: async (): Promise<SampleResult> => { d.ticks++; return o.noSample ? { sample: null, errors: ['/proc/stat: missing'] } : { sample: sampleAt(1), errors: [] }; },
  };
  return d;
}

const refresh = suite('createRefreshHandler');
refresh('should measure an account now: its fresh figures and only its checks', async () => {
  const d = deps();
  const r = await createRefreshHandler(d)({ account: 'alice' });
  assert.is(r.ok, true);
  assert.equal(r.quota, [q('alice', 2)]);
  assert.equal(r.services!.map((s) => s.name), ['alice:web']);
  assert.is(d.ticks, 0);
});
refresh('should answer within the budget with the cached figure when measuring is slow', async () => {
  const d = deps({ refreshMs: 2000, checkMs: 2000 });
  await d.accounts!.reporter.report();
  const t0 = Date.now();
  const r = await createRefreshHandler(d)({ account: 'alice' });
  assert.ok(Date.now() - t0 < 500, `${Date.now() - t0} ms`);
  assert.equal([r.ok, r.quota], [true, [q('alice', 1)]]);
  // The check was never run before: nothing cached to answer with.
  assert.equal(r.services, []);
});
refresh('should answer the cached figure when the measurement fails, or say why without one', async () => {
  const d = deps();
  assert.equal(await createRefreshHandler(d)({ account: 'bob' }), { ok: false, error: 'the account could not be measured' });
  await d.accounts!.reporter.report();
  assert.equal(await createRefreshHandler(d)({ account: 'bob' }), { ok: true, stale: true, quota: [q('bob', 1)], services: [] });
});
refresh('should refuse an unknown account and an invalid name', async () => {
  const h = createRefreshHandler(deps());
  assert.equal(await h({ account: 'ghost' }), { ok: false, error: 'unknown account "ghost"' });
  assert.equal(await h({ account: 'a;b' }), { ok: false, error: 'invalid account name' });
});
refresh('should take a fresh sample and run every check for the host', async () => {
  const d = deps();
  const r = await createRefreshHandler(d)({});
  assert.is(d.ticks, 1);
  assert.equal([r.ok, r.quota, r.services!.map((s) => s.name)], [true, [], ['alice:web', 'ssh']]);
});
refresh('should say why when no sample could be made for the host', async () => {
  const r = await createRefreshHandler(deps({ noSample: true }))({});
  assert.equal(r, { ok: false, error: 'no sample: /proc/stat: missing' });
});
refresh.run();
