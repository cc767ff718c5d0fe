/**
 * The one place where SQLite and MySQL/MariaDB differ: driver choice,
 * connection options, migrations, and the SQL spelling of an upsert.
 */
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { MikroORM, type Options } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/knex';
import { LibSqlDriver } from '@mikro-orm/libsql';
import { MySqlDriver } from '@mikro-orm/mysql';
import { Migrator } from '@mikro-orm/migrations';
import { entities } from './entities.js';
import { mysqlMigrations, sqliteMigrations } from './migrations/index.js';

export type Dialect = 'sqlite' | 'mysql';
export type Orm = MikroORM;
export type Em = EntityManager;

export function dialectOf(databaseUrl: string): Dialect {
  return databaseUrl.startsWith('mysql://') ? 'mysql' : 'sqlite';
}

/** MikroORM options for a DATABASE_URL (`sqlite:<path>` or `mysql://…`). */
export function ormOptions(databaseUrl: string): Options {
  const dialect = dialectOf(databaseUrl);
  const common = {
    entities,
    extensions: [Migrator],
    allowGlobalContext: false,
    debug: false,
    discovery: { warnWhenNoEntities: true },
  } satisfies Options;
  if (dialect === 'mysql') {
    return {
      ...common,
      driver: MySqlDriver,
      clientUrl: databaseUrl,
      pool: { min: 1, max: 8, acquireTimeoutMillis: 5000 },
      // mysql2: fail fast when the server is unreachable instead of hanging on a dead connection.
      driverOptions: { connection: { connectTimeout: 5000, supportBigNumbers: true, bigNumberStrings: false } },
      // MySQL commits DDL implicitly, so a migration cannot be wrapped in a transaction there.
      migrations: { migrationsList: mysqlMigrations, tableName: 'mikro_orm_migrations', transactional: false, snapshot: false, silent: true },
    } as Options;
  }
  const path = databaseUrl.slice('sqlite:'.length);
  if (path !== ':memory:') mkdirSync(dirname(resolve(path)), { recursive: true });
  return {
    ...common,
    driver: LibSqlDriver,
    dbName: path,
    migrations: { migrationsList: sqliteMigrations, tableName: 'mikro_orm_migrations', transactional: true, snapshot: false, silent: true },
  } as Options;
}

/** Open the database and bring its schema up to date with the migrations. */
export async function openDatabase(databaseUrl: string): Promise<Orm> {
  const orm = await MikroORM.init(ormOptions(databaseUrl));
  if (dialectOf(databaseUrl) === 'sqlite') {
    // WAL lets the dashboards read while ingest writes; NORMAL sync is durable across a process crash.
    const conn = orm.em.getConnection();
    await conn.execute('PRAGMA journal_mode = WAL');
    await conn.execute('PRAGMA synchronous = NORMAL');
    await conn.execute('PRAGMA busy_timeout = 5000');
  }
  await orm.getMigrator().up();
  return orm;
}

/**
 * `INSERT … ON CONFLICT/DUPLICATE KEY UPDATE` for many rows at once.
 * `merge` maps a column to its update expression, written with `NEW(col)` for the
 * incoming value and `OLD(col)` for the stored one; both dialects' spellings are made here.
 */
export function upsertSql(dialect: Dialect, table: string, columns: string[], keys: string[], rows: number, merge: Record<string, string>): string {
  const q = (c: string) => (dialect === 'mysql' ? `\`${c}\`` : `"${c}"`);
  const tuple = `(${columns.map(() => '?').join(',')})`;
  const values = Array.from({ length: rows }, () => tuple).join(',');
  const expr = (e: string) => e
    .replace(/NEW\((\w+)\)/g, (_, c) => (dialect === 'mysql' ? `VALUES(${q(c)})` : `excluded.${q(c)}`))
    .replace(/OLD\((\w+)\)/g, (_, c) => (dialect === 'mysql' ? `${q(table)}.${q(c)}` : `${q(table)}.${q(c)}`))
    .replace(/\bGREATEST\b/g, dialect === 'mysql' ? 'GREATEST' : 'MAX')
    .replace(/\bLEAST\b/g, dialect === 'mysql' ? 'LEAST' : 'MIN');
  const sets = Object.entries(merge).map(([c, e]) => `${q(c)} = ${expr(e)}`).join(', ');
  const head = `INSERT INTO ${q(table)} (${columns.map(q).join(',')}) VALUES ${values}`;
  return dialect === 'mysql'
    ? `${head} ON DUPLICATE KEY UPDATE ${sets}`
    : `${head} ON CONFLICT (${keys.map(q).join(',')}) DO UPDATE SET ${sets}`;
}
