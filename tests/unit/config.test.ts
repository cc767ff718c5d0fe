import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { loadConfig, ConfigError } from '../../server/config.js';

const test = suite('loadConfig');

test('should apply the documented defaults to an empty environment', () => {
  const c = loadConfig({});
  assert.is(c.PORT, 8080);
  assert.is(c.HOST, '0.0.0.0');
  assert.is(c.DATABASE_URL, 'sqlite:data/rackpulse.sqlite');
  assert.is(c.REDIS_URL, undefined);
});

test('should list every bad variable in one error', () => {
  try {
    loadConfig({ PORT: 'abc', DATABASE_URL: 'postgres://x', LOG_LEVEL: 'loud' });
    assert.unreachable('should have thrown');
  } catch (e) {
    assert.instance(e, ConfigError);
    const issues = (e as ConfigError).issues.join('\n');
    assert.match(issues, 'PORT');
    assert.match(issues, 'DATABASE_URL');
    assert.match(issues, 'LOG_LEVEL');
  }
});

test('should accept a MySQL url and coerce numbers', () => {
  const c = loadConfig({ DATABASE_URL: 'mysql://root@127.0.0.1:3306/rp', PORT: '0' });
  assert.is(c.PORT, 0);
  assert.is(c.DATABASE_URL, 'mysql://root@127.0.0.1:3306/rp');
});

test.run();
