/** Human ages for the wall: "12 s ago", "3 min ago", and clock times. Pure. */

/** An age in ms as "N s", "N min", "N h" or "N d" (rounded down; negative ages count as 0). */
export function formatAge(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h} h`;
  return `${Math.floor(h / 24)} d`;
}

/** "N s ago" for a past Unix ms, or "never" when there is none. */
export function formatAgo(at: number | null, now: number): string {
  return at === null ? 'never' : `${formatAge(now - at)} ago`;
}

/** The disconnected banner's text. */
export function disconnectedText(lastUpdateAt: number | null, now: number): string {
  return lastUpdateAt === null ? 'disconnected — no update yet' : `disconnected — last update ${formatAgo(lastUpdateAt, now)}`;
}

/** HH:MM:SS in the browser's time zone. */
export function formatClock(at: number): string {
  const d = new Date(at);
  return [d.getHours(), d.getMinutes(), d.getSeconds()].map((n) => String(n).padStart(2, '0')).join(':');
}
