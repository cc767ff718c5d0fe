/**
 * Active alerts as the kiosk holds them: the `alerts` topic's snapshot and deltas merged,
 * resolved ones dropped, and which alerts started firing since the last update (the wall
 * jumps to its alerts screen for those). Pure.
 */
import type { AlertDto } from '../../../protocol/alerts.schema.js';

export type ActiveAlerts = Map<number, AlertDto>;

export interface AlertsUpdate { alerts: ActiveAlerts; /** Alerts that are firing now and were not firing before (none on the first snapshot). */ newlyFiring: AlertDto[] }

function isActive(a: AlertDto): boolean { return a.state === 'pending' || a.state === 'firing'; }

/**
 * Merges alerts into the active set. A snapshot replaces the set (after a reconnect, alerts
 * that started firing meanwhile still count as new); a delta updates the alerts it carries.
 * `first` says there was no previous state (the page just loaded): nothing is new then.
 */
export function mergeAlerts(prev: ActiveAlerts, incoming: AlertDto[], kind: 'snapshot' | 'delta', first = false): AlertsUpdate {
  const next: ActiveAlerts = kind === 'snapshot' ? new Map() : new Map(prev);
  const newlyFiring: AlertDto[] = [];
  for (const a of incoming) {
    if (kind === 'delta') next.delete(a.id);
    if (!isActive(a)) continue;
    next.set(a.id, a);
    if (!first && a.state === 'firing' && prev.get(a.id)?.state !== 'firing') newlyFiring.push(a);
  }
  return { alerts: next, newlyFiring };
}

/** Newest first (by when the condition started), then by id. */
export function sortedAlerts(a: ActiveAlerts): AlertDto[] {
  return [...a.values()].sort((x, y) => y.startedAt - x.startedAt || y.id - x.id);
}
