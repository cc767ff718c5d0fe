import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { dialectOf, upsertSql } from '../../../../server/db/orm.js';

const count = (s: string, needle: string) => s.split(needle).length - 1;

const COLS = ['host_id', 'tier', 'bucket', 'count', 'load1_min', 'load1_max'];
const KEYS = ['host_id', 'tier', 'bucket'];
const MERGE = {
  count: 'OLD(count) + NEW(count)',
  load1_min: 'LEAST(OLD(load1_min), NEW(load1_min))',
  load1_max: 'GREATEST(OLD(load1_max), NEW(load1_max))',
};

// ---------------------------------------------------------------------------
const up = suite('upsertSql');

up('should write one placeholder per column and row', () => {
  for (const dialect of ['sqlite', 'mysql'] as const) {
    for (const rows of [1, 2, 50]) {
      const sql = upsertSql(dialect, 'rollups', COLS, KEYS, rows, MERGE);
      assert.is(count(sql, '?'), rows * COLS.length, `${dialect} × ${rows}`);
      assert.is(count(sql, '(?,?,?,?,?,?)'), rows, `${dialect} × ${rows} tuples`);
    }
  }
});

up('should spell a one-row sqlite upsert with ON CONFLICT, excluded and the table name', () => {
  const sql = upsertSql('sqlite', 'host_status', ['host_id', 'latest'], ['host_id'], 1, { latest: 'NEW(latest)' });
  assert.is(sql, 'INSERT INTO "host_status" ("host_id","latest") VALUES (?,?) ON CONFLICT ("host_id") DO UPDATE SET "latest" = excluded."latest"');
});

up('should spell a one-row mysql upsert with ON DUPLICATE KEY UPDATE and VALUES()', () => {
  const sql = upsertSql('mysql', 'host_status', ['host_id', 'latest'], ['host_id'], 1, { latest: 'NEW(latest)' });
  assert.is(sql, 'INSERT INTO `host_status` (`host_id`,`latest`) VALUES (?,?) ON DUPLICATE KEY UPDATE `latest` = VALUES(`latest`)');
});

up('should use MIN/MAX, excluded."c" and "table"."c" for sqlite', () => {
  const sql = upsertSql('sqlite', 'rollups', COLS, KEYS, 2, MERGE);
  assert.ok(sql.startsWith('INSERT INTO "rollups" ("host_id","tier","bucket","count","load1_min","load1_max") VALUES '), sql);
  assert.ok(sql.includes(' ON CONFLICT ("host_id","tier","bucket") DO UPDATE SET '), sql);
  assert.ok(sql.includes('"count" = "rollups"."count" + excluded."count"'), sql);
  assert.ok(sql.includes('"load1_min" = MIN("rollups"."load1_min", excluded."load1_min")'), sql);
  assert.ok(sql.includes('"load1_max" = MAX("rollups"."load1_max", excluded."load1_max")'), sql);
  for (const mysqlOnly of ['LEAST', 'GREATEST', 'DUPLICATE', 'VALUES(', '`', 'NEW(', 'OLD(']) assert.not.ok(sql.includes(mysqlOnly), mysqlOnly);
});

up('should use GREATEST/LEAST, VALUES(`c`) and `table`.`c` for mysql', () => {
  const sql = upsertSql('mysql', 'rollups', COLS, KEYS, 2, MERGE);
  assert.ok(sql.startsWith('INSERT INTO `rollups` (`host_id`,`tier`,`bucket`,`count`,`load1_min`,`load1_max`) VALUES '), sql);
  assert.ok(sql.includes(' ON DUPLICATE KEY UPDATE '), sql);
  assert.ok(sql.includes('`count` = `rollups`.`count` + VALUES(`count`)'), sql);
  assert.ok(sql.includes('`load1_min` = LEAST(`rollups`.`load1_min`, VALUES(`load1_min`))'), sql);
  assert.ok(sql.includes('`load1_max` = GREATEST(`rollups`.`load1_max`, VALUES(`load1_max`))'), sql);
  for (const sqliteOnly of ['ON CONFLICT', 'excluded', 'MIN(', 'MAX(', '"', 'NEW(', 'OLD(']) assert.not.ok(sql.includes(sqliteOnly), sqliteOnly);
});

up('should set the merged columns only, in the order given, separated by commas', () => {
  const sql = upsertSql('sqlite', 't', ['k', 'a', 'b', 'c'], ['k'], 1, { b: 'NEW(b)', a: 'OLD(a)' });
  assert.ok(sql.endsWith('DO UPDATE SET "b" = excluded."b", "a" = "t"."a"'), sql);
  assert.not.ok(sql.includes('"c" ='), sql);
  assert.not.ok(sql.includes('"k" ='), sql);
});

up('should only rewrite whole GREATEST/LEAST words, not column names that contain them', () => {
  const sql = upsertSql('sqlite', 't', ['k', 'GREATEST_SEEN'], ['k'], 1, { GREATEST_SEEN: 'GREATEST(OLD(GREATEST_SEEN), NEW(GREATEST_SEEN))' });
  assert.ok(sql.endsWith('"GREATEST_SEEN" = MAX("t"."GREATEST_SEEN", excluded."GREATEST_SEEN")'), sql);
});

up('should leave the update expression alone apart from NEW/OLD and the function names', () => {
  const sql = upsertSql('mysql', 't', ['k', 'n'], ['k'], 1, { n: 'COALESCE(NEW(n), OLD(n), 0) * 2' });
  assert.ok(sql.endsWith('`n` = COALESCE(VALUES(`n`), `t`.`n`, 0) * 2'), sql);
});

// ---------------------------------------------------------------------------
const dia = suite('dialectOf');

dia('should read mysql:// URLs as mysql', () => {
  assert.is(dialectOf('mysql://rackpulse:secret@127.0.0.1:3306/rackpulse'), 'mysql');
  assert.is(dialectOf('mysql://localhost/db'), 'mysql');
});

dia('should read sqlite: URLs, :memory: included, as sqlite', () => {
  assert.is(dialectOf('sqlite:data/rackpulse.sqlite'), 'sqlite');
  assert.is(dialectOf('sqlite::memory:'), 'sqlite');
  assert.is(dialectOf('sqlite:/var/lib/rackpulse/mysql://x.sqlite'), 'sqlite');
});

up.run();
dia.run();
