/** Migrations build exactly the schema the entities describe, on both dialects. */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { openDatabase } from '../../server/db/orm.js';
import { createTestDb } from '../helpers/db.js';
import { mysqlMigrations, sqliteMigrations } from '../../server/db/migrations/index.js';

for (const kind of ['sqlite', 'mysql'] as const) {
  const test = suite(`migrations (${kind})`);
  test('should leave no difference between the migrated schema and the entities', async () => {
    const db = await createTestDb(kind);
    try {
      const orm = await openDatabase(db.url);
      let diff = await orm.schema.getUpdateSchemaSQL({ wrap: false });
      // MariaDB reports a nullable VARCHAR's or TEXT's default as the string 'NULL', which MikroORM 6's MySQL
      // comparator reads as a change and answers with `modify <col> varchar(n)` (or `text`) where the column
      // already has that type. Only such no-op statements are ignored; a changed length still fails.
      if (kind === 'mysql') {
        const cols: { t: string; c: string; type: string }[] = await orm.em.getConnection().execute(
          'select table_name as t, column_name as c, column_type as type from information_schema.columns where table_schema = database()');
        const typeOf = (table: string, col: string) => cols.find((x) => x.t === table && x.c === col)?.type;
        diff = diff.split('\n').filter((line) => {
          const m = /^alter table `(\w+)` (.*);$/.exec(line.trim());
          if (!m) return true;
          const mods = m[2].split(', ').map((x) => /^modify `(\w+)` (varchar\(\d+\)|text)$/.exec(x));
          return !mods.every((x) => x && typeOf(m[1], x[1]) === x[2]);
        }).join('\n');
      }
      await orm.close(true);
      assert.is(diff.trim(), '', `schema drift:\n${diff}`);
    } finally {
      await db.drop();
    }
  });
  test('should be idempotent when the hub starts again on a migrated database', async () => {
    const db = await createTestDb(kind);
    try {
      await (await openDatabase(db.url)).close(true);
      const orm = await openDatabase(db.url);
      const executed = await orm.getMigrator().getExecutedMigrations();
      await orm.close(true);
      assert.is(executed.length, (kind === "sqlite" ? sqliteMigrations : mysqlMigrations).length);
    } finally {
      await db.drop();
    }
  });
  test.run();
}
