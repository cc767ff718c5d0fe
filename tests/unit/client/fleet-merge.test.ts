import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { HostSummary, LivePoint } from '../../../protocol/live.schema.js';
import {
  RING_CAPACITY,
  appendPoints,
  applyFleetDelta,
  compareHosts,
  fleetFromSnapshot,
  ringFromSnapshot,
  sortHosts,
} from '../../../client/src/lib/fleet-merge.js';

function host(id: number, name = `h${id}`, extra: Partial<HostSummary> = {}): HostSummary {
  return {
    id, name, hostname: null, online: true, lastSeenAt: 1, agentVersion: '0.1.0', cpus: 2,
    latest: null, disks: [], accounts: 0, monthlyCostCents: null, ...extra,
  };
}
function point(t: number, cpuPct = 1): LivePoint {
  return {
    t, load1: 0, load5: 0, load15: 0, cpuPct, memUsedBytes: 0, memTotalBytes: 1,
    netRxBps: 0, netTxBps: 0, diskReadBps: 0, diskWriteBps: 0,
  };
}
const times = (ring: readonly LivePoint[]) => ring.map((p) => p.t);

const fromSnap = suite('fleetFromSnapshot');
fromSnap('should index the snapshot hosts by id', () => {
  const a = host(1), b = host(7);
  const map = fleetFromSnapshot({ hosts: [a, b] });
  assert.is(map.size, 2);
  assert.is(map.get(7), b);
});
fromSnap('should return an empty map for an empty fleet', () => {
  assert.is(fleetFromSnapshot({ hosts: [] }).size, 0);
});
fromSnap.run();

const delta = suite('applyFleetDelta');
delta('should replace a changed host with its full summary and keep the others by identity', () => {
  const a = host(1), b = host(2);
  const before = fleetFromSnapshot({ hosts: [a, b] });
  const a2 = host(1, 'h1', { online: false });
  const after = applyFleetDelta(before, { hosts: [a2] });
  assert.is(after.get(1), a2);
  assert.is(after.get(2), b);
});
delta('should add a host it did not know', () => {
  const after = applyFleetDelta(new Map(), { hosts: [host(3)] });
  assert.equal([...after.keys()], [3]);
});
delta('should drop removed ids and ignore unknown ones', () => {
  const before = fleetFromSnapshot({ hosts: [host(1), host(2)] });
  const after = applyFleetDelta(before, { hosts: [], removed: [2, 99] });
  assert.equal([...after.keys()], [1]);
});
delta('should remove a host that is both updated and removed in one delta', () => {
  const after = applyFleetDelta(fleetFromSnapshot({ hosts: [host(1)] }), { hosts: [host(1)], removed: [1] });
  assert.is(after.size, 0);
});
delta('should not mutate the map it is given', () => {
  const before = fleetFromSnapshot({ hosts: [host(1)] });
  const after = applyFleetDelta(before, { hosts: [host(2)], removed: [1] });
  assert.is.not(after, before);
  assert.equal([...before.keys()], [1]);
});
delta.run();

const sort = suite('sortHosts');
sort('should order hosts by name naturally, so web2 precedes web10', () => {
  const map = fleetFromSnapshot({ hosts: [host(1, 'web10'), host(2, 'web2'), host(3, 'db1')] });
  assert.equal(sortHosts(map).map((h) => h.name), ['db1', 'web2', 'web10']);
});
sort.run();

const compare = suite('compareHosts');
compare('should break a tie on name by id', () => {
  assert.ok(compareHosts(host(1, 'same'), host(2, 'same')) < 0);
  assert.ok(compareHosts(host(2, 'Same'), host(1, 'same')) > 0);
});
compare.run();

const append = suite('appendPoints');
append('should append new points in order', () => {
  const ring = [point(1000), point(2000)];
  assert.equal(times(appendPoints(ring, [point(3000), point(4000)])), [1000, 2000, 3000, 4000]);
});
append('should keep only the newest capacity points', () => {
  const ring = [point(1), point(2), point(3)];
  assert.equal(times(appendPoints(ring, [point(4), point(5)], 4)), [2, 3, 4, 5]);
});
append('should cap at RING_CAPACITY (900, 15 min of 1 s points) by default', () => {
  assert.is(RING_CAPACITY, 900);
  const ring = Array.from({ length: 900 }, (_, i) => point(i + 1));
  const next = appendPoints(ring, [point(901), point(902)]);
  assert.is(next.length, 900);
  assert.is(next[0].t, 3);
  assert.is(next[899].t, 902);
});
append('should drop points not newer than the last one kept (resends)', () => {
  const ring = [point(1000), point(2000)];
  assert.equal(times(appendPoints(ring, [point(2000), point(1500), point(3000), point(3000)])), [1000, 2000, 3000]);
});
append('should return the same ring when nothing new arrived', () => {
  const ring = [point(1000)];
  assert.is(appendPoints(ring, []), ring);
  assert.is(appendPoints(ring, [point(500)]), ring);
});
append('should not mutate the ring it is given', () => {
  const ring = [point(1)];
  appendPoints(ring, [point(2)]);
  assert.equal(times(ring), [1]);
});
append.run();

const fromRing = suite('ringFromSnapshot');
fromRing('should keep the newest capacity points of a snapshot', () => {
  const pts = Array.from({ length: 10 }, (_, i) => point(i + 1));
  assert.equal(times(ringFromSnapshot(pts, 3)), [8, 9, 10]);
});
fromRing('should return an empty ring for a host without points', () => {
  assert.equal(ringFromSnapshot([]), []);
});
fromRing.run();
