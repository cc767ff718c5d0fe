/**
 * Group commit of queue pushes. The pushes that arrive in one turn of the event
 * loop, or while the database is busy with the previous batch, are stored by one
 * multi-row INSERT (one statement, one commit); each push is answered after that
 * commit, with its own id. A lone push waits for nothing: it is written at the end
 * of the turn it arrived in.
 *
 * The statement goes to the driver's connection (taken from and given back to the
 * ORM's pool), not through the query builder: on SQLite a prepared statement per
 * batch size is kept for each connection.
 *
 * Ids: a multi-row INSERT numbers its rows consecutively in their order on SQLite
 * (one writer holds the database for the whole statement) and on MySQL/MariaDB
 * when `innodb_autoinc_lock_mode` is 0 or 1 and `auto_increment_increment` is 1
 * (checked once). Otherwise (MySQL 8's default mode 2) the batch is one
 * transaction of single-row INSERTs: still one commit.
 */
import type { Knex } from '@mikro-orm/knex';
import type { Dialect } from '../db/orm.js';

export interface MessageRow { queue: string; body: string; at: number }

interface Pending { row: MessageRow; resolve(id: number): void; reject(err: unknown): void }

/** Most rows, and most body bytes, in one statement (MySQL's max_allowed_packet is 16 MiB or more). */
const MAX_ROWS = 256;
const MAX_BYTES = 4 * 1024 * 1024;

const COLUMNS = 'insert into queue_messages (queue, body, at) values ';
const sqlFor = (rows: number) => COLUMNS + Array.from({ length: rows }, () => '(?,?,?)').join(',');

export class MessageInserter {
  private pending: Pending[] = [];
  private scheduled = false;
  /** SQLite: prepared statements by row count, per driver connection (the pool replaces connections). */
  private statements = new WeakMap<object, Map<number, { run(params: unknown[]): { lastInsertRowid: number | bigint; changes: number } }>>();
  /** MySQL: whether one multi-row INSERT numbers its rows consecutively (null: not checked yet; tests may set it). */
  consecutive: boolean | null = null;

  /** Batches being written at once: one on SQLite (its writes are synchronous), a few on MySQL, whose own group commit joins their fsyncs. */
  private readonly maxInFlight: number;
  private inFlight = 0;

  constructor(private knex: Knex, private dialect: Dialect) {
    this.maxInFlight = dialect === 'mysql' ? 4 : 1;
  }

  /**
   * Store a message; resolves with its id once it is committed. Rows given together get growing ids in
   * the order given; a caller that needs that order across batches (one queue's pushes) waits for each.
   */
  insert(row: MessageRow): Promise<number> {
    return new Promise((resolve, reject) => {
      this.pending.push({ row, resolve, reject });
      if (!this.scheduled && this.inFlight < this.maxInFlight) {
        this.scheduled = true;
        setImmediate(() => { this.scheduled = false; this.drain(); });
      }
    });
  }

  /** Start batches while there are rows waiting and room for another batch. */
  private drain(): void {
    while (this.pending.length && this.inFlight < this.maxInFlight) {
      const batch = this.take();
      this.inFlight++;
      this.write(batch.map((p) => p.row)).then(
        (ids) => { for (let i = 0; i < batch.length; i++) batch[i].resolve(ids[i]); },
        (err) => { for (const p of batch) p.reject(err); },
      ).finally(() => { this.inFlight--; this.drain(); });
    }
  }

  private take(): Pending[] {
    let n = 0, bytes = 0;
    while (n < this.pending.length && n < MAX_ROWS) {
      const { body, queue } = this.pending[n].row;
      bytes += (body?.length ?? 0) * 3 + (queue?.length ?? 0);
      if (n > 0 && bytes > MAX_BYTES) break;
      n++;
    }
    return this.pending.splice(0, n);
  }

  private async write(rows: MessageRow[]): Promise<number[]> {
    const client = (this.knex as any).client;
    const conn = await client.acquireConnection();
    try {
      return this.dialect === 'sqlite' ? this.writeSqlite(conn, rows) : await this.writeMysql(conn, rows);
    } finally {
      await client.releaseConnection(conn);
    }
  }

  private writeSqlite(conn: any, rows: MessageRow[]): number[] {
    let byCount = this.statements.get(conn);
    if (!byCount) this.statements.set(conn, (byCount = new Map()));
    let stmt = byCount.get(rows.length);
    if (!stmt) byCount.set(rows.length, (stmt = conn.prepare(sqlFor(rows.length))));
    const r = stmt!.run(params(rows));
    if (r.changes !== rows.length) throw new Error(`queue insert stored ${r.changes} of ${rows.length} rows`);
    const first = Number(r.lastInsertRowid) - rows.length + 1;
    return rows.map((_, i) => first + i);
  }

  private async writeMysql(conn: any, rows: MessageRow[]): Promise<number[]> {
    if (this.consecutive === null) {
      const [v] = await query(conn, 'select @@innodb_autoinc_lock_mode as m, @@auto_increment_increment as i', []);
      this.consecutive = Number(v.m) < 2 && Number(v.i) === 1;
    }
    if (this.consecutive) {
      const r = await query(conn, sqlFor(rows.length), params(rows));
      if (r.affectedRows !== rows.length) throw new Error(`queue insert stored ${r.affectedRows} of ${rows.length} rows`);
      return rows.map((_, i) => Number(r.insertId) + i);
    }
    if (rows.length === 1) return [Number((await query(conn, sqlFor(1), params(rows))).insertId)];
    await query(conn, 'begin', []);
    try {
      const ids: number[] = [];
      for (const row of rows) ids.push(Number((await query(conn, sqlFor(1), params([row]))).insertId));
      await query(conn, 'commit', []);
      return ids;
    } catch (err) {
      await query(conn, 'rollback', []).catch(() => {});
      throw err;
    }
  }
}

function params(rows: MessageRow[]): unknown[] {
  const out: unknown[] = [];
  for (const r of rows) out.push(r.queue, r.body, r.at);
  return out;
}

/** One statement on a mysql2 (callback) connection. */
function query(conn: any, sql: string, values: unknown[]): Promise<any> {
  return new Promise((resolve, reject) => conn.query(sql, values, (err: unknown, res: any) => (err ? reject(err) : resolve(res))));
}
