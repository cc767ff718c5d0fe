/**
 * Commits what ingest accumulated: rollup deltas, latest host state, disks,
 * account usage, service states and the watermarks, in one transaction, with
 * multi-row upserts (a few statements per commit, whatever the fleet size).
 */
import type { Knex } from '@mikro-orm/knex';
import { ROLLUP_METRICS } from '../db/entities.js';
import { upsertSql, type Dialect, type Orm } from '../db/orm.js';
import type { RollupDelta } from './rollups.js';
import type { AccountUsage, ServiceState, Disk as DiskRow, HostStatus, Watermark } from '../db/entities.js';
import { UsageWriter } from '../usage/usage.writer.js';

export interface CommitBatch {
  rollups: RollupDelta[];
  hostStatus: HostStatus[];
  disks: Omit<DiskRow, 'id'>[];
  /** Hosts whose disk set changed: disks not in `disks` for these hosts are removed. */
  diskHosts: number[];
  usage: AccountUsage[];
  services: ServiceState[];
  watermarks: Watermark[];
}

export const emptyBatch = (): CommitBatch => ({ rollups: [], hostStatus: [], disks: [], diskHosts: [], usage: [], services: [], watermarks: [] });

/** Rows per statement: stays under SQLite's and MySQL's placeholder limits, and keeps each synchronous SQLite step short. */
const CHUNK = 200;

/** Let the event loop run (live pushes, incoming messages) between statements of a long commit: SQLite runs on this thread. */
const yieldToLoop = () => new Promise<void>((r) => setImmediate(r));

function chunks<T>(rows: T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < rows.length; i += CHUNK) out.push(rows.slice(i, i + CHUNK));
  return out;
}

export class IngestRepository {
  private knex: Knex;
  private rollupCols: string[];
  private rollupMerge: Record<string, string>;
  /** Bytes per (account, host) and their totals, kept in step with `account_usage` in the same transaction. */
  private usageWriter: UsageWriter;

  constructor(private orm: Orm, private dialect: Dialect) {
    this.knex = (orm.em as any).getKnex();
    this.usageWriter = new UsageWriter(dialect);
    const col = (p: string) => orm.getMetadata().get('Rollup').properties[p as never].fieldNames[0];
    this.rollupCols = ['host_id', 'tier', 'bucket', 'count'];
    this.rollupMerge = { count: 'OLD(count) + NEW(count)' };
    for (const m of ROLLUP_METRICS) {
      const [s, mn, mx] = [col(m + 'Sum'), col(m + 'Min'), col(m + 'Max')];
      this.rollupCols.push(s, mn, mx);
      this.rollupMerge[s] = `OLD(${s}) + NEW(${s})`;
      this.rollupMerge[mn] = `LEAST(OLD(${mn}), NEW(${mn}))`;
      this.rollupMerge[mx] = `GREATEST(OLD(${mx}), NEW(${mx}))`;
    }
  }

  private async upsert(trx: Knex.Transaction, table: string, cols: string[], keys: string[], rows: unknown[][], merge: Record<string, string>): Promise<void> {
    for (const part of chunks(rows)) {
      await trx.raw(upsertSql(this.dialect, table, cols, keys, part.length, merge), part.flat() as any[]);
      await yieldToLoop();
    }
  }

  async commit(b: CommitBatch): Promise<void> {
    await this.knex.transaction(async (trx) => {
      if (b.rollups.length) {
        const rows = b.rollups.map((d) => {
          const r: unknown[] = [d.hostId, d.tier, d.bucket, d.count];
          for (let i = 0; i < ROLLUP_METRICS.length; i++) r.push(d.sum[i], d.min[i], d.max[i]);
          return r;
        });
        await this.upsert(trx, 'rollups', this.rollupCols, ['host_id', 'tier', 'bucket'], rows, this.rollupMerge);
      }
      if (b.hostStatus.length) {
        await this.upsert(trx, 'host_status', ['host_id', 'last_seen_at', 'latest'], ['host_id'],
          b.hostStatus.map((h) => [h.hostId, h.lastSeenAt, h.latest]),
          { last_seen_at: 'GREATEST(OLD(last_seen_at), NEW(last_seen_at))', latest: 'NEW(latest)' });
      }
      for (const hostId of b.diskHosts) {
        const keep = b.disks.filter((d) => d.hostId === hostId).map((d) => d.mount);
        const q = trx('disks').where('host_id', hostId);
        await (keep.length ? q.whereNotIn('mount', keep) : q).delete();
      }
      if (b.disks.length) {
        const cols = ['host_id', 'mount', 'device', 'fs_type', 'size_bytes', 'used_bytes', 'avail_bytes', 'updated_at'];
        await this.upsert(trx, 'disks', cols, ['host_id', 'mount'],
          b.disks.map((d) => [d.hostId, d.mount, d.device, d.fsType, d.sizeBytes, d.usedBytes, d.availBytes, d.updatedAt]),
          Object.fromEntries(cols.slice(2).map((c) => [c, `NEW(${c})`])));
      }
      if (b.usage.length) {
        const cols = ['host_id', 'account', 'used_bytes', 'files', 'soft_limit_bytes', 'hard_limit_bytes', 'source', 'measured_at', 'received_at', 'partial', 'cpu_pct', 'rss_bytes', 'processes'];
        await this.upsert(trx, 'account_usage', cols, ['host_id', 'account'],
          b.usage.map((u) => [u.hostId, u.account, u.usedBytes, u.files, u.softLimitBytes, u.hardLimitBytes, u.source, u.measuredAt, u.receivedAt, u.partial, u.cpuPct, u.rssBytes, u.processes]),
          Object.fromEntries(cols.slice(2).map((c) => [c, `NEW(${c})`])));
        await this.usageWriter.apply(trx, b.usage.map((u) => ({ hostId: u.hostId, account: u.account, bytes: u.usedBytes })));
      }
      if (b.services.length) {
        const cols = ['host_id', 'name', 'account', 'status', 'latency_ms', 'reason', 'checked_at', 'since', 'received_at'];
        await this.upsert(trx, 'service_states', cols, ['host_id', 'name'],
          b.services.map((s) => [s.hostId, s.name, s.account, s.status, s.latencyMs, s.reason, s.checkedAt, s.since, s.receivedAt]),
          Object.fromEntries(cols.slice(2).map((c) => [c, `NEW(${c})`])));
      }
      if (b.watermarks.length) {
        await this.upsert(trx, 'watermarks', ['host_id', 'stream', 'seq'], ['host_id', 'stream'],
          b.watermarks.map((w) => [w.hostId, w.stream, w.seq]), { seq: 'GREATEST(OLD(seq), NEW(seq))' });
      }
    });
  }

  async loadWatermarks(): Promise<Watermark[]> {
    const rows = await this.knex('watermarks').select('host_id', 'stream', 'seq');
    return rows.map((r: any) => ({ hostId: Number(r.host_id), stream: r.stream, seq: Number(r.seq) }));
  }

  /** Delete rollups older than each tier's retention, at most `limit` rows per statement; returns rows deleted. */
  async prune(tier: number, beforeBucket: number, limit = 5000): Promise<number> {
    if (this.dialect === 'mysql') {
      const r: any = await this.knex.raw('DELETE FROM `rollups` WHERE `tier` = ? AND `bucket` < ? LIMIT ?', [tier, beforeBucket, limit]);
      return r[0]?.affectedRows ?? 0;
    }
    const r: any = await this.knex.raw('DELETE FROM "rollups" WHERE rowid IN (SELECT rowid FROM "rollups" WHERE "tier" = ? AND "bucket" < ? LIMIT ?)', [tier, beforeBucket, limit]);
    return typeof r?.changes === 'number' ? r.changes : (r?.rowsAffected ?? 0);
  }

  /** Delete rollups of tiers not in `keep` (a tier removed from ROLLUP_TIERS), at most `limit` rows per statement. */
  async pruneOtherTiers(keep: number[], limit = 5000): Promise<number> {
    const marks = keep.map(() => '?').join(', ');
    if (this.dialect === 'mysql') {
      const r: any = await this.knex.raw(`DELETE FROM \`rollups\` WHERE \`tier\` NOT IN (${marks}) LIMIT ?`, [...keep, limit]);
      return r[0]?.affectedRows ?? 0;
    }
    const r: any = await this.knex.raw(`DELETE FROM "rollups" WHERE rowid IN (SELECT rowid FROM "rollups" WHERE "tier" NOT IN (${marks}) LIMIT ?)`, [...keep, limit]);
    return typeof r?.changes === 'number' ? r.changes : (r?.rowsAffected ?? 0);
  }

  /** Rollup points of one metric between two times (ms), oldest first. */
  async series(hostId: number, tier: number, metric: string, fromMs: number, toMs: number): Promise<{ t: number; count: number; avg: number; min: number; max: number }[]> {
    const col = (p: string) => this.orm.getMetadata().get('Rollup').properties[p as never].fieldNames[0];
    const fromB = Math.floor(fromMs / 1000 / tier) * tier, toB = Math.floor(toMs / 1000);
    const rows = await this.knex('rollups')
      .select({ bucket: 'bucket', count: 'count', sum: col(metric + 'Sum'), min: col(metric + 'Min'), max: col(metric + 'Max') })
      .where({ host_id: hostId, tier }).andWhere('bucket', '>=', fromB).andWhere('bucket', '<=', toB).orderBy('bucket', 'asc');
    return rows.map((r: any) => ({ t: Number(r.bucket) * 1000, count: Number(r.count), avg: Number(r.sum) / Number(r.count), min: Number(r.min), max: Number(r.max) }));
  }

  /** Everything a deleted host left behind. */
  async deleteHostData(hostId: number): Promise<void> {
    await this.knex.transaction(async (trx) => {
      await this.usageWriter.removeHost(trx, hostId);
      for (const t of ['rollups', 'host_status', 'disks', 'account_usage', 'service_states', 'watermarks']) {
        await trx(t).where('host_id', hostId).delete();
      }
    });
  }
}
