/**
 * Databases for integration tests: a fresh SQLite file, or a fresh database on
 * the running MariaDB (MYSQL_URL, default mysql://root@127.0.0.1:3306), dropped
 * afterwards. A missing MariaDB fails the test with a clear message; it is never skipped.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import mysql from 'mysql2/promise';

export type DbKind = 'sqlite' | 'mysql';
export const MYSQL_BASE = process.env.MYSQL_URL ?? 'mysql://root@127.0.0.1:3306';

export interface TestDb { kind: DbKind; url: string; drop(): Promise<void> }

export async function createTestDb(kind: DbKind): Promise<TestDb> {
  if (kind === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'rackpulse-test-'));
    return { kind, url: `sqlite:${join(dir, 'hub.sqlite')}`, drop: async () => rmSync(dir, { recursive: true, force: true }) };
  }
  const name = `rackpulse_test_${randomBytes(4).toString('hex')}`;
  let conn;
  try {
    conn = await mysql.createConnection(MYSQL_BASE);
  } catch (err: any) {
    throw new Error(`MariaDB is required for this test and is not reachable at ${MYSQL_BASE}: ${err?.message}. Start it (see README, "Development").`);
  }
  await conn.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4`);
  await conn.end();
  return {
    kind, url: `${MYSQL_BASE}/${name}`,
    drop: async () => {
      const c = await mysql.createConnection(MYSQL_BASE);
      await c.query(`DROP DATABASE IF EXISTS \`${name}\``);
      await c.end();
    },
  };
}
