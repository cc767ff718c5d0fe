/**
 * MySQL / MariaDB: the finest rollup tier (1 min by default, by far the most rows) kept in one
 * partition per UTC day, so its retention is a `DROP PARTITION` (no row deletes, no row locks)
 * instead of millions of batched deletes. The table is partitioned by `RANGE COLUMNS(tier, bucket)`:
 *
 *   m20261120  VALUES LESS THAN (60, <end of that day>)   -- also holds anything older
 *   m20261121  …                                        -- one per day, two days ahead
 *   m_future   VALUES LESS THAN (61, 0)                    -- the finest tier past the last day
 *   rest       VALUES LESS THAN (MAXVALUE, MAXVALUE)       -- the coarser tiers (pruned in batches)
 *
 * Both keys are in the primary key (host_id, tier, bucket), as partitioning requires. Turned on by
 * ROLLUP_PARTITIONS=1; the first start converts the table (a full copy: do it at a quiet time).
 */
import type { Knex } from '@mikro-orm/knex';
import type { Logger } from '../logger.js';
import type { Tier } from './rollups.js';

const DAY_S = 86400;
/** Days created ahead of today, so the insert path never reaches `m_future` in normal running. */
const AHEAD_DAYS = 2;

interface Part { name: string; end: number | null; rows: number }

const dayName = (dayStartS: number) => 'm' + new Date(dayStartS * 1000).toISOString().slice(0, 10).replaceAll('-', '');

export class RollupPartitions {
  constructor(private knex: Knex, private tier: Tier, private log: Logger) {}

  /** Whether the server can partition: MariaDB with its partition plugin active, or MySQL 8 (built in). */
  async supported(): Promise<boolean> {
    const [[v]]: any = await this.knex.raw('SELECT VERSION() AS v');
    if (!/mariadb/i.test(String(v.v))) return Number(String(v.v).split('.')[0]) >= 8;
    const [rows]: any = await this.knex.raw("SELECT PLUGIN_STATUS AS s FROM information_schema.PLUGINS WHERE PLUGIN_NAME = 'partition'");
    return rows[0]?.s === 'ACTIVE';
  }

  private async list(): Promise<Part[]> {
    const [rows]: any = await this.knex.raw(
      `SELECT PARTITION_NAME AS name, PARTITION_DESCRIPTION AS d, TABLE_ROWS AS n FROM information_schema.PARTITIONS
       WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'rollups' ORDER BY PARTITION_ORDINAL_POSITION`);
    return rows.filter((r: any) => r.name).map((r: any) => {
      const m = /^\s*(\d+)\s*,\s*(\d+)\s*$/.exec(String(r.d ?? ''));
      return { name: String(r.name), end: m && Number(m[1]) === this.tier.widthS && /^m\d{8}$/.test(r.name) ? Number(m[2]) : null, rows: Number(r.n ?? 0) };
    });
  }

  private dayDefs(fromDay: number, toDay: number): string {
    const w = this.tier.widthS, defs: string[] = [];
    for (let d = fromDay; d <= toDay; d += DAY_S) defs.push(`PARTITION ${dayName(d)} VALUES LESS THAN (${w}, ${d + DAY_S})`);
    return defs.join(', ');
  }

  /**
   * Partition the table if it is not yet, drop the days wholly past retention and add the days ahead;
   * returns the (estimated) rows dropped.
   */
  async maintain(nowS: number): Promise<number> {
    const today = nowS - (nowS % DAY_S);
    const w = this.tier.widthS;
    let parts = await this.list();
    if (!parts.length) {
      const first = nowS - this.tier.keepS - ((nowS - this.tier.keepS) % DAY_S);
      this.log.warn('partitioning the rollups table by day for the finest tier (one-off table copy)');
      await this.knex.raw(`ALTER TABLE \`rollups\` PARTITION BY RANGE COLUMNS(tier, bucket) (${this.dayDefs(first, today + AHEAD_DAYS * DAY_S)},
        PARTITION m_future VALUES LESS THAN (${w + 1}, 0), PARTITION rest VALUES LESS THAN (MAXVALUE, MAXVALUE))`);
      parts = await this.list();
    }
    const days = parts.filter((p) => p.end !== null);
    if (!days.length || !parts.some((p) => p.name === 'm_future')) {
      this.log.warn({ partitions: parts.map((p) => p.name) }, 'rollups table partitioned another way (or for another finest tier): left as it is');
      return 0;
    }
    let dropped = 0;
    // Keep at least one day partition: the first one also takes anything older.
    const expired = days.filter((p) => p.end! <= nowS - this.tier.keepS).slice(0, days.length - 1);
    if (expired.length) {
      await this.knex.raw(`ALTER TABLE \`rollups\` DROP PARTITION ${expired.map((p) => p.name).join(', ')}`);
      dropped = expired.reduce((n, p) => n + p.rows, 0);
    }
    const lastEnd = days[days.length - 1].end!;
    if (lastEnd <= today + AHEAD_DAYS * DAY_S) {
      await this.knex.raw(`ALTER TABLE \`rollups\` REORGANIZE PARTITION m_future INTO (${this.dayDefs(lastEnd, today + AHEAD_DAYS * DAY_S)},
        PARTITION m_future VALUES LESS THAN (${w + 1}, 0))`);
    }
    return dropped;
  }
}
