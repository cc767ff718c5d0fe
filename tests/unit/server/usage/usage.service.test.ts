import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { FLEET_TOTALS_MAX_AGE_MS, FLEET_TOTALS_REFRESH_MS, UsageService } from '../../../../server/usage/usage.service.js';

/** A service over a fake database whose fleet row holds `s.bytes`; with `s.hold` reads hang until `release()` (and answer what they saw when they began). */
function setup() {
  const s = { clock: 0, version: 0, bytes: 100, reads: 0, hold: false, fail: false, held: [] as (() => void)[] };
  const knex = {
    raw: async () => {
      s.reads++;
      if (s.fail) throw new Error('database unreachable');
      const rows = [[{ host_id: 0, bytes: s.bytes, accounts: 1 }]];
      if (s.hold) await new Promise<void>((r) => s.held.push(r));
      return rows;
    },
  };
  const orm = { em: { getKnex: () => knex } } as any;
  const fleet = { hosts: new Map() } as any;
  const svc = new UsageService(orm, 'mysql', fleet, () => s.version, () => s.clock);
  const admin = { userId: 1, admin: true };
  const totals = async () => (await svc.totals(admin)).bytes;
  const release = async () => { for (const r of s.held.splice(0)) r(); await new Promise((r) => setImmediate(r)); };
  return { s, totals, release };
}

const test = suite('UsageService.totals');
test('should answer the fleet\'s totals from memory until they are refreshed, then read again once this hub writes', async () => {
  const { s, totals } = setup();
  assert.is(await totals(), 100);
  s.bytes = 200;
  s.clock = FLEET_TOTALS_REFRESH_MS - 1;
  assert.is(await totals(), 100);
  assert.is(s.reads, 1);
  s.version++;
  assert.is(await totals(), 200);
  assert.is(s.reads, 2);
});

test('should read again in the background once they are FLEET_TOTALS_REFRESH_MS old, answering from memory meanwhile', async () => {
  const { s, totals, release } = setup();
  await totals();
  s.bytes = 200; s.hold = true;
  s.clock = FLEET_TOTALS_REFRESH_MS;
  assert.is(await totals(), 100, 'the kept totals answer while the read runs');
  assert.is(await totals(), 100);
  assert.is(s.reads, 2, 'one background read');
  await release();
  s.hold = false;
  s.clock = FLEET_TOTALS_MAX_AGE_MS + 1; // past the first read's age, not the second's
  assert.is(await totals(), 200);
  assert.is(s.reads, 2);
});

test('should never answer totals read more than FLEET_TOTALS_MAX_AGE_MS ago, nor let an older background read replace newer totals', async () => {
  const { s, totals, release } = setup();
  await totals();
  s.hold = true;
  s.clock = FLEET_TOTALS_REFRESH_MS;
  await totals(); // a background read begins, and hangs
  s.hold = false; s.bytes = 300;
  s.clock = FLEET_TOTALS_MAX_AGE_MS;
  assert.is(await totals(), 300, 'expired: read at once');
  assert.is(s.reads, 3);
  await release(); // the hung read ends with what it saw at its start
  assert.is(await totals(), 300);
  assert.is(s.reads, 3);
});

test('should keep answering the kept totals when a background read fails, and try again on the next request', async () => {
  const { s, totals } = setup();
  await totals();
  s.fail = true; s.bytes = 400;
  s.clock = FLEET_TOTALS_REFRESH_MS;
  assert.is(await totals(), 100);
  await new Promise((r) => setImmediate(r));
  s.fail = false;
  assert.is(await totals(), 100);
  await new Promise((r) => setImmediate(r));
  assert.is(s.reads, 3, 'a second background read after the failed one');
  assert.is(await totals(), 400);
});

test.run();
