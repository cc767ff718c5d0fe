import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { disconnectedText, formatAge, formatAgo, formatClock } from '../../../kiosk/src/lib/ago.js';

const age = suite('formatAge');
age('should count seconds below a minute, rounded down', () => {
  assert.is(formatAge(0), '0 s'); assert.is(formatAge(999), '0 s'); assert.is(formatAge(59_999), '59 s');
});
age('should switch to minutes, hours and days', () => {
  assert.is(formatAge(60_000), '1 min'); assert.is(formatAge(3_599_999), '59 min');
  assert.is(formatAge(3_600_000), '1 h'); assert.is(formatAge(47 * 3_600_000), '47 h'); assert.is(formatAge(72 * 3_600_000), '3 d');
});
age('should count a negative age (clock skew) as 0', () => {
  assert.is(formatAge(-5000), '0 s');
});
age.run();

const ago = suite('formatAgo / disconnectedText');
ago('should say "N s ago", or "never" without a time', () => {
  assert.is(formatAgo(1000, 13_500), '12 s ago');
  assert.is(formatAgo(null, 1), 'never');
});
ago('should write the banner with the age of the last update', () => {
  assert.is(disconnectedText(0, 7_000), 'disconnected — last update 7 s ago');
  assert.is(disconnectedText(null, 7_000), 'disconnected — no update yet');
});
ago.run();

const clock = suite('formatClock');
clock('should print HH:MM:SS with leading zeros', () => {
  const at = new Date(2026, 0, 2, 3, 4, 5).getTime();
  assert.is(formatClock(at), '03:04:05');
});
clock.run();
