import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { HostSummary } from '../../../protocol/live.schema.js';
import type { PlanDto } from '../../../protocol/api.types.js';
import {
  allocationsFrom, diskKey, diskRoom, filterRows, fits, fleetRow, fleetTotals, freeSpots, revenueByHost, sortRows, type FleetRow,
} from '../../../client/src/lib/fleet-view.js';

const GiB = 2 ** 30;
const disk = (mount: string, size: number, used: number) => ({ mount, device: '/dev/x', fsType: 'ext4', sizeBytes: size * GiB, usedBytes: used * GiB, availBytes: (size - used) * GiB });
function host(id: number, name: string, over: Partial<HostSummary> = {}): HostSummary {
  return {
    id, name, hostname: `${name}.example`, online: true, lastSeenAt: 1, agentVersion: 't', cpus: 2,
    latest: { t: 1, load1: id, load5: 0, load15: 0, cpuPct: 10 * id, memUsedBytes: 1, memTotalBytes: 4, netRxBps: 0, netTxBps: 0, diskReadBps: 0, diskWriteBps: 0 },
    disks: [disk('/', 100, 50)], accounts: 0, monthlyCostCents: 1000, ...over,
  };
}
const plan = (id: number, quota: number, pub = true): PlanDto => ({ id, name: `P${id}`, quotaBytes: quota * GiB, priceCents: 500 * id, public: pub });
const rows = (hs: HostSummary[]): FleetRow[] => hs.map((h) => fleetRow(h, new Map(), null));

const room = suite('diskRoom / fits');
room('should leave size minus allocations, but never more than is free', () => {
  assert.is(diskRoom(disk('/', 100, 50), 20 * GiB), 50 * GiB, 'free space is the limit');
  assert.is(diskRoom(disk('/', 100, 10), 80 * GiB), 20 * GiB, 'allocations are the limit');
  assert.is(diskRoom(disk('/', 100, 10), 200 * GiB), 0);
});
room('should count accounts of each public plan that fit', () => {
  assert.equal(fits(25 * GiB, [plan(1, 10), plan(2, 30), plan(3, 1, false)]).map((f) => [f.plan.id, f.count]), [[1, 2], [2, 0]]);
});
room.run();

const row = suite('fleetRow');
row('should sum disks, apply allocations and take revenue per host', () => {
  const h = host(1, 'a', { disks: [disk('/', 100, 50), disk('/home', 200, 20)] });
  const alloc = allocationsFrom([{ hostId: 1, hostName: 'a', mount: '/home', sizeBytes: 0, usedBytes: 0, allocatedBytes: 150 * GiB, freeBytes: 0, unallocatedBytes: 0, fits: [] }]);
  const r = fleetRow(h, alloc, new Map([[1, 1500]]));
  assert.is(r.usedBytes, 70 * GiB);
  assert.is(r.freeBytes, 230 * GiB);
  assert.is(r.roomBytes, 50 * GiB + 50 * GiB);
  assert.is(r.revenueCents, 1500);
  assert.is(r.memPct, 25);
  assert.is(r.diskPct, 50);
  assert.is(fleetRow(host(2, 'b', { disks: [] }), alloc, null).roomBytes, null);
  assert.is(fleetRow(h, null, null).roomBytes, null, 'allocations not loaded yet: room unknown, not the whole free space');
});
row('should add plan prices per host and skip accounts without a plan', () => {
  const rev = revenueByHost([{ hostId: 1, planId: 1 }, { hostId: 1, planId: 2 }, { hostId: 2, planId: null }], [plan(1, 1), plan(2, 1)]);
  assert.equal([...rev], [[1, 1500]]);
});
row.run();

const sort = suite('sortRows / filterRows');
const hs = [host(3, 'web10'), host(1, 'web2', { online: false }), host(2, 'db1', { latest: null })];
sort('should sort by name naturally, both ways', () => {
  assert.equal(sortRows(rows(hs), { key: 'name', dir: 'asc' }).map((r) => r.host.name), ['db1', 'web2', 'web10']);
  assert.equal(sortRows(rows(hs), { key: 'name', dir: 'desc' }).map((r) => r.host.name), ['web10', 'web2', 'db1']);
});
sort('should sort by a figure with missing figures last in either direction', () => {
  assert.equal(sortRows(rows(hs), { key: 'cpu', dir: 'desc' }).map((r) => r.host.id), [3, 1, 2]);
  assert.equal(sortRows(rows(hs), { key: 'cpu', dir: 'asc' }).map((r) => r.host.id), [1, 3, 2]);
});
sort('should filter by name or hostname, case-insensitively, and by status', () => {
  assert.equal(filterRows(rows(hs), { text: 'WEB', status: 'all' }).map((r) => r.host.id), [3, 1]);
  assert.equal(filterRows(rows(hs), { text: 'db1.example', status: 'all' }).map((r) => r.host.id), [2]);
  assert.equal(filterRows(rows(hs), { text: '', status: 'offline' }).map((r) => r.host.id), [1]);
  assert.equal(filterRows(rows(hs), { text: ' ', status: 'online' }).map((r) => r.host.id), [3, 2]);
});
sort.run();

const totals = suite('fleetTotals / freeSpots');
totals('should count hosts online and sum disks over the fleet', () => {
  assert.is(fleetTotals(rows(hs), false).roomBytes, null, 'no room total before the allocations are known');
  const t = fleetTotals(rows(hs));
  assert.equal({ hosts: t.hosts, online: t.online }, { hosts: 3, online: 2 });
  assert.is(t.usedBytes, 150 * GiB);
});
totals('should list disks that still take an account of a public plan, roomiest first', () => {
  const alloc = new Map([[diskKey(1, '/'), 95 * GiB]]);
  const spots = freeSpots([host(1, 'a'), host(2, 'b')], alloc, [plan(1, 10)]);
  assert.equal(spots.map((s) => [s.hostId, s.fits[0].count]), [[2, 5]], 'host 1 has 5 GiB left: no room for a 10 GiB plan');
});
totals.run();
