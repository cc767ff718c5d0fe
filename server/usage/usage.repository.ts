/**
 * Reads of the usage tables: keyset pages of accounts (by name, or by total biggest first,
 * ties by name) with the hosts and owner candidates of each account in the same statement,
 * and the totals. An admin's pages read `usage_totals` through its indexes; a customer's are
 * built from the accounts they own (registered (host, login) pairs), which are few. Never OFFSET.
 */
import type { Knex } from '@mikro-orm/knex';
import type { Dialect, Orm } from '../db/orm.js';
import type { UsageKey, UsageSort } from './usage.cursor.js';
import { FLEET_ROW } from './usage.entities.js';
import { rowsOf } from '../db/scan.js';

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
/** Bytes of an account on one host, with the registered account of that (host, login) and its owner where there is one. */
export interface HostBytes { hostId: number; bytes: number; accountId: number | null; ownerId: number | null; ownerName: string | null }
/** One account of a page: its total and its hosts (for a customer only the hosts where the login is registered to them). */
export interface PageAccount extends AccountTotal { hosts: HostBytes[] }
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

  /**
   * One page of accounts (`limit` at most, in the query's order) with their hosts, registered
   * accounts and owners' names: one statement, the keyset query as a derived table joined to
   * the bytes, the registrations and the users by their keys (no list of the page's names
   * sent back, no second round trip).
   */
  async pageWithHosts(x: UsageQuery): Promise<PageAccount[]> {
    const { q } = this;
    const { sql, params } = this.pageSql(x);
    // A customer sees only the hosts where the login is registered to them; an admin every host, registered or not.
    const join = x.ownerId === undefined ? 'LEFT JOIN' : 'JOIN';
    const order = x.sort === 'account' ? `p.${q('account')} ASC` : `p.${q('total')} DESC, p.${q('account')} ASC`;
    const r = await this.rows<any>(
      `SELECT p.${q('account')} AS account, p.${q('total')} AS total, b.${q('host_id')} AS host_id, b.${q('bytes')} AS bytes,`
      + ` a.${q('id')} AS account_id, a.${q('owner_id')} AS owner_id, u.${q('name')} AS owner_name, u.${q('email')} AS owner_email`
      + ` FROM (${sql}) p ${join} ${q('usage_bytes')} b ON b.${q('account')} = p.${q('account')}`
      + ` ${join} ${q('accounts')} a ON a.${q('host_id')} = b.${q('host_id')} AND a.${q('name')} = b.${q('account')}`
      + (x.ownerId === undefined ? '' : ` AND a.${q('owner_id')} = ?`)
      + ` LEFT JOIN ${q('users')} u ON u.${q('id')} = a.${q('owner_id')}`
      + ` ORDER BY ${order}`,
      x.ownerId === undefined ? params : [...params, x.ownerId]);
    // An account's rows are adjacent (the order is the page's, unique per account): group them.
    const out: PageAccount[] = [];
    let cur: PageAccount | null = null;
    for (const x of r) {
      if (cur === null || cur.account !== x.account) out.push(cur = { account: x.account, totalBytes: Number(x.total), hosts: [] });
      if (x.host_id == null) continue;
      cur.hosts.push({
        hostId: Number(x.host_id), bytes: Number(x.bytes),
        accountId: x.account_id == null ? null : Number(x.account_id), ownerId: x.owner_id == null ? null : Number(x.owner_id),
        ownerName: x.owner_id == null ? null : (x.owner_name || x.owner_email) ?? null,
      });
    }
    return out;
  }

  /** The keyset query of a page: `account` and `total` of each account, in the page's order. */
  private pageSql(x: UsageQuery): { sql: string; params: unknown[] } {
    return x.ownerId === undefined ? this.adminPage(x) : this.ownerPage(x, x.ownerId);
  }

  private adminPage(x: UsageQuery): { sql: string; params: unknown[] } {
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
    return { sql, params };
  }

  private ownerPage(x: UsageQuery, ownerId: number): { sql: string; params: unknown[] } {
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
    return { sql, params: [...params, ...hparams, x.limit] };
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
