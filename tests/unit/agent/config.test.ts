import { execFile } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ConfigError, configSchema, DEFAULT_SPOOL_DIR, fieldPath, loadConfig, maskConfig } from '../../../agent/config.js';

const dir = mkdtempSync(join(tmpdir(), 'rackpulse-config-'));
let n = 0;
const file = (content: unknown, mode = 0o600): string => {
  const p = join(dir, `agent-${n++}.json`);
  writeFileSync(p, typeof content === 'string' ? content : JSON.stringify(content, null, 2));
  chmodSync(p, mode);
  return p;
};
/** The issues of a ConfigError, one string each. */
const issues = (f: () => unknown): string[] => {
  try {
    f();
  } catch (e) {
    assert.instance(e, ConfigError);
    return (e as ConfigError).issues;
  }
  return assert.unreachable('should have thrown') as never;
};

const VALID = {
  hub: 'https://hub.example.net',
  token: 'rpa_secret',
  intervalMs: 2000,
  spool: { dir: '/var/tmp/spool', maxItems: 10_000 },
  accounts: { minUid: 2000, include: ['web'], exclude: ['backup'], quota: 'walk', walkBudgetPerTick: 500 },
  services: [
    { name: 'ssh', kind: 'tcp', port: 22 },
    { name: 'web', kind: 'http', url: 'https://example.net/health', expectStatus: [200, 204], timeoutMs: 3000 },
    { name: 'alice:rtorrent', kind: 'process', account: 'alice', process: 'rtorrent', intervalMs: 30_000 },
    { name: 'nginx', kind: 'systemd', unit: 'nginx.service' },
  ],
  actions: { 'restart-services': { command: ['/usr/local/bin/restart-services', '--all'], timeoutMs: 30_000 } },
};

const load = suite('loadConfig');

load('should read a valid file and fill every default', () => {
  const { config, file: f, warnings } = loadConfig({ file: file(VALID), env: {} });
  assert.ok(f);
  assert.equal(warnings, []);
  assert.is(config.hub, 'https://hub.example.net');
  assert.equal(config.spool, { dir: '/var/tmp/spool', maxItems: 10_000, maxBytes: 32 * 1024 * 1024, segmentBytes: 1024 * 1024, fsyncIntervalMs: 1000, stateIntervalMs: 10_000 });
  assert.equal(config.accounts, {
    enabled: true, intervalMs: 10_000, minUid: 2000, include: ['web'], exclude: ['backup'], quota: 'walk',
    walkBudgetPerTick: 500, walkFirstBudgetPerTick: 1000, walkPassGapMs: 60_000, watchHomes: true, maxWatches: 8192, walkRecheckMs: 3_600_000, quotaIntervalMs: 60_000,
  });
  assert.equal(config.services[0], { name: 'ssh', kind: 'tcp', host: '127.0.0.1', port: 22, intervalMs: 10_000, timeoutMs: 2000 });
  assert.equal(config.services[1], {
    name: 'web', kind: 'http', url: 'https://example.net/health', method: 'GET', expectStatus: [200, 204], followRedirects: 0, tlsVerify: true, intervalMs: 10_000, timeoutMs: 3000,
  });
  assert.is(config.actions['restart-services'].runAs, 'account');
  assert.equal([config.servicesConcurrency, config.servicesHeartbeatMs, config.procRoot, config.etcRoot, config.logLevel], [4, 30_000, '/proc', '/etc', 'info']);
});

load('should give the documented defaults with no file at all', () => {
  const { config, file: f } = loadConfig({ env: {} });
  assert.is(f, null);
  assert.is(config.spool.dir, DEFAULT_SPOOL_DIR);
  assert.equal([config.hub, config.token, config.intervalMs, config.services, config.actions], [undefined, undefined, 1000, [], {}]);
});

load('should read the file named by RACKPULSE_CONFIG', () => {
  assert.is(loadConfig({ env: { RACKPULSE_CONFIG: file({ intervalMs: 3000 }) } }).config.intervalMs, 3000);
});

load('should name each bad field, with the index of a list entry', () => {
  const got = issues(() => loadConfig({
    env: {},
    file: file({
      ...VALID,
      hub: 'hub:8080',
      intervalMs: 'fast',
      spool: { maxItems: -1 },
      accounts: { quota: 'du' },
      services: [{ name: 'ssh', kind: 'tcp', port: 70_000 }, { name: 'x', kind: 'systemd', unit: 'a;reboot' }, { name: 'z', kind: 'http', url: 'ftp://x' }, { name: 'y', kind: 'ftp' }],
      actions: { go: { command: ['restart'] } },
      typo: true,
    }),
  }));
  const text = got.join('\n');
  for (const field of ['hub:', 'intervalMs:', 'spool.maxItems:', 'accounts.quota:', 'services[0].port:', 'services[1].unit:', 'services[2].url:', 'services[3].kind:', 'actions.go.command:', 'typo']) {
    assert.match(text, field);
  }
});

load('should name a duplicate service name', () => {
  const got = issues(() => loadConfig({ env: {}, file: file({ services: [{ name: 'ssh', kind: 'tcp', port: 22 }, { name: 'ssh', kind: 'tcp', port: 2222 }] }) }));
  assert.equal(got, ['services[1].name: duplicate service name "ssh"']);
});

load('should say when the file is missing or not JSON', () => {
  assert.match(issues(() => loadConfig({ file: join(dir, 'nope.json'), env: {} }))[0], 'cannot read it: ENOENT');
  assert.match(issues(() => loadConfig({ file: file('{"hub": '), env: {} }))[0], 'not valid JSON');
  assert.match(issues(() => loadConfig({ file: file('[1]'), env: {} }))[0], 'JSON object');
});

load('should let the environment override the file, and flags override both', () => {
  const f = file({ hub: 'http://file:1', token: 'file-token', intervalMs: 3000, spool: { dir: '/file', maxItems: 500 } });
  const env = { RACKPULSE_HUB: 'http://env:1', RACKPULSE_TOKEN: 'env-token', RACKPULSE_INTERVAL_MS: '4000', RACKPULSE_SPOOL_DIR: '/env' };
  const e = loadConfig({ file: f, env }).config;
  assert.equal([e.hub, e.token, e.intervalMs, e.spool.dir, e.spool.maxItems], ['http://env:1', 'env-token', 4000, '/env', 500]);
  const o = loadConfig({ file: f, env, overrides: { hub: 'http://flag:1', intervalMs: '5000', spoolDir: '/flag' } }).config;
  assert.equal([o.hub, o.token, o.intervalMs, o.spool.dir], ['http://flag:1', 'env-token', 5000, '/flag']);
});

load('should name the variable when an environment value is bad', () => {
  assert.match(issues(() => loadConfig({ env: { RACKPULSE_INTERVAL_MS: 'soon' } })).join(), 'RACKPULSE_INTERVAL_MS');
  assert.match(issues(() => loadConfig({ env: { RACKPULSE_HUB: 'not a url' } })).join(), 'hub (from RACKPULSE_HUB or its flag)');
});

load('should warn when a file holding the token is readable by others', () => {
  assert.match(loadConfig({ file: file({ token: 'x' }, 0o644), env: {} }).warnings.join(), 'chmod 600');
  assert.equal(loadConfig({ file: file({ token: 'x' }, 0o600), env: {} }).warnings, []);
});
load.run();

const mask = suite('maskConfig');
mask('should hide the token and keep everything else', () => {
  const c = configSchema().parse({ hub: 'http://h:1', token: 'rpa_secret' });
  const m = maskConfig(c);
  assert.is(m.token, '********');
  assert.is(m.hub, 'http://h:1');
  assert.not.match(JSON.stringify(m), 'rpa_secret');
  assert.is(maskConfig(configSchema().parse({})).token, undefined);
});
mask.run();

const path = suite('fieldPath');
path('should write list indexes in brackets', () => {
  assert.is(fieldPath(['services', 1, 'port']), 'services[1].port');
  assert.is(fieldPath([]), '(top level)');
});
path.run();

// The CLI end to end: `--check-config` prints the effective config with the token masked, or names the bad field (exit 2).
const CLI = fileURLToPath(new URL('../../../agent/cli.ts', import.meta.url));
const runCli = (args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> => new Promise((resolve) => {
  execFile(process.execPath, ['--import', 'tsx', CLI, ...args], { env: { PATH: process.env.PATH ?? '', ...env }, timeout: 20_000 }, (err, stdout, stderr) => {
    resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
  });
});
const check = suite('rackpulse-agent --check-config');
check.after(() => rmSync(dir, { recursive: true, force: true }));
check('should print the effective config with the token masked and exit 0', async () => {
  const r = await runCli(['--check-config', '--config', file(VALID)], { RACKPULSE_TOKEN: 'rpa_from_env' });
  assert.is(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.is(out.config.token, '********');
  assert.is(out.config.services.length, 4);
  assert.not.match(r.stdout, 'rpa_');
});
check('should name the bad field and exit 2', async () => {
  const r = await runCli(['--check-config', '--config', file({ services: [{ name: 'ssh', kind: 'tcp', port: 'twenty-two' }] })]);
  assert.is(r.code, 2);
  assert.match(r.stderr, 'services[0].port');
  assert.is(r.stdout, '');
});
check.run();
