import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { parseCli, UsageError } from '../../../agent/cli-args.js';

const cli = suite('parseCli');
const usage = (argv: string[], env: Record<string, string> = {}): string => {
  try {
    parseCli(argv, env);
  } catch (e) {
    assert.instance(e, UsageError);
    return (e as Error).message;
  }
  return assert.unreachable('should have thrown') as never;
};

cli('should name --hub when the hub is missing', () => {
  assert.match(usage(['--token', 't']), '--hub');
});
cli('should name --token when the token is missing', () => {
  assert.match(usage(['--hub', 'http://hub:8080']), '--token');
});
cli('should take hub, token, interval and proc root from the environment', () => {
  assert.equal(parseCli([], { RACKPULSE_HUB: 'http://h:1', RACKPULSE_TOKEN: 'tok', RACKPULSE_INTERVAL_MS: '500', PROC_ROOT: '/host/proc' }), {
    hubUrl: 'http://h:1', token: 'tok', intervalMs: 500, once: false, procRoot: '/host/proc', logLevel: 'info',
  });
});
cli('should let flags win over the environment', () => {
  const c = parseCli(['--hub', 'http://flag:1', '--interval', '2000'], { RACKPULSE_HUB: 'http://env:1', RACKPULSE_TOKEN: 'tok', RACKPULSE_INTERVAL_MS: '500' });
  assert.ok(typeof c === 'object');
  if (typeof c === 'object') assert.equal([c.hubUrl, c.intervalMs], ['http://flag:1', 2000]);
});
cli('should need no hub or token with --once', () => {
  const c = parseCli(['--once'], {});
  assert.ok(typeof c === 'object' && c.once);
});
cli('should refuse a bad interval, hub URL, log level or unknown flag', () => {
  assert.match(usage(['--once', '--interval', 'fast']), '--interval');
  assert.match(usage(['--once', '--interval', '5']), '--interval');
  assert.match(usage(['--hub', 'hub:8080', '--token', 't']), '--hub');
  assert.match(usage(['--once'], { LOG_LEVEL: 'loud' }), 'LOG_LEVEL');
  assert.match(usage(['--bogus']), 'bogus');
});
cli.run();
