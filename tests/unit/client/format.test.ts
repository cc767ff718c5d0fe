import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import {
  MISSING,
  formatAge,
  formatBytes,
  formatDateTime,
  formatLoad,
  formatPercent,
  formatRate,
  formatUsedOf,
  percentOf,
  plural,
} from '../../../client/src/lib/format.js';

const GiB = 1024 ** 3;

const bytes = suite('formatBytes');
bytes('should print counts below 1 KiB as whole bytes', () => {
  assert.is(formatBytes(0), '0 B');
  assert.is(formatBytes(512), '512 B');
  assert.is(formatBytes(1023), '1023 B');
});
bytes('should use binary units with one decimal below 100', () => {
  assert.is(formatBytes(1024), '1.0 KiB');
  assert.is(formatBytes(1.5 * GiB), '1.5 GiB');
  assert.is(formatBytes(12.34 * 1024 ** 2), '12.3 MiB');
});
bytes('should drop the decimal from 100 of a unit up', () => {
  assert.is(formatBytes(123 * 1024 ** 2), '123 MiB');
  assert.is(formatBytes(999.6 * GiB), '1000 GiB');
});
bytes('should promote a value that rounds up to 1024 to the next unit', () => {
  assert.is(formatBytes(1023.96 * 1024), '1.0 MiB');
});
bytes('should reach TiB and PiB', () => {
  assert.is(formatBytes(2 * 1024 ** 4), '2.0 TiB');
  assert.is(formatBytes(3.25 * 1024 ** 5), '3.3 PiB');
});
bytes('should return the missing mark for null, undefined, NaN, infinity and negatives', () => {
  for (const v of [null, undefined, NaN, Infinity, -1]) assert.is(formatBytes(v), MISSING);
});
bytes.run();

const rate = suite('formatRate');
rate('should append /s to the binary size', () => {
  assert.is(formatRate(12.3 * 1024 ** 2), '12.3 MiB/s');
  assert.is(formatRate(0), '0 B/s');
});
rate('should return the missing mark without a rate', () => {
  assert.is(formatRate(null), MISSING);
});
rate.run();

const usedOf = suite('formatUsedOf');
usedOf('should print used and total each in its own unit', () => {
  assert.is(formatUsedOf(512 * 1024 ** 2, 3.8 * GiB), '512 MiB / 3.8 GiB');
});
usedOf('should return the missing mark when both are missing', () => {
  assert.is(formatUsedOf(null, undefined), MISSING);
});
usedOf('should mark only the missing side when one is known', () => {
  assert.is(formatUsedOf(null, GiB), `${MISSING} / 1.0 GiB`);
});
usedOf.run();

const percent = suite('formatPercent');
percent('should print one decimal by default', () => {
  assert.is(formatPercent(12.345), '12.3%');
  assert.is(formatPercent(100), '100.0%');
});
percent('should honour the digits argument', () => {
  assert.is(formatPercent(12.5, 0), '13%');
  assert.is(formatPercent(7, 2), '7.00%');
});
percent('should return the missing mark for null and NaN', () => {
  assert.is(formatPercent(null), MISSING);
  assert.is(formatPercent(NaN), MISSING);
});
percent.run();

const pctOf = suite('percentOf');
pctOf('should return part over whole on a 0–100 scale', () => {
  assert.is(percentOf(1, 4), 25);
});
pctOf('should return null for a zero, negative or missing whole', () => {
  assert.is(percentOf(1, 0), null);
  assert.is(percentOf(1, -5), null);
  assert.is(percentOf(1, null), null);
  assert.is(percentOf(undefined, 10), null);
});
pctOf.run();

const load = suite('formatLoad');
load('should print two decimals', () => {
  assert.is(formatLoad(0.5), '0.50');
  assert.is(formatLoad(12.345), '12.35');
});
load('should return the missing mark without a load', () => {
  assert.is(formatLoad(undefined), MISSING);
});
load.run();

const age = suite('formatAge');
const now = 1_800_000_000_000;
age('should return "never" without a time', () => {
  assert.is(formatAge(null, now), 'never');
  assert.is(formatAge(undefined, now), 'never');
});
age('should count whole seconds below a minute', () => {
  assert.is(formatAge(now, now), '0 s ago');
  assert.is(formatAge(now - 12_900, now), '12 s ago');
  assert.is(formatAge(now - 59_999, now), '59 s ago');
});
age('should count minutes below an hour', () => {
  assert.is(formatAge(now - 60_000, now), '1 min ago');
  assert.is(formatAge(now - 3 * 60_000 - 5_000, now), '3 min ago');
});
age('should count hours below two days, then days', () => {
  assert.is(formatAge(now - 5 * 3_600_000, now), '5 h ago');
  assert.is(formatAge(now - 47 * 3_600_000, now), '47 h ago');
  assert.is(formatAge(now - 49 * 3_600_000, now), '2 d ago');
});
age('should show a time ahead of now (clock skew) as "0 s ago"', () => {
  assert.is(formatAge(now + 4_000, now), '0 s ago');
});
age.run();

const dateTime = suite('formatDateTime');
dateTime('should render the time in the given time zone', () => {
  const t = Date.UTC(2026, 0, 2, 3, 4, 5);
  assert.match(formatDateTime(t, 'UTC'), /\b0?3:04:05\b/);
  assert.match(formatDateTime(t, 'Asia/Tokyo'), /\b12:04:05\b/);
});
dateTime('should return the missing mark without a time', () => {
  assert.is(formatDateTime(null), MISSING);
});
dateTime.run();

const pluralSuite = suite('plural');
pluralSuite('should use the singular for one and the plural otherwise', () => {
  assert.is(plural(1, 'host'), '1 host');
  assert.is(plural(0, 'host'), '0 hosts');
  assert.is(plural(3, 'box', 'boxes'), '3 boxes');
});
pluralSuite.run();
