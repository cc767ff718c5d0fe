/**
 * A customer's account end to end: a real unix user on this machine, the real
 * agent measuring it, the real hub answering "refresh now" and running a named
 * action as that user.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { chown, mkdir, readFile, writeFile } from 'node:fs/promises';
import { mkdtempSync, rmSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runAgent, type RunningAgent } from '../../agent/agent.js';
import { Api, startHub, until, type TestHub } from '../helpers/hub.js';
import { createUnixUser, removeUnixUser, type UnixUser } from '../helpers/unix-users.js';

const test = suite('account refresh and actions (real agent, real user)');
let t: TestHub;
let fast: UnixUser, slow: UnixUser;
let agent: RunningAgent | null = null;
let startAgent: (extra?: Record<string, unknown>) => Promise<RunningAgent>;
let customer: Api, other: Api;
const ids: Record<string, number> = {};
const scratch = mkdtempSync(join(tmpdir(), 'rackpulse-actions-'));

test.before(async () => {
  t = await startHub('sqlite');
  fast = await createUnixUser();
  slow = await createUnixUser();
  // The slow account's home has many entries, walked at 20 entries a second: never done within a refresh.
  for (let d = 0; d < 10; d++) {
    const dir = join(slow.home, `d${d}`);
    await mkdir(dir);
    await Promise.all(Array.from({ length: 100 }, (_, i) => writeFile(join(dir, `f${i}`), 'x'.repeat(5000))));
  }
  await writeFile(join(fast.home, 'data.bin'), Buffer.alloc(1 << 20, 1));
  await chown(join(fast.home, 'data.bin'), fast.uid, fast.gid);
  // A named action: a script that records who ran it and prints a few lines.
  const script = join(scratch, 'restart-services');
  await writeFile(script, '#!/bin/sh\necho "restarting for $(id -un)"\necho done\nexit 3\n');
  chmodSync(script, 0o755); chmodSync(scratch, 0o755);

  const host = await t.admin.post('/api/hosts', { name: 'this-machine' });
  const plan = await t.admin.post('/api/plans', { name: 'Box', quotaBytes: 10 * 2 ** 30, priceCents: 900, public: true });
  const a = await t.admin.post('/api/users', { email: 'a@example.com', password: 'customer-a-pass', role: 'customer' });
  await t.admin.post('/api/users', { email: 'b@example.com', password: 'customer-b-pass', role: 'customer' });
  for (const u of [fast, slow]) {
    const r = await t.admin.post('/api/accounts', { hostId: host.body.host.id, name: u.name, ownerId: a.body.user.id, planId: plan.body.plan.id });
    ids[u.name] = r.body.account.id;
  }
  customer = await new Api(t.url).login('a@example.com', 'customer-a-pass');
  other = await new Api(t.url).login('b@example.com', 'customer-b-pass');
  startAgent = (extra = {}) => runAgent({
    hubUrl: t.url, token: host.body.token, intervalMs: 1000,
    accounts: { include: [fast.name, slow.name], minUid: 60_000, quota: 'walk', walkBudgetPerTick: 20, walkPassGapMs: 0, intervalMs: 1000 },
    actions: { 'restart-services': { command: [script], timeoutMs: 5000, killGraceMs: 500, runAs: 'account', description: 'Restart your services' } } as any,
    ...extra,
  });
  agent = await startAgent();
  await until(async () => (await customer.get(`/api/accounts/${ids[fast.name]}`)).body.state?.actions?.length, 10_000, 'actions offered');
});
test.after(async () => {
  await agent?.stop().catch(() => {});
  await t?.stop();
  for (const u of [fast, slow]) if (u) await removeUnixUser(u);
  rmSync(scratch, { recursive: true, force: true });
});

test('should answer "refresh now" with a fresh figure within 2 s for an account whose home is quick to walk', async () => {
  const started = Date.now();
  const r = await customer.post(`/api/accounts/${ids[fast.name]}/refresh`);
  assert.ok(Date.now() - started < 2500, 'answered within the refresh budget');
  assert.is(r.status, 200);
  assert.is(r.body.stale, false, JSON.stringify(r.body));
  assert.ok(r.body.state.quota.usedBytes >= 1 << 20, `the 1 MiB file is counted (${r.body.state.quota.usedBytes})`);
});

test('should answer with the cached figure marked stale when the walk cannot finish in time', async () => {
  // A disk too slow to walk the home within the refresh: the agent gets 5 ms to measure instead of 1.5 s.
  await agent!.stop();
  agent = await startAgent({ refreshBudgetMs: 5 });
  await until(async () => (await customer.get(`/api/accounts/${ids[slow.name]}`)).body.state?.actions?.length, 10_000, 'agent back');
  const started = Date.now();
  const r = await customer.post(`/api/accounts/${ids[slow.name]}/refresh`);
  assert.ok(Date.now() - started < 2500, 'answered within the refresh budget');
  assert.is(r.body.stale, true, JSON.stringify(r.body));
  assert.type(r.body.reason, 'string');
});

test('should run a named action as the account\'s user for its owner and record it in the audit log', async () => {
  const r = await customer.post(`/api/accounts/${ids[fast.name]}/actions/restart-services`);
  assert.is(r.status, 200, JSON.stringify(r.body));
  assert.is(r.body.exitCode, 3);
  assert.is(r.body.outcome, 'failed');
  assert.match(r.body.output, `restarting for ${fast.name}`);
  const audit = await t.admin.get('/api/audit');
  const entry = audit.body.entries.find((e: any) => e.action === 'account.action');
  assert.is(entry.actor, 'a@example.com');
  assert.is(entry.outcome, 'failed');
});

test('should refuse another customer, an unknown action and a name that is not an action, running nothing', async () => {
  assert.is((await other.post(`/api/accounts/${ids[fast.name]}/actions/restart-services`)).status, 404);
  assert.is((await customer.post(`/api/accounts/${ids[fast.name]}/actions/rm-rf`)).status, 404);
  assert.is((await customer.post(`/api/accounts/${ids[fast.name]}/actions/${encodeURIComponent('restart-services; id')}`)).status, 404);
  assert.is((await t.admin.get('/api/audit')).body.entries.filter((e: any) => e.action === 'account.action').length, 1);
});

test('should rate-limit actions per account with 429 and Retry-After', async () => {
  const codes: number[] = [];
  for (let i = 0; i < 3; i++) codes.push((await customer.post(`/api/accounts/${ids[slow.name]}/actions/restart-services`)).status);
  const limited = await customer.post(`/api/accounts/${ids[slow.name]}/actions/restart-services`);
  assert.equal(codes, [200, 200, 200]);
  assert.is(limited.status, 429);
  assert.ok(Number(limited.headers.get('retry-after')) > 0);
});

test.run();
