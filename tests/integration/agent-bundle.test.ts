/**
 * The agent as a server gets it: the single-file build (agent/build.ts), run
 * by `node` alone from a directory where nothing else can be found. It prints a
 * round of figures with --once, and a bad config gets English messages naming
 * each field (the bundle carries zod/mini, which has no messages of its own).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { deployedEnvironment, deployedNodeFlags } from '../helpers/agent-unit.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const ctx = { dir: '', bundle: '' };
const bundle = suite('single-file agent build', ctx);

bundle.before((c) => {
  c.dir = mkdtempSync(join(tmpdir(), 'rp-agent-bundle-'));
  c.bundle = join(c.dir, 'rackpulse-agent.mjs');
  execFileSync(process.execPath, ['--import', 'tsx', join(root, 'agent/build.ts'), `--outfile=${c.bundle}`], { cwd: root, stdio: 'pipe' });
});
bundle.after((c) => rmSync(c.dir, { recursive: true, force: true }));

/** Run the bundle from / with no NODE_PATH and only PATH in the environment. */
const run = (c: typeof ctx, args: string[]) =>
  spawnSync(process.execPath, [c.bundle, ...args], { cwd: '/', env: { PATH: process.env.PATH ?? '' }, encoding: 'utf8', timeout: 30_000 });

bundle('should print one round of this machine\'s figures with --once, on node alone', (c) => {
  const r = run(c, ['--once']);
  assert.is(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.is(out.hello.cpus, Number(readFileSync('/proc/cpuinfo', 'utf8').match(/^processor\s*:/gm)?.length));
  assert.ok(out.sample.memTotalBytes > 0);
  assert.ok(out.sample.cpuPct >= 0 && out.sample.cpuPct <= 100);
});

bundle('should refuse a bad config with an English message naming each field', (c) => {
  const file = join(c.dir, 'bad.json');
  writeFileSync(file, JSON.stringify({ intervalMs: 5, services: [{ kind: 'tcp', name: 'web', port: 70000 }] }));
  const r = run(c, ['--check-config', '--config', file]);
  assert.is.not(r.status, 0);
  assert.match(r.stderr, /intervalMs: Too small: expected number to be >=10/);
  assert.match(r.stderr, /services\[0\]\.port: Too big: expected number to be <=65535/);
});

bundle('should leave zod\'s chained API out of the bundle', (c) => {
  // Its schema classes are registered by name; zod/mini's are ZodMini….
  assert.not.match(readFileSync(c.bundle, 'utf8'), /"ZodType"/);
});

bundle('should start without loading worker_threads or assert, which it does not use (each costs memory)', (c) => {
  const file = join(c.dir, 'ok.json');
  writeFileSync(file, JSON.stringify({ hub: 'http://127.0.0.1:9', token: 'x', spool: { dir: join(c.dir, 'spool') } }));
  // Every module of the bundle is loaded before the config is checked; the list is printed at exit.
  const probe = `data:text/javascript,process.on('exit',()=>process.stderr.write('\\nMODULES '+JSON.stringify(process.moduleLoadList)+'\\n'))`;
  const r = spawnSync(process.execPath, ['--import', probe, c.bundle, '--check-config', '--config', file],
    { cwd: '/', env: { PATH: process.env.PATH ?? '' }, encoding: 'utf8', timeout: 30_000 });
  assert.is(r.status, 0, r.stderr);
  const line = r.stderr.split('\n').find((l) => l.startsWith('MODULES '));
  assert.ok(line, r.stderr);
  const loaded: string[] = JSON.parse(line.slice('MODULES '.length));
  assert.ok(loaded.includes('NativeModule net'), 'the probe sees the modules the agent loads');
  assert.not.ok(loaded.includes('NativeModule worker_threads'));
  assert.not.ok(loaded.includes('NativeModule assert'));
});

bundle('should carry the systemd unit\'s node flags and environment in its shebang', (c) => {
  const flags = deployedNodeFlags();
  const env = deployedEnvironment();
  const shebang = readFileSync(c.bundle, 'utf8').split('\n')[0];
  assert.is(shebang, `#!/usr/bin/env -S ${Object.entries(env).map(([k, v]) => `${k}=${v}`).join(' ')} node ${flags.join(' ')}`);
});

bundle('should run with the unit\'s flags where memory may never be made executable (MemoryDenyWriteExecute=yes)', (c) => {
  // The kernel's form of systemd's MemoryDenyWriteExecute (prctl PR_SET_MDWE, Linux 6.3), set by a
  // wrapper that then becomes node; plain node dies there as soon as V8 compiles machine code.
  const wrapper = join(c.dir, 'mdwe.py');
  writeFileSync(wrapper, [
    'import ctypes, os, sys',
    'libc = ctypes.CDLL(None, use_errno=True)',
    'if libc.prctl(65, 1, 0, 0, 0) != 0:  # PR_SET_MDWE, PR_MDWE_REFUSE_EXEC_GAIN',
    "    sys.exit('prctl(PR_SET_MDWE) refused (errno %d): this test needs Linux 6.3 or later' % ctypes.get_errno())",
    'os.execv(sys.argv[1], sys.argv[1:])',
  ].join('\n'));
  const flags = deployedNodeFlags();
  const env = deployedEnvironment();
  const under = (args: string[]) => spawnSync('python3', [wrapper, process.execPath, ...args],
    { cwd: '/', env: { PATH: process.env.PATH ?? '', ...env }, encoding: 'utf8', timeout: 30_000 });
  const plain = under(['-e', 'for (let i = 0; i < 1e6; i++) JSON.stringify({ i })']);
  assert.is(plain.error, undefined, 'python3 runs the wrapper');
  assert.is.not(plain.status, 0, 'the wrapper does forbid executable memory');
  assert.not.match(plain.stderr, /PR_SET_MDWE/);
  const r = under([...flags, c.bundle, '--once']);
  assert.is(r.status, 0, r.stderr);
  assert.is(r.stderr, '', 'no warning at start');
  assert.ok(JSON.parse(r.stdout).sample.memTotalBytes > 0);
});

bundle.run();
