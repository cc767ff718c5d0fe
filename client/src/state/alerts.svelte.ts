/**
 * Alerts for the summary bar, from the `alerts` topic: how many fire, and the active ones.
 * A hub without the topic refuses it; the bar then shows the count as unknown.
 */
import type { AlertDto, AlertsDelta, AlertsSnapshot } from '../../../protocol/alerts.schema.js';
import type { LiveClient, TopicListener } from '../lib/live.js';

export class AlertsState {
  /** Firing alerts, or null while unknown (not loaded, or the hub has no alerts topic). */
  firing = $state<number | null>(null);
  alerts = $state.raw<AlertDto[]>([]);

  follow(live: LiveClient): () => void {
    const listener = {
      snapshot: (s: AlertsSnapshot) => {
        this.alerts = s.alerts;
        this.firing = s.firing;
      },
      delta: (d: AlertsDelta) => {
        const byId = new Map(this.alerts.map((a) => [a.id, a]));
        for (const a of d.alerts) byId.set(a.id, a);
        this.alerts = [...byId.values()].sort((a, b) => b.startedAt - a.startedAt);
        this.firing = d.firing;
      },
      error: () => {
        this.firing = null;
      },
    };
    // `alerts` is newer than the topic types this client was built with on some hubs.
    return live.subscribe('alerts' as 'fleet', listener as unknown as TopicListener<'fleet'>);
  }
}
