import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ClockSkew, SKEW_FLAG_MS } from '../../../../server/ingest/clock-skew.js';

test('an agent an hour ahead or behind is corrected by the hour its hello showed', () => {
  for (const skew of [3_600_000, -3_600_000]) {
    const c = new ClockSkew();
    c.hello(5_000_000 + skew - 40, 5_000_000);
    assert.ok(Math.abs(c.correction + skew) <= 40, String(c.correction));
  }
});

test('a clock within a few seconds is left alone', () => {
  const c = new ClockSkew();
  c.hello(10_000 - (SKEW_FLAG_MS - 100), 10_000);
  assert.is(c.correction, 0);
  assert.ok(c.offset > 0);
});

test('an agent that sends no clock is not corrected', () => {
  assert.is(new ClockSkew().correction, 0);
});

test('a later hello from a fixed clock ends the correction', () => {
  const c = new ClockSkew();
  c.hello(3_600_000 + 1000, 1000);
  assert.ok(c.correction !== 0);
  c.hello(2000, 2010);
  assert.is(c.correction, 0);
});

test.run();
