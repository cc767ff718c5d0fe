/** Prometheus metrics of one hub (served at GET /metrics). */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'rackpulse_process_' });
  const m = {
    registry,
    messages: new Counter({ name: 'rackpulse_agent_messages_total', help: 'Agent messages received, by event', labelNames: ['event'] as const, registers: [registry] }),
    rejected: new Counter({ name: 'rackpulse_agent_rejected_total', help: 'Agent messages refused, by reason', labelNames: ['reason'] as const, registers: [registry] }),
    samples: new Counter({ name: 'rackpulse_samples_ingested_total', help: 'New 1 s samples accepted', registers: [registry] }),
    duplicates: new Counter({ name: 'rackpulse_duplicates_ignored_total', help: 'Messages or samples at or below the watermark, ignored', labelNames: ['stream'] as const, registers: [registry] }),
    commitSeconds: new Histogram({ name: 'rackpulse_db_commit_seconds', help: 'Time to commit one ingest batch', buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5], registers: [registry] }),
    commitFailures: new Counter({ name: 'rackpulse_db_commit_failures_total', help: 'Ingest commits that failed and were retried', registers: [registry] }),
    agents: new Gauge({ name: 'rackpulse_agents_connected', help: 'Connected agents', registers: [registry] }),
    dashboards: new Gauge({ name: 'rackpulse_dashboards_connected', help: 'Connected live clients', registers: [registry] }),
    spoolDropped: new Counter({ name: 'rackpulse_agent_spool_dropped_total', help: 'Items agents dropped from a full spool (never delivered), by stream', labelNames: ['stream'] as const, registers: [registry] }),
    actions: new Counter({ name: 'rackpulse_account_actions_total', help: 'Account actions requested, by outcome', labelNames: ['outcome'] as const, registers: [registry] }),
    authFailures: new Counter({ name: 'rackpulse_auth_failures_total', help: 'Refused handshakes and sign-ins, by surface', labelNames: ['surface'] as const, registers: [registry] }),
  };
  return m;
}
export type HubMetrics = ReturnType<typeof createMetrics>;
