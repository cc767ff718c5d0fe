/**
 * Alert ids, unique across every hub sharing the database: a hub reserves a block of BLOCK ids
 * with one update of `id_blocks` (row `alerts`, created at one past the largest stored alert id)
 * and hands them out from memory, so the engine gets an id synchronously. The next block is
 * reserved in the background when half of the current one is used. While no id is at hand (the
 * database has been away for a whole block) `next()` returns null and the alert opens on a later
 * observation. Unused ids of a block are skipped after a restart: ids grow, with gaps.
 */
import type { Orm } from '../db/orm.js';
import type { Logger } from '../logger.js';

/** Ids reserved at a time. */
export const BLOCK = 100;
const SPACE = 'alerts';

export class AlertIds {
  private blocks: [number, number][] = [];
  private reserving: Promise<void> | null = null;

  constructor(private orm: Orm, private log: Logger) {}

  /** Reserve the first block (at start). */
  async load(): Promise<void> { await this.reserve(); }

  /** The next id, or null when none is reserved yet. */
  next(): number | null {
    while (this.blocks.length && this.blocks[0][0] >= this.blocks[0][1]) this.blocks.shift();
    const b = this.blocks[0];
    const left = this.blocks.reduce((n, [lo, hi]) => n + hi - lo, 0);
    if (left <= BLOCK / 2 && !this.reserving) void this.reserve().catch((err) => this.log.warn({ err: err?.message }, 'could not reserve alert ids; retrying when the next alert opens'));
    if (!b) return null;
    return b[0]++;
  }

  private reserve(): Promise<void> {
    this.reserving ??= (async () => {
      const knex = (this.orm.em as any).getKnex();
      const hi: number = await knex.transaction(async (trx: any) => {
        const top = await trx('alerts').max({ m: 'id' });
        await trx('id_blocks').insert({ name: SPACE, next_id: Number(top[0]?.m ?? 0) + 1 }).onConflict('name').ignore();
        await trx('id_blocks').where({ name: SPACE }).increment('next_id', BLOCK);
        const row = await trx('id_blocks').where({ name: SPACE }).first('next_id');
        return Number(row.next_id);
      });
      this.blocks.push([hi - BLOCK, hi]);
    })().finally(() => { this.reserving = null; });
    return this.reserving;
  }
}
