import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { AlertDto } from '../../../protocol/alerts.schema.js';
import type { HostSummary } from '../../../protocol/live.schema.js';
import { mergeAlerts, sortedAlerts } from '../../../kiosk/src/lib/alerts.js';
import { applyFleetDelta, fleetFigures, fleetFromSnapshot, sortedHosts, spotlightHost, topByLoad } from '../../../kiosk/src/lib/fleet.js';

const host = (id: number, o: Partial<HostSummary> & { load1?: number; cpuPct?: number } = {}): HostSummary => {
  const { load1 = 1, cpuPct = 50, ...rest } = o;
  return {
    id, name: `h-${id}`, hostname: null, online: true, lastSeenAt: 0, agentVersion: null, cpus: 2, accounts: 0, monthlyCostCents: null, disks: [],
    latest: { t: 0, load1, load5: 0, load15: 0, cpuPct, memUsedBytes: 1, memTotalBytes: 2, netRxBps: 0, netTxBps: 0, diskReadBps: 0, diskWriteBps: 0 },
    ...rest,
  };
};
const disk = (size: number, used: number) => ({ mount: '/', device: 'd', fsType: 'ext4', sizeBytes: size, usedBytes: used, availBytes: size - used });

const merge = suite('applyFleetDelta');
merge('should replace changed hosts and drop removed ones', () => {
  const f = fleetFromSnapshot({ hosts: [host(1), host(2)] });
  applyFleetDelta(f, { hosts: [host(2, { name: 'new' }), host(3)], removed: [1] });
  assert.equal([...f.keys()].sort(), [2, 3]);
  assert.is(f.get(2)!.name, 'new');
});
merge.run();

const sorted = suite('sortedHosts');
sorted('should sort by name with numbers in numeric order', () => {
  const f = fleetFromSnapshot({ hosts: [host(1, { name: 'web-10' }), host(2, { name: 'web-2' }), host(3, { name: 'db-1' })] });
  assert.equal(sortedHosts(f).map((h) => h.name), ['db-1', 'web-2', 'web-10']);
});
sorted.run();

const figures = suite('fleetFigures');
figures('should average CPU over online hosts only and sum every disk', () => {
  const f = fleetFromSnapshot({ hosts: [host(1, { cpuPct: 20, disks: [disk(100, 50)] }), host(2, { cpuPct: 60, disks: [disk(100, 10), disk(200, 0)] }), host(3, { cpuPct: 99, online: false, disks: [disk(100, 100)] })] });
  const r = fleetFigures(f);
  assert.is(r.online, 2); assert.is(r.total, 3); assert.is(r.cpuPct, 40);
  assert.is(r.diskUsedBytes, 160); assert.is(r.diskSizeBytes, 500); assert.is(r.diskPct, 32);
});
figures('should give null figures without data', () => {
  const r = fleetFigures(fleetFromSnapshot({ hosts: [host(1, { online: false })] }));
  assert.is(r.cpuPct, null); assert.is(r.diskPct, null);
});
figures.run();

const top = suite('topByLoad');
top('should list online hosts by load1, busiest first, at most n', () => {
  const f = fleetFromSnapshot({ hosts: Array.from({ length: 12 }, (_, i) => host(i + 1, { load1: i })).concat(host(99, { load1: 50, online: false })) });
  const t = topByLoad(f, 10);
  assert.is(t.length, 10);
  assert.is(t[0].id, 12); assert.is(t[0].perCpu, 5.5);
  assert.ok(!t.some((x) => x.id === 99));
});
top.run();

const spot = suite('spotlightHost');
spot('should keep the chosen host, else take the busiest online one', () => {
  const f = fleetFromSnapshot({ hosts: [host(1, { load1: 1 }), host(2, { load1: 3 })] });
  assert.is(spotlightHost(f, 1)!.id, 1);
  assert.is(spotlightHost(f, 77)!.id, 2);
  assert.is(spotlightHost(f, null)!.id, 2);
  assert.is(spotlightHost(fleetFromSnapshot({ hosts: [] }), null), null);
});
spot.run();

const alert = (id: number, o: Partial<AlertDto> = {}): AlertDto => ({
  id, kind: 'host_offline', state: 'firing', severity: 'critical', hostId: 1, hostName: 'h', accountId: null, subject: '', message: 'm',
  value: null, threshold: null, startedAt: id * 1000, firingAt: id * 1000, resolvedAt: null, ackedAt: null, ackedBy: null, ...o,
});

const al = suite('mergeAlerts');
al('should report nothing new on the first snapshot', () => {
  const r = mergeAlerts(new Map(), [alert(1)], 'snapshot', true);
  assert.is(r.alerts.size, 1); assert.equal(r.newlyFiring, []);
});
al('should report an alert that turns from pending to firing, once', () => {
  const a = mergeAlerts(new Map(), [alert(1, { state: 'pending' })], 'snapshot', true).alerts;
  const b = mergeAlerts(a, [alert(1)], 'delta');
  assert.equal(b.newlyFiring.map((x) => x.id), [1]);
  assert.equal(mergeAlerts(b.alerts, [alert(1, { ackedBy: 'x' })], 'delta').newlyFiring, []);
});
al('should report alerts that started firing while disconnected (a snapshot after a reconnect)', () => {
  const a = mergeAlerts(new Map(), [alert(1)], 'snapshot', true).alerts;
  assert.equal(mergeAlerts(a, [alert(1), alert(2)], 'snapshot').newlyFiring.map((x) => x.id), [2]);
});
al('should drop resolved alerts and keep the others of a delta', () => {
  const a = mergeAlerts(new Map(), [alert(1), alert(2)], 'snapshot', true).alerts;
  const b = mergeAlerts(a, [alert(1, { state: 'resolved' })], 'delta');
  assert.equal([...b.alerts.keys()], [2]);
  assert.is(mergeAlerts(new Map(), [alert(3, { state: 'resolved' })], 'snapshot', true).alerts.size, 0);
});
al.run();

const sa = suite('sortedAlerts');
sa('should put the newest first', () => {
  const m = mergeAlerts(new Map(), [alert(1), alert(3, { state: 'pending' }), alert(2)], 'snapshot', true).alerts;
  assert.equal(sortedAlerts(m).map((a) => a.id), [3, 2, 1]);
});
sa.run();
