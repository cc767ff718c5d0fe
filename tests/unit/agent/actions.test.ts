import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { AccountDirectory, type KnownAccount } from '../../../agent/account-directory.js';
import { ActionRunner, actionsSchema, type ActionsConfig } from '../../../agent/actions.js';
import { helloSchema } from '../../../protocol/index.js';

const dir = mkdtempSync(join(tmpdir(), 'rackpulse-actions-'));
chmodSync(dir, 0o755);
const marker = join(dir, 'ran');
let n = 0;
/** A root-owned (when run as root) executable script, mode 0755. */
const script = (body: string): string => {
  const p = join(dir, `action-${n++}.sh`);
  writeFileSync(p, `#!/bin/sh\n${body}\n`, { mode: 0o755 });
  return p;
};
const me: KnownAccount = { name: 'alice', uid: process.getuid!(), gid: process.getgid!(), home: dir };
const lookup = async (name: string): Promise<KnownAccount | null> => (name === 'alice' || name === 'bob' ? { ...me, name } : null);
const runner = (actions: Record<string, unknown>, l = lookup): ActionRunner => new ActionRunner({ actions: actionsSchema().parse(actions) as ActionsConfig, lookup: l });
const touch = (): string => script(`touch ${marker}`);

const actions = suite('ActionRunner');
actions.after(() => rmSync(dir, { recursive: true, force: true }));

actions('should run the configured command without a shell and reply ok with its exit status and output', async () => {
  const r = runner({ hello: { command: [script('echo "args: $1 $2"; echo to-stderr >&2'), 'a b', '$(id)'], runAs: 'agent' } });
  const reply = await r.run({ account: 'alice', action: 'hello' });
  assert.is(reply.ok, true);
  assert.is(reply.exitCode, 0);
  assert.is(reply.signal, null);
  assert.is(reply.timedOut, false);
  assert.ok(typeof reply.durationMs === 'number');
  // Arguments arrive verbatim: no word splitting, no substitution.
  assert.match(reply.output!, 'args: a b $(id)');
  assert.match(reply.output!, 'to-stderr');
});

actions('should give the command a minimal environment naming the action and account', async () => {
  process.env.RACKPULSE_TOKEN = 'secret-token';
  const r = runner({ env: { command: [script('env | sort')], runAs: 'agent' } });
  const out = (await r.run({ account: 'alice', action: 'env' })).output!;
  delete process.env.RACKPULSE_TOKEN;
  assert.not.match(out, 'secret-token');
  assert.match(out, 'RACKPULSE_ACCOUNT=alice');
  assert.match(out, 'RACKPULSE_ACTION=env');
  assert.ok(out.split('\n').length <= 6, out);
});

actions('should reply ok false with the exit code when the command fails', async () => {
  const reply = await runner({ fail: { command: [script('echo nope; exit 3')], runAs: 'agent' } }).run({ account: 'alice', action: 'fail' });
  assert.equal([reply.ok, reply.exitCode, reply.error, reply.output], [false, 3, undefined, 'nope']);
});

actions('should kill the command with SIGTERM after its timeout and say so', async () => {
  const t0 = Date.now();
  const reply = await runner({ slow: { command: [script('echo started; sleep 5')], timeoutMs: 200, runAs: 'agent' } }).run({ account: 'alice', action: 'slow' });
  assert.equal([reply.ok, reply.timedOut, reply.signal, reply.exitCode], [false, true, 'SIGTERM', null]);
  assert.ok(Date.now() - t0 < 2000);
  assert.is(reply.output, 'started');
});

actions('should SIGKILL a command that ignores SIGTERM after the grace time', async () => {
  const t0 = Date.now();
  const reply = await runner({ stubborn: { command: [script("trap '' TERM; sleep 5")], timeoutMs: 150, killGraceMs: 150, runAs: 'agent' } })
    .run({ account: 'alice', action: 'stubborn' });
  assert.equal([reply.timedOut, reply.signal], [true, 'SIGKILL']);
  assert.ok(Date.now() - t0 < 2000);
});

actions('should bound the output to the last 64 lines and 8 KiB', async () => {
  const many = await runner({ many: { command: [script('i=1; while [ $i -le 1000 ]; do echo "line $i"; i=$((i+1)); done')], runAs: 'agent' } })
    .run({ account: 'alice', action: 'many' });
  const lines = many.output!.split('\n');
  assert.is(lines.length, 64);
  assert.is(lines.at(-1), 'line 1000');
  const wide = await runner({ wide: { command: [script('for i in 1 2 3 4 5 6; do head -c 3000 /dev/zero | tr "\\\\0" x; echo; done')], runAs: 'agent' } })
    .run({ account: 'alice', action: 'wide' });
  assert.ok(Buffer.byteLength(wide.output!) <= 8192, `${Buffer.byteLength(wide.output!)} bytes`);
  assert.ok(wide.output!.split('\n').every((l) => l.length === 3000));
});

actions('should refuse an unknown action, or one named like an object member, running nothing', async () => {
  const r = runner({ go: { command: [touch()], runAs: 'agent' } });
  assert.equal(await r.run({ account: 'alice', action: 'stop' }), { ok: false, error: 'unknown action "stop"' });
  assert.equal(await r.run({ account: 'alice', action: 'constructor' }), { ok: false, error: 'unknown action "constructor"' });
  assert.not.ok(existsSync(marker));
});

actions('should refuse an account or action with shell metacharacters, running nothing', async () => {
  const r = runner({ go: { command: [touch()], runAs: 'agent' } }, async () => ({ ...me }));
  for (const req of [
    { account: 'alice; touch /tmp/x', action: 'go' }, { account: '$(id)', action: 'go' }, { account: 'alice`id`', action: 'go' },
    { account: '../alice', action: 'go' }, { account: 'alice', action: 'go; rm -rf /' }, { account: 'alice', action: 'go|id' },
    { account: 'alice', action: 'go', extra: 'x' }, { account: 'alice' }, 'go', null,
  ]) {
    const reply = await r.run(req);
    assert.is(reply.ok, false, JSON.stringify(req));
    assert.match(reply.error!, /^invalid (action request|account name)$/);
  }
  assert.not.ok(existsSync(marker));
});

actions('should refuse an account the agent does not know or the action is not offered for', async () => {
  const r = runner({ go: { command: [touch()], runAs: 'agent', accounts: ['bob'] } });
  assert.equal(await r.run({ account: 'mallory', action: 'go' }), { ok: false, error: 'action "go" is not offered for account "mallory"' });
  assert.equal(await r.run({ account: 'alice', action: 'go' }), { ok: false, error: 'action "go" is not offered for account "alice"' });
  const open = runner({ go: { command: [touch()], runAs: 'agent' } });
  assert.equal(await open.run({ account: 'mallory', action: 'go' }), { ok: false, error: 'unknown account "mallory"' });
  assert.not.ok(existsSync(marker));
});

actions('should refuse to run as root even when root is selected as an account', async () => {
  const r = runner({ go: { command: [touch()] } }, async () => ({ name: 'root', uid: 0, gid: 0, home: '/root' }));
  assert.equal(await r.run({ account: 'root', action: 'go' }), { ok: false, error: 'refusing to run an action as root' });
  assert.not.ok(existsSync(marker));
});

actions('should run one action at a time per account and answer busy meanwhile', async () => {
  const r = runner({ wait: { command: [script('sleep 0.3')], runAs: 'agent' } });
  const first = r.run({ account: 'alice', action: 'wait' });
  await new Promise((res) => setTimeout(res, 50));
  assert.equal(await r.run({ account: 'alice', action: 'wait' }), { ok: false, error: 'busy: an action is already running for this account' });
  const other = await r.run({ account: 'bob', action: 'wait' });
  assert.is(other.ok, true);
  assert.is((await first).ok, true);
  assert.is((await r.run({ account: 'alice', action: 'wait' })).ok, true);
});

actions('should list what it offers for hello: names, descriptions and accounts', () => {
  const r = runner({ a: { command: ['/bin/true'], description: 'Restart', accounts: ['bob'] }, b: { command: ['/bin/true'] } });
  assert.equal(r.offered(), [{ name: 'a', description: 'Restart', accounts: ['bob'] }, { name: 'b' }]);
  assert.ok(helloSchema.safeParse({ hostname: 'h', os: 'linux', kernel: '6', cpus: 1, memTotalBytes: 1, bootTime: 1, actions: r.offered() }).success);
});

actions('should reply why when the program cannot be started', async () => {
  const reply = await runner({ gone: { command: [join(dir, 'missing')], runAs: 'agent' } }).run({ account: 'alice', action: 'gone' });
  assert.equal([reply.ok, reply.error], [false, 'cannot start the command: ENOENT']);
});

// Runs as a real, temporary unix user when the tests run as root.
const asRoot = process.getuid!() === 0;
const user = `rptest${process.pid % 100000}`;
let created = false;
actions.after(() => {
  if (created) execFileSync('userdel', ['-r', user], { stdio: 'ignore' });
});
actions('should run as the account: its uid, gid, home as cwd, HOME and USER (as root, with a temporary user)', async () => {
  if (!asRoot) return;
  try {
    execFileSync('useradd', ['-m', '-s', '/usr/sbin/nologin', user], { stdio: 'ignore' });
    created = true;
  } catch {
    return; // no useradd here
  }
  const directory = new AccountDirectory({ minUid: 1000, maxAgeMs: 0 });
  const acc = await directory.account(user);
  assert.ok(acc && acc.uid >= 1000, 'the new user is an account');
  const r = new ActionRunner({
    actions: actionsSchema().parse({ whoami: { command: [script('echo "$(id -u):$(id -g) $(pwd) $HOME $USER $LOGNAME"')] } }),
    lookup: (name) => directory.account(name),
  });
  const reply = await r.run({ account: user, action: 'whoami' });
  assert.is(reply.ok, true, reply.error);
  assert.is(reply.output, `${acc!.uid}:${acc!.gid} ${acc!.home} ${acc!.home} ${user} ${user}`);
  assert.equal(await r.run({ account: 'root', action: 'whoami' }), { ok: false, error: 'unknown account "root"' });
});
actions.run();

const schema = suite('actionsSchema');
schema('should take an action with an absolute command and fill the defaults', () => {
  assert.equal(actionsSchema().parse({ 'restart-services': { command: ['/usr/local/bin/restart-services'] } }), {
    'restart-services': { command: ['/usr/local/bin/restart-services'], timeoutMs: 60_000, killGraceMs: 5000, runAs: 'account' },
  });
});
schema('should refuse a relative command, an empty one, a bad name or an unknown field, naming it', () => {
  const issues = (v: unknown): string[] => {
    const r = actionsSchema().safeParse(v);
    return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
  };
  assert.match(issues({ x: { command: ['restart'] } }).join(), 'x.command: command[0] must be an absolute path');
  assert.match(issues({ x: { command: [] } }).join(), 'x.command');
  assert.match(issues({ 'Bad Name': { command: ['/bin/true'] } }).join(), 'Bad Name');
  assert.match(issues({ x: { command: ['/bin/true'], shell: true } }).join(), 'shell');
});
schema.run();
