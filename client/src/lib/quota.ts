/**
 * Quota bars and the age of cached figures on a customer's account card: pure rules, no DOM.
 */

/** How full a quota is: `ok` below 80 %, `amber` from 80 %, `red` from 100 %. */
export type QuotaLevel = 'ok' | 'amber' | 'red';

/** Fraction (0–1) at which a quota bar turns amber. */
export const AMBER_AT = 0.8;

/** Percent of the quota used (may exceed 100), or null when either figure is missing or the quota is not positive. */
export function quotaPct(usedBytes: number | null | undefined, quotaBytes: number | null | undefined): number | null {
  if (typeof usedBytes !== 'number' || typeof quotaBytes !== 'number' || !Number.isFinite(usedBytes) || !(quotaBytes > 0)) return null;
  return (usedBytes / quotaBytes) * 100;
}

/** The bar's class for `used` of `quota` bytes; `ok` when it cannot be computed. */
export function quotaLevel(usedBytes: number | null | undefined, quotaBytes: number | null | undefined): QuotaLevel {
  const pct = quotaPct(usedBytes, quotaBytes);
  if (pct === null) return 'ok';
  if (pct >= 100) return 'red';
  if (pct >= AMBER_AT * 100) return 'amber';
  return 'ok';
}

/** Width of the bar's fill, percent, clamped to 0–100. */
export function barWidth(pct: number | null): number {
  return pct === null ? 0 : Math.min(100, Math.max(0, pct));
}

/** "N min old" for a figure `ageMs` old: seconds below a minute, then minutes, hours, days. */
export function formatOld(ageMs: number | null | undefined): string {
  if (typeof ageMs !== 'number' || !Number.isFinite(ageMs)) return 'of unknown age';
  const s = Math.max(0, Math.floor(ageMs / 1000));
  if (s < 60) return `${s} s old`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min old`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h} h old`;
  return `${Math.floor(h / 24)} d old`;
}

/** What a card says about how current its disk figure is. */
export interface Freshness {
  /** The figure is a cached one (the agent did not answer, or the host is offline). */
  cached: boolean;
  /** "cached, 3 min old" or "measured 12 s ago"-style text without the verb. */
  label: string;
  /** Why it is cached, when known (e.g. "the server did not respond in time"). */
  reason: string | null;
}

/**
 * The freshness of an account's disk figure at the viewer's `now`.
 * - `measuredAt` (agent clock, ms) and `receivedAgeMs` + `receivedAt` (the hub's age when it was sent
 *   and when the viewer got it) give the figure's age;
 * - a refresh that came back stale, or a host that is offline, makes it "cached, N min old".
 */
export function freshness(input: {
  measuredAt: number | null;
  /** Viewer clock when the figure arrived, and its age then (ms, from the hub). */
  receivedAt: number | null;
  ageMsAtReceipt: number | null;
  hostOnline: boolean;
  /** The last refresh answered stale, with its reason. */
  refreshStale: boolean;
  refreshReason: string | null;
  now: number;
}): Freshness {
  const age = input.receivedAt !== null && input.ageMsAtReceipt !== null
    ? input.ageMsAtReceipt + Math.max(0, input.now - input.receivedAt)
    : input.measuredAt !== null ? Math.max(0, input.now - input.measuredAt) : null;
  const cached = input.refreshStale || !input.hostOnline;
  const reason = input.refreshStale ? input.refreshReason : !input.hostOnline ? 'the server is offline' : null;
  return { cached, label: cached ? `cached, ${formatOld(age)}` : formatOld(age), reason };
}
