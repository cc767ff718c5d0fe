/**
 * MessageInserter (group commit of queue pushes) on SQLite and MariaDB: pushes that come together share
 * one statement, and each is answered with the id its row got.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { dialectOf, openDatabase, type Orm } from '../../server/db/orm.js';
import { MessageInserter } from '../../server/queue/queue.inserts.js';
import { createTestDb, type DbKind, type TestDb } from '../helpers/db.js';

for (const kind of ['sqlite', 'mysql'] as DbKind[]) {
  for (const multiRow of kind === 'mysql' ? [true, false] : [true]) {
    const s = suite(`MessageInserter (${kind}${kind === 'mysql' ? (multiRow ? ', one multi-row INSERT' : ', single-row INSERTs in one transaction') : ''})`,
      {} as { db: TestDb; orm: Orm; knex: any });
    s.before(async (ctx) => {
      ctx.db = await createTestDb(kind);
      ctx.orm = await openDatabase(ctx.db.url);
      ctx.knex = (ctx.orm.em as any).getKnex();
    });
    s.after(async (ctx) => {
      await ctx.orm.close(true);
      await ctx.db.drop();
    });

    const check = async (ctx: { knex: any }, rows: { queue: string; body: string; at: number }[], ids: number[]) => {
      assert.is(new Set(ids).size, ids.length, 'ids are unique');
      const stored = await ctx.knex('queue_messages').select('id', 'queue', 'body', 'at').whereIn('id', ids);
      const byId = new Map(stored.map((r: any) => [Number(r.id), r]));
      rows.forEach((r, i) => {
        const got: any = byId.get(ids[i]);
        assert.ok(got, `row ${i} stored`);
        assert.equal([got.queue, got.body, Number(got.at)], [r.queue, r.body, r.at]);
      });
    };

    s('should answer each of many pushes made at once with the id of its own row, growing in push order', async (ctx) => {
      const ins = new MessageInserter(ctx.knex, dialectOf(ctx.db.url));
      if (kind === 'mysql') ins.consecutive = multiRow;
      const rows = Array.from({ length: 200 }, (_, i) => ({ queue: `q${i % 7}`, body: JSON.stringify({ i }), at: 1000 + i }));
      const ids = await Promise.all(rows.map((r) => ins.insert(r)));
      for (let i = 1; i < ids.length; i++) assert.ok(ids[i] > ids[i - 1], `id ${i} after id ${i - 1}`);
      await check(ctx, rows, ids);
    });

    s('should store more pushes than one statement takes, in several batches (side by side on MySQL), each with its own id', async (ctx) => {
      const ins = new MessageInserter(ctx.knex, dialectOf(ctx.db.url));
      if (kind === 'mysql') ins.consecutive = multiRow;
      const rows = Array.from({ length: 1500 }, (_, i) => ({ queue: `b${i % 11}`, body: JSON.stringify({ i, pad: 'x'.repeat(i % 300) }), at: 5000 + i }));
      await check(ctx, rows, await Promise.all(rows.map((r) => ins.insert(r))));
    });

    s('should give a lone push its id at once, and reject a batch the database refuses without losing later ones', async (ctx) => {
      const ins = new MessageInserter(ctx.knex, dialectOf(ctx.db.url));
      if (kind === 'mysql') ins.consecutive = multiRow;
      const id = await ins.insert({ queue: 'lone', body: '"x"', at: 1 });
      assert.ok(id > 0);
      // A NULL body violates NOT NULL: its batch fails as a whole.
      let refused = false;
      try { await ins.insert({ queue: 'bad', body: null as unknown as string, at: 1 }); } catch { refused = true; }
      assert.ok(refused, 'a NULL body is refused');
      const after = await ins.insert({ queue: 'lone', body: '"y"', at: 2 });
      assert.ok(after > id);
    });

    s.run();
  }
}
