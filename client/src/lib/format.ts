/**
 * Pure formatting helpers for figures shown on the dashboards.
 * Sizes and rates use binary units (KiB = 1024 B) everywhere, so a disk's size and the rate
 * it fills at read the same way. Missing or invalid figures render as an em dash.
 */

/** Shown for a figure that is missing (null, undefined, NaN, infinite). */
export const MISSING = '—';

const BYTE_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB'] as const;

function isFiniteNumber(n: number | null | undefined): n is number {
  return typeof n === 'number' && Number.isFinite(n);
}

/**
 * A byte count in binary units: "512 B", "1.5 GiB", "123 MiB".
 * One decimal below 100 of a unit, none above; negative counts are shown as missing.
 */
export function formatBytes(bytes: number | null | undefined): string {
  if (!isFiniteNumber(bytes) || bytes < 0) return MISSING;
  if (bytes < 1024) return `${Math.round(bytes)} B`;
  let unit = 0;
  let value = bytes;
  while (value >= 1024 && unit < BYTE_UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  let digits = value < 100 ? 1 : 0;
  let text = value.toFixed(digits);
  // 1023.96 KiB rounds to "1024 KiB": promote it to "1.0 MiB".
  if (Number(text) >= 1024 && unit < BYTE_UNITS.length - 1) {
    value /= 1024;
    unit++;
    digits = 1;
    text = value.toFixed(digits);
  }
  return `${text} ${BYTE_UNITS[unit]}`;
}

/** A rate in bytes per second, binary units: "12.3 MiB/s". */
export function formatRate(bytesPerSecond: number | null | undefined): string {
  const b = formatBytes(bytesPerSecond);
  return b === MISSING ? MISSING : `${b}/s`;
}

/** Used of total, each in its own unit: "1.5 GiB / 3.8 GiB". */
export function formatUsedOf(used: number | null | undefined, total: number | null | undefined): string {
  if (!isFiniteNumber(used) && !isFiniteNumber(total)) return MISSING;
  return `${formatBytes(used)} / ${formatBytes(total)}`;
}

/** A percentage (0–100 scale, not a fraction): "12.3%"; `digits` decimals (default 1). */
export function formatPercent(pct: number | null | undefined, digits = 1): string {
  if (!isFiniteNumber(pct)) return MISSING;
  return `${pct.toFixed(digits)}%`;
}

/** `part` as a percentage of `whole`, or null when `whole` is zero, negative or missing. */
export function percentOf(part: number | null | undefined, whole: number | null | undefined): number | null {
  if (!isFiniteNumber(part) || !isFiniteNumber(whole) || whole <= 0) return null;
  return (part / whole) * 100;
}

/** A load average with two decimals: "0.52". */
export function formatLoad(load: number | null | undefined): string {
  return isFiniteNumber(load) ? load.toFixed(2) : MISSING;
}

/**
 * How long ago `then` was, seen at `now` (both Unix ms): "12 s ago", "3 min ago", "5 h ago",
 * "2 d ago", or "never" when there is no time. A `then` ahead of `now` (clock skew between
 * the hub and the viewer) counts as "0 s ago".
 */
export function formatAge(then: number | null | undefined, now: number): string {
  if (!isFiniteNumber(then)) return 'never';
  const seconds = Math.max(0, Math.floor((now - then) / 1000));
  if (seconds < 60) return `${seconds} s ago`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours} h ago`;
  return `${Math.floor(hours / 24)} d ago`;
}

/**
 * An absolute time in the viewer's locale and time zone: "22/11/2026, 11:25:03".
 * `timeZone` exists for tests; the dashboards leave it unset.
 */
export function formatDateTime(t: number | null | undefined, timeZone?: string): string {
  if (!isFiniteNumber(t)) return MISSING;
  return new Date(t).toLocaleString(undefined, { timeZone, dateStyle: 'medium', timeStyle: 'medium' });
}

/** A count with its noun, singular or plural: "1 host", "3 hosts". */
export function plural(count: number, singular: string, pluralForm = `${singular}s`): string {
  return `${count} ${count === 1 ? singular : pluralForm}`;
}

/** Money in cents as a currency amount without a symbol: "12.50". */
export function formatMoney(cents: number | null | undefined): string {
  return isFiniteNumber(cents) ? (cents / 100).toFixed(2) : MISSING;
}

/** A time of day in the viewer's locale and time zone: "11:25:03". */
export function formatTime(t: number | null | undefined, timeZone?: string): string {
  if (!isFiniteNumber(t)) return MISSING;
  return new Date(t).toLocaleTimeString(undefined, { timeZone, hour: '2-digit', minute: '2-digit', second: '2-digit' });
}
