/**
 * The latest account usage and service states a restarted hub serves at once (with their age),
 * read with plain SQL in keyset batches: at a million accounts the ORM's entities were the cost
 * (server/db/scan.ts).
 */
import type { Knex } from '@mikro-orm/knex';
import type { AccountUsage, ServiceState } from '../db/entities.js';
import type { Dialect } from '../db/orm.js';
import { num, scanTable } from '../db/scan.js';

type Row = Record<string, unknown>;

export async function loadLatestState(knex: Knex, dialect: Dialect): Promise<{ usage: AccountUsage[]; services: ServiceState[] }> {
  const usage: AccountUsage[] = [];
  await scanTable<Row>(knex, dialect, 'account_usage',
    ['used_bytes', 'files', 'soft_limit_bytes', 'hard_limit_bytes', 'source', 'measured_at', 'received_at', 'partial', 'cpu_pct', 'rss_bytes', 'processes'],
    ['host_id', 'account'], (rows) => {
      for (const r of rows) {
        usage.push({
          hostId: Number(r.host_id), account: String(r.account), usedBytes: Number(r.used_bytes), files: num(r.files),
          softLimitBytes: num(r.soft_limit_bytes), hardLimitBytes: num(r.hard_limit_bytes), source: String(r.source),
          measuredAt: Number(r.measured_at), receivedAt: Number(r.received_at), partial: Boolean(Number(r.partial)),
          cpuPct: num(r.cpu_pct), rssBytes: num(r.rss_bytes), processes: num(r.processes),
        });
      }
    });
  const services: ServiceState[] = [];
  await scanTable<Row>(knex, dialect, 'service_states',
    ['account', 'status', 'latency_ms', 'reason', 'checked_at', 'since', 'received_at'], ['host_id', 'name'], (rows) => {
      for (const r of rows) {
        services.push({
          hostId: Number(r.host_id), name: String(r.name), account: r.account === null ? null : String(r.account), status: String(r.status),
          latencyMs: num(r.latency_ms), reason: r.reason === null ? null : String(r.reason),
          checkedAt: Number(r.checked_at), since: Number(r.since), receivedAt: Number(r.received_at),
        });
      }
    });
  return { usage, services };
}
