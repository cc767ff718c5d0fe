/** Prometheus metrics of one hub (served at GET /metrics). */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { FleetState } from './ingest/fleet.state.js';

export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'rackpulse_process_' });
  // prom-client also sums three per-type gauges into gauges named `…_total`, a suffix the Prometheus conventions
  // (promtool) keep for counters: dropped, the per-type ones remain (`rackpulse_process_nodejs_active_handles{type}`).
  for (const name of ['active_handles', 'active_requests', 'active_resources']) registry.removeSingleMetric(`rackpulse_process_nodejs_${name}_total`);
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
    alertsFiring: new Gauge({ name: 'rackpulse_alerts_firing', help: 'Alerts firing now', registers: [registry] }),
    alertTransitions: new Counter({ name: 'rackpulse_alert_transitions_total', help: 'Alert state changes, by kind and new state', labelNames: ['kind', 'to'] as const, registers: [registry] }),
    alertWebhookFailures: new Counter({ name: 'rackpulse_alert_webhook_failures_total', help: 'Failed alert webhook attempts (each retry counts)', registers: [registry] }),
    authFailures: new Counter({ name: 'rackpulse_auth_failures_total', help: 'Refused handshakes and sign-ins, by surface', labelNames: ['surface'] as const, registers: [registry] }),
    ackLagSeconds: new Histogram({ name: 'rackpulse_ack_lag_seconds', help: 'From the first sample of a host accepted after its last ack to the ack that covers it', buckets: [0.05, 0.1, 0.25, 0.5, 1, 1.5, 2, 3, 5, 10, 30], registers: [registry] }),
    pruned: new Counter({ name: 'rackpulse_rollups_pruned_total', help: 'Rollup rows removed past their tier retention, by tier width in seconds', labelNames: ['tier'] as const, registers: [registry] }),
    leases: new Gauge({ name: 'rackpulse_host_leases_held', help: 'Hosts whose rollups this hub writes (several hubs with REDIS_URL; else every connected host)', registers: [registry] }),
  };
  return m;
}
export type HubMetrics = ReturnType<typeof createMetrics>;

/** What the collected gauges read at scrape time. */
export interface GaugeSources {
  fleet: FleetState;
  /** Live sockets of this hub (kiosks carry `data.kiosk`). */
  liveSockets(): Iterable<{ data: { kiosk?: unknown } }>;
  /** Rows waiting for the next ingest commit. */
  ingestPending(): number;
  /** Kiosk queue messages stored (all queues), or null when the database does not answer. */
  queueDepth(): Promise<number | null>;
}

/** Gauges computed when scraped: live clients by kind, pending ingest rows, queue depth, and per-host latest figures. */
export function registerCollectedGauges(m: HubMetrics, src: GaugeSources): void {
  const registers = [m.registry];
  new Gauge({ name: 'rackpulse_live_clients_connected', help: 'Connected live sockets, by kind (dashboard or kiosk)', labelNames: ['kind'] as const, registers,
    collect() {
      let kiosks = 0, dashboards = 0;
      for (const s of src.liveSockets()) { if (s.data.kiosk) kiosks++; else dashboards++; }
      this.set({ kind: 'dashboard' }, dashboards); this.set({ kind: 'kiosk' }, kiosks);
    } });
  new Gauge({ name: 'rackpulse_ingest_pending_rows', help: 'Rows (rollup buckets, latest state, watermarks) waiting for the next ingest commit', registers,
    collect() { this.set(src.ingestPending()); } });
  new Gauge({ name: 'rackpulse_queue_depth_messages', help: 'Kiosk queue messages stored, all queues', registers,
    async collect() { const n = await src.queueDepth(); if (n !== null) this.set(n); } });
  // Per host: the latest sample. Labels are the host id and its name (names are admin-chosen, bounded by the fleet).
  const host = ['host_id', 'host'] as const;
  // Registered first: the registry reads metrics in order, and this one's collector fills the others.
  // The one collector refreshes every per-host gauge, so hosts that went away disappear from all of them.
  const up: Gauge<'host_id' | 'host'> = new Gauge({ name: 'rackpulse_host_online', help: '1 when the host has a connected agent and a recent sample, else 0', labelNames: host, registers,
    collect() {
      for (const g of [load, cpu, memUsed, memTotal, diskUsed, diskSize, up] as Gauge<string>[]) g.reset();
      for (const rt of src.fleet.hosts.values()) {
        const l = { host_id: String(rt.id), host: rt.name };
        up.set(l, src.fleet.online(rt) ? 1 : 0);
        const p = rt.latest;
        if (p) { load.set(l, p.load1); cpu.set(l, p.cpuPct / 100); memUsed.set(l, p.memUsedBytes); memTotal.set(l, p.memTotalBytes); }
        for (const d of rt.disks) { diskUsed.set({ ...l, mount: d.mount }, d.usedBytes); diskSize.set({ ...l, mount: d.mount }, d.sizeBytes); }
      }
    } });
  const load = new Gauge({ name: 'rackpulse_host_load1', help: 'Latest 1 min load average of a host', labelNames: host, registers });
  const cpu = new Gauge({ name: 'rackpulse_host_cpu_ratio', help: 'Latest CPU busy share of a host (0-1)', labelNames: host, registers });
  const memUsed = new Gauge({ name: 'rackpulse_host_memory_used_bytes', help: 'Latest memory in use on a host', labelNames: host, registers });
  const memTotal = new Gauge({ name: 'rackpulse_host_memory_total_bytes', help: 'Memory of a host', labelNames: host, registers });
  const diskUsed = new Gauge({ name: 'rackpulse_host_disk_used_bytes', help: 'Latest bytes used per filesystem of a host', labelNames: [...host, 'mount'] as const, registers });
  const diskSize = new Gauge({ name: 'rackpulse_host_disk_size_bytes', help: 'Size per filesystem of a host', labelNames: [...host, 'mount'] as const, registers });
}
