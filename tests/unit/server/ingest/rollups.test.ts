import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { RETENTION_S, RollupAccumulator, sampleValues, TIERS, tierFor, type RollupDelta } from '../../../../server/ingest/rollups.js';

/** 2023-11-14T00:00:00Z: 19675 × 86400, so a bucket start in every tier. */
const DAY = 1_699_920_000;
assert.is(DAY % 86_400, 0);
const ms = (s: number) => s * 1000;

/** Seven metric values (load1, cpuPct, memUsedBytes, netRxBps, netTxBps, diskReadBps, diskWriteBps). */
const A = [1, 10, 100, 5, 6, 7, 8];
const B = [3, 30, 50, 5, 0, 9, 2];
const C = [2, 90, 75, 1, 4, 8, 3];

/** A plain view of a delta for deep equality. */
const view = (d: RollupDelta) => ({ hostId: d.hostId, tier: d.tier, bucket: d.bucket, count: d.count, sum: [...d.sum], min: [...d.min], max: [...d.max] });
const byKey = (ds: RollupDelta[]) => new Map(ds.map((d) => [`${d.hostId}:${d.tier}:${d.bucket}`, view(d)]));

// ---------------------------------------------------------------------------
const consts = suite('TIERS');

consts('should list 1 min, 30 min and 1 day buckets, finest first', () => {
  assert.equal([...TIERS], [60, 1800, 86_400]);
});

// ---------------------------------------------------------------------------
const ret = suite('RETENTION_S');

ret('should keep 1 min buckets 48 h, 30 min buckets 90 days and 1 day buckets 2 years', () => {
  assert.is(RETENTION_S[60], 2 * 86_400);
  assert.is(RETENTION_S[1800], 90 * 86_400);
  assert.is(RETENTION_S[86_400], 730 * 86_400);
});

// ---------------------------------------------------------------------------
const sv = suite('sampleValues');

sv('should pick the rollup metrics in ROLLUP_METRICS order', () => {
  const s = { load1: 1.5, cpuPct: 42, memUsedBytes: 3e9, netRxBps: 100, netTxBps: 200, diskReadBps: 300, diskWriteBps: 400 };
  assert.equal(sampleValues(s), [1.5, 42, 3e9, 100, 200, 300, 400]);
});

// ---------------------------------------------------------------------------
const add = suite('RollupAccumulator.add');

add('should put one sample in one bucket per tier, floored to the bucket start', () => {
  const acc = new RollupAccumulator();
  // DAY + 1830.999 s: minute DAY+1800, half-hour DAY+1800, day DAY.
  acc.add(1, ms(DAY + 1830) + 999, A);
  const got = byKey(acc.drain());
  assert.equal([...got.keys()].sort(), [`1:1800:${DAY + 1800}`, `1:60:${DAY + 1800}`, `1:86400:${DAY}`].sort());
  for (const d of got.values()) assert.equal(d, { ...d, count: 1, sum: A, min: A, max: A });
});

add('should floor by the sample time in seconds, not round', () => {
  const acc = new RollupAccumulator();
  acc.add(1, ms(DAY + 59) + 999, A); // last ms of the first minute
  acc.add(1, ms(DAY + 60), B);       // first ms of the second minute
  const got = byKey(acc.drain());
  assert.is(got.get(`1:60:${DAY}`)?.count, 1);
  assert.equal(got.get(`1:60:${DAY}`)?.sum, A);
  assert.is(got.get(`1:60:${DAY + 60}`)?.count, 1);
  assert.equal(got.get(`1:60:${DAY + 60}`)?.sum, B);
  assert.is(got.get(`1:1800:${DAY}`)?.count, 2);
});

add('should put a sample at a day boundary in the new day, not the previous one', () => {
  const acc = new RollupAccumulator();
  acc.add(1, ms(DAY), A);
  acc.add(1, ms(DAY) - 1, B);
  const got = byKey(acc.drain());
  assert.equal(got.get(`1:86400:${DAY}`)?.sum, A);
  assert.equal(got.get(`1:86400:${DAY - 86_400}`)?.sum, B);
  assert.equal(got.get(`1:1800:${DAY - 1800}`)?.sum, B);
  assert.equal(got.get(`1:60:${DAY - 60}`)?.sum, B);
});

add('should keep exact count, sum, min and max of samples in the same bucket', () => {
  const acc = new RollupAccumulator();
  acc.add(1, ms(DAY + 1), A);
  acc.add(1, ms(DAY + 2), B);
  acc.add(1, ms(DAY + 3), C);
  const d = byKey(acc.drain()).get(`1:60:${DAY}`)!;
  assert.is(d.count, 3);
  assert.equal(d.sum, [6, 130, 225, 11, 10, 24, 13]);
  assert.equal(d.min, [1, 10, 50, 1, 0, 7, 2]);
  assert.equal(d.max, [3, 90, 100, 5, 6, 9, 8]);
});

add('should share coarse buckets between samples in different minutes', () => {
  const acc = new RollupAccumulator();
  acc.add(1, ms(DAY + 10), A);
  acc.add(1, ms(DAY + 70), B);
  // two minute buckets, one half-hour bucket, one day bucket
  assert.is(acc.size, 4);
  const got = byKey(acc.drain());
  assert.is(got.get(`1:60:${DAY}`)?.count, 1);
  assert.is(got.get(`1:60:${DAY + 60}`)?.count, 1);
  const half = got.get(`1:1800:${DAY}`)!;
  assert.equal({ count: half.count, sum: half.sum, min: half.min, max: half.max },
    { count: 2, sum: [4, 40, 150, 10, 6, 16, 10], min: [1, 10, 50, 5, 0, 7, 2], max: [3, 30, 100, 5, 6, 9, 8] });
  assert.equal(got.get(`1:86400:${DAY}`)?.sum, [4, 40, 150, 10, 6, 16, 10]);
});

add('should keep hosts apart', () => {
  const acc = new RollupAccumulator();
  acc.add(1, ms(DAY + 5), A);
  acc.add(2, ms(DAY + 5), B);
  assert.is(acc.size, 6);
  const got = byKey(acc.drain());
  assert.equal(got.get(`1:60:${DAY}`)?.sum, A);
  assert.equal(got.get(`2:60:${DAY}`)?.sum, B);
});

add('should report 0 as min and max for an all-zero sample, not the initial ±Infinity', () => {
  const acc = new RollupAccumulator();
  const zeros = [0, 0, 0, 0, 0, 0, 0];
  acc.add(1, ms(DAY), zeros);
  for (const d of acc.drain()) {
    assert.equal([...d.min], zeros);
    assert.equal([...d.max], zeros);
    assert.equal([...d.sum], zeros);
  }
});

// ---------------------------------------------------------------------------
const drain = suite('RollupAccumulator.drain');

drain('should return every pending delta and leave nothing behind', () => {
  const acc = new RollupAccumulator();
  acc.add(1, ms(DAY), A);
  const first = acc.drain();
  assert.is(first.length, 3);
  assert.is(acc.size, 0);
  assert.equal(acc.drain(), []);
});

drain('should start new deltas after a drain instead of adding to drained ones', () => {
  const acc = new RollupAccumulator();
  acc.add(1, ms(DAY), A);
  const first = acc.drain();
  acc.add(1, ms(DAY + 1), B);
  const second = byKey(acc.drain());
  assert.equal(second.get(`1:60:${DAY}`)?.sum, B);
  assert.equal(byKey(first).get(`1:60:${DAY}`)?.sum, A, 'the drained delta must not change');
});

// ---------------------------------------------------------------------------
const restore = suite('RollupAccumulator.restore');

restore('should put deltas back unchanged when nothing was added since', () => {
  const acc = new RollupAccumulator();
  acc.add(1, ms(DAY + 1), A);
  acc.add(1, ms(DAY + 2), B);
  const failed = acc.drain();
  const before = byKey(failed);
  acc.restore(failed);
  assert.is(acc.size, 3);
  assert.equal(byKey(acc.drain()), before);
});

restore('should merge exactly with samples added after the drain', () => {
  const acc = new RollupAccumulator();
  acc.add(1, ms(DAY + 1), A);
  acc.add(1, ms(DAY + 2), B);
  const failed = acc.drain();
  acc.add(1, ms(DAY + 3), C);
  acc.restore(failed);
  const got = byKey(acc.drain());
  assert.is(got.size, 3);
  for (const d of got.values()) {
    assert.is(d.count, 3, `${d.tier}`);
    assert.equal(d.sum, [6, 130, 225, 11, 10, 24, 13]);
    assert.equal(d.min, [1, 10, 50, 1, 0, 7, 2]);
    assert.equal(d.max, [3, 90, 100, 5, 6, 9, 8]);
  }
});

restore('should give the same result as if the commit had never been attempted', () => {
  const samples: [number, number, number[]][] = [[1, DAY + 5, A], [1, DAY + 65, B], [2, DAY + 5, C], [1, DAY + 1900, C], [1, DAY + 6, B]];
  const direct = new RollupAccumulator();
  for (const [h, t, v] of samples) direct.add(h, ms(t), v);
  const split = new RollupAccumulator();
  for (const [h, t, v] of samples.slice(0, 3)) split.add(h, ms(t), v);
  const failed = split.drain();
  for (const [h, t, v] of samples.slice(3)) split.add(h, ms(t), v);
  split.restore(failed);
  assert.equal(byKey(split.drain()), byKey(direct.drain()));
});

restore('should keep buckets that only exist in the restored deltas or only in the newer adds', () => {
  const acc = new RollupAccumulator();
  acc.add(1, ms(DAY + 5), A);
  const failed = acc.drain();
  acc.add(1, ms(DAY + 86_400 + 5), B); // next day: no bucket in common
  acc.restore(failed);
  const got = byKey(acc.drain());
  assert.is(got.size, 6);
  assert.equal(got.get(`1:60:${DAY}`)?.sum, A);
  assert.equal(got.get(`1:60:${DAY + 86_400}`)?.sum, B);
});

// ---------------------------------------------------------------------------
const drop = suite('RollupAccumulator.dropHost');

drop('should forget every pending delta of one host and keep the others', () => {
  const acc = new RollupAccumulator();
  acc.add(1, ms(DAY + 5), A);
  acc.add(1, ms(DAY + 4000), A);
  acc.add(2, ms(DAY + 5), B);
  acc.dropHost(1);
  const got = acc.drain();
  assert.is(got.length, 3);
  assert.ok(got.every((d) => d.hostId === 2));
});

drop('should do nothing for a host with nothing pending', () => {
  const acc = new RollupAccumulator();
  acc.add(1, ms(DAY), A);
  acc.dropHost(9);
  assert.is(acc.size, 3);
});

// ---------------------------------------------------------------------------
const tier = suite('tierFor');
const NOW = ms(DAY);
const MIN = 60_000, HOUR = 60 * MIN, DAYMS = 24 * HOUR;

tier('should pick the live ring (1) for the last 15 minutes', () => {
  assert.is(tierFor(NOW, NOW), 1);
  assert.is(tierFor(NOW - 5 * MIN, NOW), 1);
  assert.is(tierFor(NOW - 15 * MIN, NOW), 1);
});

tier('should pick the live ring for a start in the future', () => {
  assert.is(tierFor(NOW + HOUR, NOW), 1);
});

tier('should pick 1 min buckets from just over 15 minutes up to 48 hours', () => {
  assert.is(tierFor(NOW - 15 * MIN - 1, NOW), 60);
  assert.is(tierFor(NOW - 24 * HOUR, NOW), 60);
  assert.is(tierFor(NOW - 48 * HOUR, NOW), 60);
});

tier('should pick 30 min buckets from just over 48 hours up to 90 days', () => {
  assert.is(tierFor(NOW - 48 * HOUR - 1, NOW), 1800);
  assert.is(tierFor(NOW - 30 * DAYMS, NOW), 1800);
  assert.is(tierFor(NOW - 90 * DAYMS, NOW), 1800);
});

tier('should pick 1 day buckets beyond 90 days, however far back', () => {
  assert.is(tierFor(NOW - 90 * DAYMS - 1, NOW), 86_400);
  assert.is(tierFor(NOW - 730 * DAYMS, NOW), 86_400);
  assert.is(tierFor(NOW - 3650 * DAYMS, NOW), 86_400);
  assert.is(tierFor(0, NOW), 86_400);
});

consts.run();
ret.run();
sv.run();
add.run();
drain.run();
restore.run();
drop.run();
tier.run();
