/**
 * Reads of the usage tables: keyset pages of accounts (by name, or by total biggest first,
 * ties by name), the hosts and owner candidates of a page's accounts, and the totals. An
 * admin's pages read `usage_totals` through its indexes; a customer's are built from the
 * accounts they own (registered (host, login) pairs), which are few. Never OFFSET.
 */
import type { Knex } from '@mikro-orm/knex';
import type { Dialect, Orm } from '../db/orm.js';
import type { UsageKey, UsageSort } from './usage.cursor.js';
import { FLEET_ROW } from './usage.entities.js';
import { rowsOf } from './usage.writer.js';

export interface UsageQuery {
  sort: UsageSort;
  after: UsageKey | null;
  limit: number;
  /** Prefix of the account name. */
  prefix?: string;
  /** Only accounts with usage on this host. */
  hostId?: number;
  /** Only (host, login) pairs registered to this user (a customer); undefined for an admin. */
  ownerId?: number;
}
export interface AccountTotal { account: string; totalBytes: number }
export interface HostBytes { account: string; hostId: number; bytes: number; accountId: number | null; ownerId: number | null }
export interface HostTotal { hostId: number; bytes: number; accounts: number }

export class UsageRepository {
  private knex: Knex;
  private q: (c: string) => string;

  constructor(orm: Orm, private dialect: Dialect) {
    this.knex = (orm.em as any).getKnex();
    this.q = dialect === 'mysql' ? (c) => `\`${c}\`` : (c) => `"${c}"`;
  }

  private async rows<T>(sql: string, params: unknown[]): Promise<T[]> {
    return rowsOf<T>(await this.knex.raw(sql, params as any[]));
  }

  /** `col` starts with `prefix`, literally; both forms can use an index on `col`. */
  private prefixCond(col: string, prefix: string, params: unknown[]): string {
    if (this.dialect === 'mysql') {
      params.push(prefix.replace(/[!%_]/g, (c) => `!${c}`) + '%');
      return `${col} LIKE ? ESCAPE '!'`;
    }
    // SQLite's LIKE ignores case and skips the index; GLOB is exact. Specials go in brackets.
    params.push(prefix.replace(/[*?[]/g, (c) => `[${c}]`) + '*');
    return `${col} GLOB ?`;
  }

  /** One page of accounts with their totals, in the query's order (`limit` rows at most). */
  async page(x: UsageQuery): Promise<AccountTotal[]> {
    return x.ownerId === undefined ? this.adminPage(x) : this.ownerPage(x, x.ownerId);
  }

  private async adminPage(x: UsageQuery): Promise<AccountTotal[]> {
    const { q } = this;
    const params: unknown[] = [];
    const where: string[] = [];
    let from = `${q('usage_totals')} t`;
    let order: string;
    const acc = x.hostId !== undefined && x.sort === 'account' ? 'b.' + q('account') : 't.' + q('account');
    if (x.hostId !== undefined && x.sort === 'account') {
      // Walk the host's own index in name order.
      from = `${q('usage_bytes')} b JOIN ${q('usage_totals')} t ON t.${q('account')} = b.${q('account')}`;
      where.push(`b.${q('host_id')} = ?`); params.push(x.hostId);
    }
    if (x.sort === 'account') {
      if (x.after?.sort === 'account') { where.push(`${acc} > ?`); params.push(x.after.account); }
      order = `${acc} ASC`;
    } else {
      if (x.after?.sort === 'total') {
        // The leading `<=` is implied by the rest; it gives the optimizer a range on the index.
        where.push(`t.${q('total_bytes')} <= ? AND (t.${q('total_bytes')} < ? OR (t.${q('total_bytes')} = ? AND t.${q('account')} > ?))`);
        params.push(x.after.totalBytes, x.after.totalBytes, x.after.totalBytes, x.after.account);
      }
      order = `t.${q('total_bytes')} DESC, t.${q('account')} ASC`;
    }
    if (x.prefix) where.push(this.prefixCond(acc, x.prefix, params));
    if (x.hostId !== undefined && x.sort === 'total') {
      where.push(`EXISTS (SELECT 1 FROM ${q('usage_bytes')} e WHERE e.${q('account')} = t.${q('account')} AND e.${q('host_id')} = ?)`);
      params.push(x.hostId);
    }
    params.push(x.limit);
    const sql = `SELECT t.${q('account')} AS account, t.${q('total_bytes')} AS total FROM ${from}`
      + (where.length ? ` WHERE ${where.join(' AND ')}` : '') + ` ORDER BY ${order} LIMIT ?`;
    const r = await this.rows<{ account: string; total: number | string }>(sql, params);
    return r.map((a) => ({ account: a.account, totalBytes: Number(a.total) }));
  }

  private async ownerPage(x: UsageQuery, ownerId: number): Promise<AccountTotal[]> {
    const { q } = this;
    const params: unknown[] = [ownerId];
    const where = [`a.${q('owner_id')} = ?`];
    const having: string[] = [];
    const sum = `SUM(b.${q('bytes')})`;
    if (x.prefix) where.push(this.prefixCond(`b.${q('account')}`, x.prefix, params));
    if (x.after?.sort === 'account') { where.push(`b.${q('account')} > ?`); params.push(x.after.account); }
    const hparams: unknown[] = [];
    if (x.hostId !== undefined) { having.push(`SUM(CASE WHEN b.${q('host_id')} = ? THEN 1 ELSE 0 END) > 0`); hparams.push(x.hostId); }
    if (x.after?.sort === 'total') {
      having.push(`(${sum} < ? OR (${sum} = ? AND b.${q('account')} > ?))`);
      hparams.push(x.after.totalBytes, x.after.totalBytes, x.after.account);
    }
    const order = x.sort === 'account' ? `b.${q('account')} ASC` : `${sum} DESC, b.${q('account')} ASC`;
    const sql = `SELECT b.${q('account')} AS account, ${sum} AS total FROM ${q('accounts')} a`
      + ` JOIN ${q('usage_bytes')} b ON b.${q('account')} = a.${q('name')} AND b.${q('host_id')} = a.${q('host_id')}`
      + ` WHERE ${where.join(' AND ')} GROUP BY b.${q('account')}`
      + (having.length ? ` HAVING ${having.join(' AND ')}` : '') + ` ORDER BY ${order} LIMIT ?`;
    const r = await this.rows<{ account: string; total: number | string }>(sql, [...params, ...hparams, x.limit]);
    return r.map((a) => ({ account: a.account, totalBytes: Number(a.total) }));
  }

  /** Bytes per host of these accounts, with the registered account (and its owner) of each (host, login) where there is one. */
  async hostsOf(accounts: string[], ownerId?: number): Promise<HostBytes[]> {
    if (!accounts.length) return [];
    const { q } = this;
    const marks = accounts.map(() => '?').join(',');
    const join = ownerId === undefined ? 'LEFT JOIN' : 'JOIN';
    const sql = `SELECT b.${q('account')} AS account, b.${q('host_id')} AS host_id, b.${q('bytes')} AS bytes, a.${q('id')} AS account_id, a.${q('owner_id')} AS owner_id`
      + ` FROM ${q('usage_bytes')} b ${join} ${q('accounts')} a ON a.${q('host_id')} = b.${q('host_id')} AND a.${q('name')} = b.${q('account')}`
      + ` WHERE b.${q('account')} IN (${marks})` + (ownerId === undefined ? '' : ` AND a.${q('owner_id')} = ?`);
    const r = await this.rows<any>(sql, ownerId === undefined ? accounts : [...accounts, ownerId]);
    return r.map((x) => ({
      account: x.account, hostId: Number(x.host_id), bytes: Number(x.bytes),
      accountId: x.account_id == null ? null : Number(x.account_id), ownerId: x.owner_id == null ? null : Number(x.owner_id),
    }));
  }

  /** Display names of users: name, else email. */
  async userNames(ids: number[]): Promise<Map<number, string>> {
    if (!ids.length) return new Map();
    const { q } = this;
    const r = await this.rows<{ id: number; name: string | null; email: string }>(
      `SELECT ${q('id')} AS id, ${q('name')} AS name, ${q('email')} AS email FROM ${q('users')} WHERE ${q('id')} IN (${ids.map(() => '?').join(',')})`, ids);
    return new Map(r.map((u) => [Number(u.id), u.name || u.email]));
  }

  /** The fleet's totals (kept by the commit: a few rows, no scan) and per host. */
  async fleetTotals(): Promise<{ bytes: number; accounts: number; perHost: HostTotal[] }> {
    const { q } = this;
    const r = await this.rows<any>(`SELECT ${q('host_id')} AS host_id, ${q('bytes')} AS bytes, ${q('accounts')} AS accounts FROM ${q('host_usage_totals')}`, []);
    let bytes = 0, accounts = 0;
    const perHost: HostTotal[] = [];
    for (const x of r) {
      const t = { hostId: Number(x.host_id), bytes: Number(x.bytes), accounts: Number(x.accounts) };
      if (t.hostId === FLEET_ROW) ({ bytes, accounts } = t); else perHost.push(t);
    }
    return { bytes, accounts, perHost };
  }

  /** Totals over the (host, login) pairs registered to one user. */
  async ownerTotals(ownerId: number): Promise<{ bytes: number; accounts: number; perHost: HostTotal[] }> {
    const { q } = this;
    const join = ` FROM ${q('accounts')} a JOIN ${q('usage_bytes')} b ON b.${q('account')} = a.${q('name')} AND b.${q('host_id')} = a.${q('host_id')} WHERE a.${q('owner_id')} = ?`;
    const [per, all] = await Promise.all([
      this.rows<any>(`SELECT b.${q('host_id')} AS host_id, SUM(b.${q('bytes')}) AS bytes, COUNT(*) AS accounts${join} GROUP BY b.${q('host_id')}`, [ownerId]),
      this.rows<any>(`SELECT COALESCE(SUM(b.${q('bytes')}), 0) AS bytes, COUNT(DISTINCT b.${q('account')}) AS accounts${join}`, [ownerId]),
    ]);
    return {
      bytes: Number(all[0]?.bytes ?? 0), accounts: Number(all[0]?.accounts ?? 0),
      perHost: per.map((x) => ({ hostId: Number(x.host_id), bytes: Number(x.bytes), accounts: Number(x.accounts) })),
    };
  }
}
