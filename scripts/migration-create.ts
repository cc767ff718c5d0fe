/**
 * Developer tool: writes a new migration for both dialects from the difference
 * between the entities and the migrated schema. Needs MariaDB at MYSQL_URL
 * (default mysql://root@127.0.0.1:3306); uses a throwaway database.
 * Usage: tsx scripts/migration-create.ts <Name>
 */
import { MikroORM } from '@mikro-orm/core';
import { rmSync } from 'node:fs';
import { ormOptions } from '../server/db/orm.js';

const name = process.argv[2];
if (!name || !/^[A-Z][A-Za-z0-9]+$/.test(name)) { console.error('usage: tsx scripts/migration-create.ts <PascalCaseName>'); process.exit(2); }
const base = process.env.MYSQL_URL ?? 'mysql://root@127.0.0.1:3306';
const targets = [
  { url: 'sqlite:/tmp/rackpulse-migration-create.sqlite', dir: 'server/db/migrations/sqlite' },
  { url: `${base}/rackpulse_migration_create`, dir: 'server/db/migrations/mysql' },
];
rmSync('/tmp/rackpulse-migration-create.sqlite', { force: true });
for (const t of targets) {
  const opts = ormOptions(t.url) as any;
  opts.migrations = { ...opts.migrations, path: t.dir, pathTs: t.dir, emit: 'ts', fileName: (ts: string) => `Migration${ts}${name}` };
  const orm = await MikroORM.init(opts);
  if (t.url.startsWith('mysql')) {
    await orm.schema.dropDatabase('rackpulse_migration_create').catch(() => {});
    await orm.schema.createDatabase('rackpulse_migration_create');
    await orm.close();
  }
  const orm2 = await MikroORM.init(opts);
  await orm2.getMigrator().up();
  const r = await orm2.getMigrator().createMigration(t.dir, false, false, name);
  console.log(t.dir, r.fileName || '(no changes)');
  if (t.url.startsWith('mysql')) await orm2.schema.dropDatabase('rackpulse_migration_create');
  await orm2.close();
}
process.exit(0);
