/**
 * Keeps the usage tables (server/usage/usage.entities.ts) exact, incrementally, inside the
 * ingest commit's transaction: for each changed (account, host) it reads the stored bytes,
 * writes the new ones and adds the difference to the account's total, the host's total and
 * the fleet row. Unchanged figures (most of every snapshot) cost one read per 200 rows and no
 * write. On MySQL the stored rows are read `FOR UPDATE`, so a host deleted by another hub at
 * the same time waits for this commit (and the other way round) and every delta is applied once.
 */
import type { Knex } from '@mikro-orm/knex';
import { upsertSql, type Dialect } from '../db/orm.js';
import { FLEET_ROW } from './usage.entities.js';
import { rowsOf } from '../db/scan.js';

/** The latest bytes of one account on one host. */
export interface UsageFigure { hostId: number; account: string; bytes: number }

/** Rows per statement, like the rest of the commit. */
const CHUNK = 200;
const yieldToLoop = () => new Promise<void>((r) => setImmediate(r));

/** Rows a raw DELETE/UPDATE touched, for either driver. */
export function affectedRows(r: any): number {
  if (Array.isArray(r)) return Number(r[0]?.affectedRows ?? 0);
  return Number(r?.rowsAffected ?? r?.changes ?? 0);
}


export class UsageWriter {
  private readonly q: (c: string) => string;
  private readonly lock: string;

  constructor(private readonly dialect: Dialect) {
    this.q = dialect === 'mysql' ? (c) => `\`${c}\`` : (c) => `"${c}"`;
    this.lock = dialect === 'mysql' ? ' FOR UPDATE' : '';
  }

  /**
   * How the database tells names apart: MySQL's default collation ignores case and trailing
   * spaces, so "Alice" and "alice" are one key there (and two on SQLite).
   */
  key(account: string): string {
    return this.dialect === 'mysql' ? account.toLowerCase().replace(/ +$/, '') : account;
  }

  /** Store the latest bytes of each (host, account) and apply the differences to the totals. Later figures for the same key win. */
  async apply(trx: Knex.Transaction, figures: readonly UsageFigure[]): Promise<void> {
    const latest = new Map<string, UsageFigure>();
    for (const f of figures) {
      const k = `${f.hostId}\u0000${this.key(f.account)}`;
      latest.delete(k); // keep arrival order of the last figure
      latest.set(k, f);
    }
    const rows = [...latest.values()].sort((a, b) => a.hostId - b.hostId || (a.account < b.account ? -1 : a.account > b.account ? 1 : 0));
    const hostDelta = new Map<number, { bytes: number; accounts: number }>();
    let fleetBytes = 0, fleetAccounts = 0;
    const { q } = this;

    for (let i = 0; i < rows.length; i += CHUNK) {
      const part = rows.slice(i, i + CHUNK);
      // Stored bytes of this chunk's keys, one statement per host (mostly one host per chunk).
      const old = new Map<string, number>();
      const byHost = new Map<number, string[]>();
      for (const f of part) { let l = byHost.get(f.hostId); if (!l) byHost.set(f.hostId, (l = [])); l.push(f.account); }
      for (const [hostId, names] of byHost) {
        const r = await trx.raw(
          `SELECT ${q('account')} AS account, ${q('bytes')} AS bytes FROM ${q('usage_bytes')} WHERE ${q('host_id')} = ? AND ${q('account')} IN (${names.map(() => '?').join(',')})${this.lock}`,
          [hostId, ...names]);
        for (const x of rowsOf<{ account: string; bytes: number | string }>(r)) old.set(`${hostId}\u0000${this.key(x.account)}`, Number(x.bytes));
      }
      const changed: { f: UsageFigure; delta: number; isNew: boolean }[] = [];
      for (const f of part) {
        const before = old.get(`${f.hostId}\u0000${this.key(f.account)}`);
        if (before === f.bytes) continue;
        changed.push({ f, delta: f.bytes - (before ?? 0), isNew: before === undefined });
      }
      if (!changed.length) continue;

      // Accounts seen on no host before: they start to count in the fleet row.
      const newNames = [...new Set(changed.filter((c) => c.isNew).map((c) => c.f.account))];
      if (newNames.length) {
        const r = await trx.raw(
          `SELECT ${q('account')} AS account FROM ${q('usage_totals')} WHERE ${q('account')} IN (${newNames.map(() => '?').join(',')})${this.lock}`, newNames);
        const known = new Set(rowsOf<{ account: string }>(r).map((x) => this.key(x.account)));
        fleetAccounts += new Set(newNames.map((n) => this.key(n)).filter((k) => !known.has(k))).size;
      }

      await trx.raw(upsertSql(this.dialect, 'usage_bytes', ['account', 'host_id', 'bytes'], ['account', 'host_id'], changed.length, { bytes: 'NEW(bytes)' }),
        changed.flatMap((c) => [c.f.account, c.f.hostId, c.f.bytes]));

      const perAccount = new Map<string, { account: string; delta: number; hosts: number }>();
      for (const c of changed) {
        const k = this.key(c.f.account);
        const a = perAccount.get(k) ?? { account: c.f.account, delta: 0, hosts: 0 };
        a.delta += c.delta; a.hosts += c.isNew ? 1 : 0;
        perAccount.set(k, a);
        const h = hostDelta.get(c.f.hostId) ?? { bytes: 0, accounts: 0 };
        h.bytes += c.delta; h.accounts += c.isNew ? 1 : 0;
        hostDelta.set(c.f.hostId, h);
        fleetBytes += c.delta;
      }
      const totals = [...perAccount.values()];
      await trx.raw(upsertSql(this.dialect, 'usage_totals', ['account', 'total_bytes', 'hosts'], ['account'], totals.length,
        { total_bytes: 'OLD(total_bytes) + NEW(total_bytes)', hosts: 'OLD(hosts) + NEW(hosts)' }),
      totals.flatMap((a) => [a.account, a.delta, a.hosts]));
      await yieldToLoop();
    }
    if (hostDelta.size) await this.addHostTotals(trx, [...hostDelta].map(([hostId, d]) => [hostId, d.bytes, d.accounts]), fleetBytes, fleetAccounts);
  }

  /** Remove every figure of a host (it was deleted) and take it out of the totals. */
  async removeHost(trx: Knex.Transaction, hostId: number): Promise<void> {
    const { q } = this;
    let fleetBytes = 0, fleetAccounts = 0;
    for (;;) {
      // Always the first rows left: the previous chunk is deleted.
      const r = await trx.raw(
        `SELECT ${q('account')} AS account, ${q('bytes')} AS bytes FROM ${q('usage_bytes')} WHERE ${q('host_id')} = ? ORDER BY ${q('account')} LIMIT ${CHUNK}${this.lock}`, [hostId]);
      const part = rowsOf<{ account: string; bytes: number | string }>(r).map((x) => ({ account: x.account, bytes: Number(x.bytes) }));
      if (!part.length) break;
      const names = part.map((x) => x.account), marks = names.map(() => '?').join(',');
      await trx.raw(`DELETE FROM ${q('usage_bytes')} WHERE ${q('host_id')} = ? AND ${q('account')} IN (${marks})`, [hostId, ...names]);
      await trx.raw(upsertSql(this.dialect, 'usage_totals', ['account', 'total_bytes', 'hosts'], ['account'], part.length,
        { total_bytes: 'OLD(total_bytes) + NEW(total_bytes)', hosts: 'OLD(hosts) + NEW(hosts)' }),
      part.flatMap((x) => [x.account, -x.bytes, -1]));
      fleetAccounts -= affectedRows(await trx.raw(`DELETE FROM ${q('usage_totals')} WHERE ${q('account')} IN (${marks}) AND ${q('hosts')} <= 0`, names));
      for (const x of part) fleetBytes -= x.bytes;
      await yieldToLoop();
    }
    await trx.raw(`DELETE FROM ${q('host_usage_totals')} WHERE ${q('host_id')} = ?`, [hostId]);
    if (fleetBytes || fleetAccounts) await this.addHostTotals(trx, [], fleetBytes, fleetAccounts);
  }

  private async addHostTotals(trx: Knex.Transaction, hosts: [number, number, number][], fleetBytes: number, fleetAccounts: number): Promise<void> {
    // Hosts in id order, the fleet row (0) first: the same lock order in every transaction.
    const rows: [number, number, number][] = [[FLEET_ROW, fleetBytes, fleetAccounts], ...hosts.sort((a, b) => a[0] - b[0])];
    await trx.raw(upsertSql(this.dialect, 'host_usage_totals', ['host_id', 'bytes', 'accounts'], ['host_id'], rows.length,
      { bytes: 'OLD(bytes) + NEW(bytes)', accounts: 'OLD(accounts) + NEW(accounts)' }), rows.flat());
  }
}
