/**
 * Migrations, listed explicitly so they load the same under tsx and in a bundle.
 * One list per dialect; `npx tsx scripts/migration-create.ts <Name>` writes a new one for both.
 */
import { Migration20261122113908_Initial as SqliteInitial } from './sqlite/Migration20261122113908Initial.js';
import { Migration20261122113908_Initial as MysqlInitial } from './mysql/Migration20261122113908Initial.js';

type MigrationEntry = { name: string; class: any };
export const sqliteMigrations: MigrationEntry[] = [{ name: 'Migration20261122113908Initial', class: SqliteInitial }];
export const mysqlMigrations: MigrationEntry[] = [{ name: 'Migration20261122113908Initial', class: MysqlInitial }];
