import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { parseCli, UsageError, type CliConfig } from '../../../agent/cli-args.js';
import { ConfigError } from '../../../agent/config.js';

const cli = suite('parseCli');
const usage = (argv: string[], env: Record<string, string> = {}): string => {
  try {
    parseCli(argv, env);
  } catch (e) {
    assert.ok(e instanceof UsageError || e instanceof ConfigError, String(e));
    return (e as Error).message;
  }
  return assert.unreachable('should have thrown') as never;
};
const parsed = (argv: string[], env: Record<string, string> = {}): CliConfig => {
  const c = parseCli(argv, env);
  if (typeof c !== 'object') throw new Error(`got ${c}`);
  return c;
};

cli('should name --hub when the hub is missing', () => {
  assert.match(usage(['--token', 't']), '--hub');
});
cli('should name --token when the token is missing', () => {
  assert.match(usage(['--hub', 'http://hub:8080']), '--token');
});
cli('should take hub, token, interval, spool dir and proc root from the environment', () => {
  const c = parsed([], { RACKPULSE_HUB: 'http://h:1', RACKPULSE_TOKEN: 'tok', RACKPULSE_INTERVAL_MS: '500', PROC_ROOT: '/host/proc', RACKPULSE_SPOOL_DIR: '/tmp/s' });
  assert.equal([c.mode, c.config.hub, c.config.token, c.config.intervalMs, c.config.procRoot, c.config.spool.dir, c.config.logLevel],
    ['run', 'http://h:1', 'tok', 500, '/host/proc', '/tmp/s', 'info']);
});
cli('should let flags win over the environment', () => {
  const c = parsed(['--hub', 'http://flag:1', '--interval', '2000', '--spool-dir', '/flag'], { RACKPULSE_HUB: 'http://env:1', RACKPULSE_TOKEN: 'tok', RACKPULSE_INTERVAL_MS: '500', RACKPULSE_SPOOL_DIR: '/env' });
  assert.equal([c.config.hub, c.config.intervalMs, c.config.spool.dir], ['http://flag:1', 2000, '/flag']);
});
cli('should need no hub or token with --once or --check-config', () => {
  assert.is(parsed(['--once']).mode, 'once');
  assert.is(parsed(['--check-config']).mode, 'check-config');
});
cli('should refuse a bad interval, hub URL, log level, unknown flag or both modes', () => {
  assert.match(usage(['--once', '--interval', 'fast']), '--interval');
  assert.match(usage(['--once', '--interval', '5']), '--interval');
  assert.match(usage(['--hub', 'hub:8080', '--token', 't']), 'hub');
  assert.match(usage(['--once'], { LOG_LEVEL: 'loud' }), 'logLevel');
  assert.match(usage(['--bogus']), 'bogus');
  assert.match(usage(['--once', '--check-config']), '--once and --check-config');
});
cli('should answer help and version', () => {
  assert.is(parseCli(['--help'], {}), 'help');
  assert.is(parseCli(['--version'], {}), 'version');
});
cli.run();
