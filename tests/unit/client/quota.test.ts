import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { barWidth, formatOld, freshness, quotaLevel, quotaPct } from '../../../client/src/lib/quota.js';

const level = suite('quotaLevel');
level('should be ok below 80 % of the quota', () => {
  assert.is(quotaLevel(0, 100), 'ok');
  assert.is(quotaLevel(79.9, 100), 'ok');
});
level('should turn amber at exactly 80 % and stay amber below 100 %', () => {
  assert.is(quotaLevel(80, 100), 'amber');
  assert.is(quotaLevel(99.99, 100), 'amber');
});
level('should turn red at 100 % and above', () => {
  assert.is(quotaLevel(100, 100), 'red');
  assert.is(quotaLevel(250, 100), 'red');
});
level('should be ok when the used figure or the quota is missing or zero', () => {
  assert.is(quotaLevel(null, 100), 'ok');
  assert.is(quotaLevel(50, null), 'ok');
  assert.is(quotaLevel(50, 0), 'ok');
});
level.run();

const pct = suite('quotaPct / barWidth');
pct('should give the percentage, above 100 when over quota, and clamp only the bar', () => {
  assert.is(quotaPct(150, 100), 150);
  assert.is(barWidth(150), 100);
  assert.is(barWidth(-3), 0);
  assert.is(barWidth(null), 0);
  assert.is(quotaPct(NaN, 100), null);
});
pct.run();

const old = suite('formatOld');
old('should say seconds, minutes, hours and days', () => {
  assert.is(formatOld(12_400), '12 s old');
  assert.is(formatOld(3 * 60_000 + 5_000), '3 min old');
  assert.is(formatOld(5 * 3_600_000), '5 h old');
  assert.is(formatOld(3 * 86_400_000), '3 d old');
  assert.is(formatOld(null), 'of unknown age');
});
old.run();

const fresh = suite('freshness');
const base = { measuredAt: 0, receivedAt: 1_000_000, ageMsAtReceipt: 30_000, hostOnline: true, refreshStale: false, refreshReason: null, now: 1_000_000 };
fresh('should age a figure from its age at receipt plus the viewer time since', () => {
  const f = freshness({ ...base, now: 1_000_000 + 150_000 });
  assert.equal(f, { cached: false, label: '3 min old', reason: null });
});
fresh('should say "cached, N min old" with the reason when the refresh came back stale', () => {
  const f = freshness({ ...base, refreshStale: true, refreshReason: 'the server did not respond in time', ageMsAtReceipt: 120_000 });
  assert.is(f.cached, true);
  assert.is(f.label, 'cached, 2 min old');
  assert.is(f.reason, 'the server did not respond in time');
});
fresh('should count a figure of an offline host as cached', () => {
  const f = freshness({ ...base, hostOnline: false });
  assert.is(f.label, 'cached, 30 s old');
  assert.is(f.reason, 'the server is offline');
});
fresh('should fall back to the measurement time when the hub sent no age', () => {
  const f = freshness({ ...base, receivedAt: null, ageMsAtReceipt: null, measuredAt: 1_000_000 - 65_000 });
  assert.is(f.label, '1 min old');
});
fresh.run();
