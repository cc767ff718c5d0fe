import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { ServiceStatus } from '../../../../protocol/index.js';
import type { CheckOutcome } from '../../../../agent/services/outcome.js';
import { changed, ServiceScheduler } from '../../../../agent/services/scheduler.js';
import type { ServiceCheck } from '../../../../agent/services/spec.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const tcp = (name: string, o: Partial<ServiceCheck> = {}): ServiceCheck =>
  ({ kind: 'tcp', name, host: '127.0.0.1', port: 1, intervalMs: 40, timeoutMs: 1000, ...o }) as ServiceCheck;

/** A scheduler whose checks answer from `state` (name → outcome), after `delay` ms per name. */
function harness(checks: ServiceCheck[], o: { heartbeatMs?: number; concurrency?: number; delay?: Record<string, number> } = {}) {
  const state: Record<string, CheckOutcome> = {};
  const reports: ServiceStatus[][] = [];
  const runs: string[] = [];
  let active = 0;
  let maxActive = 0;
  const s = new ServiceScheduler({
    checks,
    heartbeatMs: o.heartbeatMs ?? 10_000,
    concurrency: o.concurrency,
    coalesceMs: 10,
    onReport: (l) => reports.push(l),
    run: async (spec) => {
      runs.push(spec.name);
      active++;
      maxActive = Math.max(maxActive, active);
      await sleep(o.delay?.[spec.name] ?? 1);
      active--;
      return state[spec.name] ?? { status: 'up', latencyMs: 1 };
    },
  });
  return { s, state, reports, runs, maxActive: () => maxActive };
}

const sched = suite('ServiceScheduler');

sched('should report every check in one message after the first round, in config order', async () => {
  const h = harness([tcp('a'), tcp('b', { account: 'alice' })]);
  h.s.start();
  await sleep(100);
  h.s.stop();
  assert.is(h.reports.length, 1);
  assert.equal(h.reports[0].map((r) => [r.name, r.account, r.status]), [['a', undefined, 'up'], ['b', 'alice', 'up']]);
  assert.ok(h.reports[0].every((r) => r.checkedAt > 0 && typeof r.latencyMs === 'number'));
});

sched('should report when a status changes and not when nothing changes', async () => {
  const h = harness([tcp('a')]);
  h.s.start();
  await sleep(100);
  assert.is(h.reports.length, 1, 'no new report while unchanged');
  h.state.a = { status: 'down', latencyMs: 1, reason: 'connection refused' };
  await sleep(80);
  h.s.stop();
  assert.is(h.reports.length, 2);
  assert.equal([h.reports[1][0].status, h.reports[1][0].reason], ['down', 'connection refused']);
});

sched('should report at least every heartbeatMs without a change', async () => {
  const h = harness([tcp('a', { intervalMs: 10_000 })], { heartbeatMs: 50 });
  h.s.start();
  await sleep(200);
  h.s.stop();
  assert.ok(h.reports.length >= 2, `${h.reports.length} reports`);
});

sched('should run no more than `concurrency` checks at once', async () => {
  const checks = Array.from({ length: 8 }, (_, i) => tcp(`c${i}`, { intervalMs: 10_000 }));
  const h = harness(checks, { concurrency: 2, delay: Object.fromEntries(checks.map((c) => [c.name, 20])) });
  h.s.start();
  await sleep(400);
  h.s.stop();
  assert.is(h.runs.length, 8);
  assert.is(h.maxActive(), 2);
});

sched('should skip a turn of a check still running instead of starting it twice', async () => {
  const h = harness([tcp('slow', { intervalMs: 20 })], { delay: { slow: 70 } });
  h.s.start();
  await sleep(100);
  h.s.stop();
  assert.is(h.maxActive(), 1);
  assert.ok(h.runs.length <= 2, `${h.runs.length} runs`);
});

sched('should run an account\'s checks now for a refresh and answer from cache what is not done in time', async () => {
  const h = harness([tcp('fast', { account: 'alice' }), tcp('slow', { account: 'alice' }), tcp('never', { account: 'alice' }), tcp('other', { account: 'bob' })],
    { delay: { slow: 300, never: 300 } });
  h.state.slow = { status: 'up', latencyMs: 1 };
  // An earlier result of "slow" only.
  await h.s.runNow((c) => c.name === 'slow', 1000);
  h.state.fast = { status: 'down', latencyMs: 1, reason: 'HTTP 500' };
  h.state.slow = { status: 'down', latencyMs: 1, reason: 'timeout' };
  const t0 = Date.now();
  const got = await h.s.runNow((c) => c.account === 'alice', 100);
  assert.ok(Date.now() - t0 < 250, 'answered within its budget');
  assert.equal(got.map((r) => [r.name, r.status]), [['fast', 'down'], ['slow', 'up']]);
  assert.not.ok(h.runs.includes('other'));
  // The slow run went on and its result counts once it is in.
  await sleep(300);
  assert.equal(h.s.latest('alice').map((r) => [r.name, r.status]), [['fast', 'down'], ['slow', 'down'], ['never', 'up']]);
  h.s.stop();
});

sched('should join a run already under way rather than start another', async () => {
  const h = harness([tcp('a')], { delay: { a: 50 } });
  const [x, y] = await Promise.all([h.s.runNow(() => true, 1000), h.s.runNow(() => true, 1000)]);
  assert.is(h.runs.length, 1);
  assert.is(x[0], y[0]);
});

sched('should turn a check that throws into unknown with a reason', async () => {
  const s = new ServiceScheduler({ checks: [tcp('a')], onReport: () => {}, run: async () => { throw new Error('boom'); } });
  const [r] = await s.runAll();
  assert.equal([r.status, r.reason], ['unknown', 'check failed: boom']);
});

sched('should refuse two checks of the same name', () => {
  assert.throws(() => new ServiceScheduler({ checks: [tcp('a'), tcp('a')], onReport: () => {}, run: async () => ({ status: 'up', latencyMs: 0 }) }), /"a"/);
});
sched.run();

const ch = suite('changed');
const st = (status: ServiceStatus['status'], reason?: string): ServiceStatus => ({ name: 'x', status, reason, checkedAt: 1 });
ch('should count a first result, a new status, or a new reason while not up', () => {
  assert.ok(changed(undefined, st('up')));
  assert.ok(changed(st('up'), st('down', 'x')));
  assert.ok(changed(st('down', 'HTTP 500'), st('down', 'HTTP 502')));
});
ch('should not count a new latency or reason while up', () => {
  assert.not.ok(changed(st('up', '1 process'), st('up', '2 processes')));
  assert.not.ok(changed(st('down', 'x'), st('down', 'x')));
});
ch.run();
