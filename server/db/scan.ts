/**
 * Reads a whole table in keyset batches with plain SQL, for the state a hub loads at start.
 * At fleet scale (a million accounts) hydrating ORM entities is what hurts: each keeps a
 * snapshot for change tracking, and 1.3 million `account_usage` rows took 42 s and 3.5 GB of
 * RSS that way. Batches also keep the driver from holding one result set of every row.
 */
import type { Knex } from '@mikro-orm/knex';
import type { Dialect } from './orm.js';

/** Rows per statement. */
const BATCH = 20_000;

/** Rows of a raw SELECT, for either driver. */
export function rowsOf<T>(r: any): T[] {
  return (Array.isArray(r) ? (Array.isArray(r[0]) ? r[0] : r) : (r?.rows ?? [])) as T[];
}

/** A BIGINT or DOUBLE column as a number, NULL kept (drivers may hand big integers back as strings). */
export const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

/**
 * Every row of `table` (the columns named), in key order, handed to `each` one batch at a time.
 * `key`: the table's primary key, one or two columns. Returns the number of rows.
 */
export async function scanTable<R extends Record<string, unknown>>(
  knex: Knex, dialect: Dialect, table: string, columns: readonly string[], key: readonly [string] | readonly [string, string],
  each: (rows: R[]) => void, batch = BATCH,
): Promise<number> {
  const q = dialect === 'mysql' ? (c: string) => `\`${c}\`` : (c: string) => `"${c}"`;
  const cols = [...new Set([...key, ...columns])].map(q).join(', ');
  const order = key.map(q).join(', ');
  const [k1, k2] = key.map(q);
  let last: Knex.RawBinding[] | null = null;
  let total = 0;
  for (;;) {
    let where = '', args: Knex.RawBinding[] = [];
    if (last) {
      if (k2 === undefined) { where = `WHERE ${k1} > ?`; args = [last[0]]; }
      else { where = `WHERE ${k1} > ? OR (${k1} = ? AND ${k2} > ?)`; args = [last[0], last[0], last[1]]; }
    }
    const rows = rowsOf<R>(await knex.raw(`SELECT ${cols} FROM ${q(table)} ${where} ORDER BY ${order} LIMIT ${batch}`, args));
    if (!rows.length) return total;
    total += rows.length;
    each(rows);
    if (rows.length < batch) return total;
    const end = rows[rows.length - 1];
    last = key.map((k) => end[k] as Knex.RawBinding);
  }
}
