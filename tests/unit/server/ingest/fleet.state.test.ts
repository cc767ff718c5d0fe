import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { Disk, LivePoint, Sample } from '../../../../protocol/index.js';
import { FleetState, RING_CAPACITY } from '../../../../server/ingest/fleet.state.js';

const T0 = 1_700_000_000_000;
const OFFLINE_MS = 10_000;

const sample = (seq: number, t: number, over: Partial<Sample> = {}): Sample => ({
  seq, t, load1: seq, load5: 0.2, load15: 0.1, cpuPct: 10, memUsedBytes: 1e9, memTotalBytes: 8e9,
  netRxBps: 0, netTxBps: 0, diskReadBps: 0, diskWriteBps: 0, ...over,
});
const disk = (mount: string, usedBytes = 1): Disk => ({ mount, device: '/dev/sda1', fsType: 'ext4', sizeBytes: 100, usedBytes, availBytes: 100 - usedBytes });

/** A fleet with host 1, a settable clock and a log of every onChange/onRemove. */
function setup() {
  const clock = { now: T0 };
  const fleet = new FleetState(OFFLINE_MS, () => clock.now);
  const rt = fleet.upsertHost({ id: 1, name: 'web-01', monthlyCostCents: 4500 });
  const changes: [number, LivePoint[] | null][] = [];
  const removed: number[] = [];
  fleet.onChange((id, points) => changes.push([id, points]));
  fleet.onRemove((id) => removed.push(id));
  return { clock, fleet, rt, changes, removed };
}

// ---------------------------------------------------------------------------
const ups = suite('FleetState.upsertHost');

ups('should create a host with empty runtime state and an empty ring', () => {
  const { rt, fleet } = setup();
  assert.is(fleet.hosts.get(1), rt);
  assert.equal(
    { hostname: rt.hostname, agentVersion: rt.agentVersion, cpus: rt.cpus, latest: rt.latest, lastSeenAt: rt.lastSeenAt, disks: rt.disks, agents: rt.agents, accounts: rt.accounts },
    { hostname: null, agentVersion: null, cpus: null, latest: null, lastSeenAt: null, disks: [], agents: 0, accounts: 0 },
  );
  assert.is(rt.ring.capacity, RING_CAPACITY);
  assert.is(rt.ring.size, 0);
});

ups('should update an existing host in place, keeping its ring and latest sample, and report the change', () => {
  const { fleet, rt, changes } = setup();
  fleet.applySamples(1, [sample(1, T0)], T0);
  changes.length = 0;
  const again = fleet.upsertHost({ id: 1, name: 'web-01b', monthlyCostCents: null });
  assert.is(again, rt);
  assert.is(rt.name, 'web-01b');
  assert.is(rt.monthlyCostCents, null);
  assert.is(rt.ring.size, 1);
  assert.is(rt.latest?.t, T0);
  assert.equal(changes, [[1, null]]);
});

// ---------------------------------------------------------------------------
const app = suite('FleetState.applySamples');

app('should set latest, push the ring and report the new points, without seq or disks', () => {
  const { fleet, rt, changes } = setup();
  const ret = fleet.applySamples(1, [sample(1, T0), sample(2, T0 + 1000)], T0 + 1500);
  assert.is(ret, null);
  assert.is(rt.latest?.t, T0 + 1000);
  assert.is(rt.latest?.load1, 2);
  assert.not.ok('seq' in rt.latest!);
  assert.not.ok('disks' in rt.latest!);
  assert.equal(rt.ring.toArray().map((p) => p.t), [T0, T0 + 1000]);
  assert.is(rt.lastSeenAt, T0 + 1500);
  assert.is(changes.length, 1);
  assert.is(changes[0][0], 1);
  assert.equal(changes[0][1]!.map((p) => p.t), [T0, T0 + 1000]);
});

app('should not move latest back or push the ring for a resent older sample', () => {
  const { fleet, rt, changes } = setup();
  fleet.applySamples(1, [sample(5, T0 + 5000)], T0 + 5000);
  changes.length = 0;
  fleet.applySamples(1, [sample(3, T0 + 3000)], T0 + 6000);
  assert.is(rt.latest?.t, T0 + 5000);
  assert.is(rt.latest?.load1, 5);
  assert.equal(rt.ring.toArray().map((p) => p.t), [T0 + 5000]);
  assert.equal(changes, [[1, []]]);
  assert.is(rt.lastSeenAt, T0 + 6000, 'an older sample still proves the agent is alive');
});

app('should not push a sample with the same time twice', () => {
  const { fleet, rt } = setup();
  fleet.applySamples(1, [sample(1, T0)], T0);
  fleet.applySamples(1, [sample(2, T0, { load1: 99 })], T0 + 1);
  assert.is(rt.ring.size, 1);
  assert.is(rt.latest?.load1, 1);
});

app('should take only the newer samples of a batch that mixes old and new', () => {
  const { fleet, rt, changes } = setup();
  fleet.applySamples(1, [sample(1, T0 + 3000)], T0);
  changes.length = 0;
  fleet.applySamples(1, [sample(2, T0 + 1000), sample(3, T0 + 4000), sample(4, T0 + 2000), sample(5, T0 + 5000)], T0);
  assert.equal(rt.ring.toArray().map((p) => p.t), [T0 + 3000, T0 + 4000, T0 + 5000]);
  assert.equal(changes[0][1]!.map((p) => p.t), [T0 + 4000, T0 + 5000]);
  assert.is(rt.latest?.t, T0 + 5000);
});

app('should keep only the last RING_CAPACITY points', () => {
  const { fleet, rt } = setup();
  const n = RING_CAPACITY + 5;
  fleet.applySamples(1, Array.from({ length: n }, (_, i) => sample(i + 1, T0 + i * 1000)), T0);
  assert.is(rt.ring.size, RING_CAPACITY);
  assert.is(rt.ring.toArray()[0].t, T0 + 5 * 1000);
  assert.is(rt.ring.last()?.t, T0 + (n - 1) * 1000);
});

app('should replace the disks and return them when a sample carries disks', () => {
  const { fleet, rt } = setup();
  const d1 = [disk('/'), disk('/home')];
  assert.equal(fleet.applySamples(1, [sample(1, T0, { disks: d1 })], T0), d1);
  assert.equal(rt.disks, d1);
  const d2 = [disk('/', 50)];
  assert.equal(fleet.applySamples(1, [sample(2, T0 + 1000, { disks: d2 })], T0), d2);
  assert.equal(rt.disks, d2, 'replaced, not merged');
});

app('should keep the disks and return null when no sample carries disks', () => {
  const { fleet, rt } = setup();
  const d1 = [disk('/')];
  fleet.applySamples(1, [sample(1, T0, { disks: d1 })], T0);
  assert.is(fleet.applySamples(1, [sample(2, T0 + 1000)], T0), null);
  assert.equal(rt.disks, d1);
});

app('should take the disks of the last sample in a batch that carries them', () => {
  const { fleet, rt } = setup();
  const d1 = [disk('/', 1)], d2 = [disk('/', 2)];
  const ret = fleet.applySamples(1, [sample(1, T0, { disks: d1 }), sample(2, T0 + 1000, { disks: d2 }), sample(3, T0 + 2000)], T0);
  assert.equal(ret, d2);
  assert.equal(rt.disks, d2);
});

app('should accept an empty disk list as "no filesystems"', () => {
  const { fleet, rt } = setup();
  fleet.applySamples(1, [sample(1, T0, { disks: [disk('/')] })], T0);
  assert.equal(fleet.applySamples(1, [sample(2, T0 + 1000, { disks: [] })], T0), []);
  assert.equal(rt.disks, []);
});

app('should ignore an unknown host and report nothing', () => {
  const { fleet, changes } = setup();
  changes.length = 0;
  assert.is(fleet.applySamples(99, [sample(1, T0, { disks: [disk('/')] })], T0), null);
  assert.equal(changes, []);
  assert.not.ok(fleet.hosts.has(99));
});

// ---------------------------------------------------------------------------
const hel = suite('FleetState.hello');

hel('should record hostname, cpus and agent version and report the change', () => {
  const { fleet, rt, changes } = setup();
  changes.length = 0;
  fleet.hello(1, { hostname: 'web-01.example', os: 'linux', kernel: '6.1', cpus: 16, memTotalBytes: 1, bootTime: 0 }, '0.2.0');
  assert.equal([rt.hostname, rt.cpus, rt.agentVersion], ['web-01.example', 16, '0.2.0']);
  assert.equal(changes, [[1, null]]);
});

// ---------------------------------------------------------------------------
const ac = suite('FleetState.agentConnected');

ac('should count agents and never go below zero', () => {
  const { fleet, rt } = setup();
  fleet.agentConnected(1, 1);
  fleet.agentConnected(1, 1);
  assert.is(rt.agents, 2);
  fleet.agentConnected(1, -1);
  fleet.agentConnected(1, -1);
  fleet.agentConnected(1, -1);
  assert.is(rt.agents, 0);
  fleet.agentConnected(1, 1);
  assert.is(rt.agents, 1, 'a spurious disconnect must not hide the next connection');
});

// ---------------------------------------------------------------------------
const on = suite('FleetState.online');

on('should be false for a new host', () => {
  const { fleet, rt } = setup();
  assert.is(fleet.online(rt), false);
});

on('should be false with a connected agent that has not sent a sample', () => {
  const { fleet, rt } = setup();
  fleet.agentConnected(1, 1);
  assert.is(fleet.online(rt), false);
});

on('should be false with a recent sample but no connected agent', () => {
  const { fleet, rt, clock } = setup();
  fleet.applySamples(1, [sample(1, T0)], clock.now);
  assert.is(fleet.online(rt), false);
});

on('should be true while the last sample is younger than offlineAfterMs, and false from then on', () => {
  const { fleet, rt, clock } = setup();
  fleet.agentConnected(1, 1);
  fleet.applySamples(1, [sample(1, T0)], T0);
  assert.is(fleet.online(rt), true);
  clock.now = T0 + OFFLINE_MS - 1;
  assert.is(fleet.online(rt), true);
  clock.now = T0 + OFFLINE_MS;
  assert.is(fleet.online(rt), false);
  assert.is(fleet.summary(rt).online, false);
});

on('should use the hub receive time, not the agent sample time', () => {
  const { fleet, rt, clock } = setup();
  fleet.agentConnected(1, 1);
  // agent clock an hour behind
  fleet.applySamples(1, [sample(1, T0 - 3_600_000)], T0);
  assert.is(fleet.online(rt), true);
  clock.now = T0 + OFFLINE_MS;
  assert.is(fleet.online(rt), false);
});

on('should turn false when the agent disconnects', () => {
  const { fleet, rt } = setup();
  fleet.agentConnected(1, 1);
  fleet.applySamples(1, [sample(1, T0)], T0);
  fleet.agentConnected(1, -1);
  assert.is(fleet.online(rt), false);
});

// ---------------------------------------------------------------------------
const sum = suite('FleetState.summary');

sum('should copy the runtime fields and compute online', () => {
  const { fleet, rt } = setup();
  fleet.agentConnected(1, 1);
  fleet.hello(1, { hostname: 'h', os: 'linux', kernel: '6.1', cpus: 4, memTotalBytes: 1, bootTime: 0 }, '0.1.0');
  fleet.applySamples(1, [sample(1, T0, { disks: [disk('/')] })], T0);
  const s = fleet.summary(rt);
  assert.equal(s, {
    id: 1, name: 'web-01', hostname: 'h', online: true, lastSeenAt: T0, agentVersion: '0.1.0', cpus: 4,
    latest: rt.latest, disks: [disk('/')], accounts: 0, monthlyCostCents: 4500, clockSkewMs: null,
  });
});

// ---------------------------------------------------------------------------
const sw = suite('FleetState.sweepOffline');

sw('should report a host once when it goes offline', () => {
  const { fleet, clock, changes } = setup();
  fleet.agentConnected(1, 1);
  fleet.applySamples(1, [sample(1, T0)], T0);
  fleet.sweepOffline();
  changes.length = 0;
  clock.now = T0 + OFFLINE_MS - 1;
  fleet.sweepOffline();
  assert.equal(changes, [], 'still online');
  clock.now = T0 + OFFLINE_MS;
  fleet.sweepOffline();
  assert.equal(changes, [[1, null]]);
  clock.now += 60_000;
  fleet.sweepOffline();
  fleet.sweepOffline();
  assert.equal(changes, [[1, null]], 'only once');
});

sw('should not report a host that was never online', () => {
  const { fleet, clock, changes } = setup();
  changes.length = 0;
  fleet.sweepOffline();
  clock.now += 60_000;
  fleet.sweepOffline();
  assert.equal(changes, []);
});

sw('should report again after the host came back and went offline a second time', () => {
  const { fleet, clock, changes } = setup();
  fleet.agentConnected(1, 1);
  fleet.applySamples(1, [sample(1, T0)], T0);
  fleet.sweepOffline();
  clock.now = T0 + OFFLINE_MS;
  fleet.sweepOffline();
  fleet.applySamples(1, [sample(2, T0 + OFFLINE_MS)], clock.now);
  fleet.sweepOffline();
  changes.length = 0;
  clock.now += OFFLINE_MS;
  fleet.sweepOffline();
  assert.equal(changes, [[1, null]]);
});

sw('should report only the host that went offline', () => {
  const { fleet, clock, changes } = setup();
  fleet.upsertHost({ id: 2, name: 'web-02', monthlyCostCents: null });
  fleet.agentConnected(1, 1);
  fleet.agentConnected(2, 1);
  fleet.applySamples(1, [sample(1, T0)], T0);
  fleet.applySamples(2, [sample(1, T0)], T0 + 5000);
  fleet.sweepOffline();
  changes.length = 0;
  clock.now = T0 + OFFLINE_MS;
  fleet.sweepOffline();
  assert.equal(changes, [[1, null]]);
});

// ---------------------------------------------------------------------------
const rm = suite('FleetState.removeHost');

rm('should forget the host and report it to onRemove', () => {
  const { fleet, removed } = setup();
  fleet.removeHost(1);
  assert.not.ok(fleet.hosts.has(1));
  assert.equal(removed, [1]);
});

rm('should not report an unknown or already removed host', () => {
  const { fleet, removed } = setup();
  fleet.removeHost(42);
  assert.equal(removed, []);
  fleet.removeHost(1);
  fleet.removeHost(1);
  assert.equal(removed, [1]);
});

rm('should not report a removed host from a later sweep', () => {
  const { fleet, clock, changes } = setup();
  fleet.agentConnected(1, 1);
  fleet.applySamples(1, [sample(1, T0)], T0);
  fleet.sweepOffline();
  fleet.removeHost(1);
  changes.length = 0;
  clock.now += OFFLINE_MS;
  fleet.sweepOffline();
  assert.equal(changes, []);
});

ups.run();
app.run();
hel.run();
ac.run();
on.run();
sum.run();
sw.run();
rm.run();

// ---------------------------------------------------------------------------
const peer = suite('FleetState.applyPeer');

const point = (t: number, load1 = 1): LivePoint => { const { seq: _s, disks: _d, ...p } = sample(0, t, { load1 }); return p; };

peer('should add only points newer than the latest, and report just those', () => {
  const { fleet, rt, changes } = setup();
  fleet.applyPeer(1, T0 + 2000, 1, [point(T0), point(T0 + 1000)]);
  fleet.applyPeer(1, T0 + 3000, 1, [point(T0 + 1000, 9), point(T0 + 2000)]);
  assert.equal(rt.ring.toArray().map((p) => p.t), [T0, T0 + 1000, T0 + 2000]);
  assert.is(rt.latest!.t, T0 + 2000);
  assert.is(rt.lastSeenAt, T0 + 3000);
  assert.is(rt.agents, 1);
  assert.equal(changes.map(([, pts]) => pts!.map((p) => p.t)), [[T0, T0 + 1000], [T0 + 2000]]);
});

peer('should take the state when sent, but never an older latest', () => {
  const { fleet, rt } = setup();
  fleet.applyPeer(1, T0, 1, [point(T0 + 5000)]);
  fleet.applyPeer(1, T0, 0, [], { latest: point(T0 + 1000), disks: [disk('/')], hostname: 'web-01.example.net', cpus: 8, agentVersion: '1.2.3' });
  assert.is(rt.latest!.t, T0 + 5000);
  assert.equal(rt.disks, [disk('/')]);
  assert.is(rt.hostname, 'web-01.example.net');
  assert.is(rt.cpus, 8);
  assert.is(rt.agentVersion, '1.2.3');
  assert.is(rt.agents, 0);
});

peer('should keep the points of a batch whose state carries the last of them as latest', () => {
  const { fleet, rt, changes } = setup();
  const pts = [point(T0), point(T0 + 1000), point(T0 + 2000)];
  fleet.applyPeer(1, T0 + 2000, 1, pts, { latest: pts[2], disks: [disk('/')], hostname: 'web-01', cpus: 2, agentVersion: '1.0.0', actions: [{ name: 'restart-services', description: null, accounts: ['alice'] }] });
  assert.equal(rt.ring.toArray().map((p) => p.t), [T0, T0 + 1000, T0 + 2000]);
  assert.equal(changes.map(([, p]) => p!.map((x) => x.t)), [[T0, T0 + 1000, T0 + 2000]]);
  assert.is(rt.latest!.t, T0 + 2000);
  assert.equal(rt.actions, [{ name: 'restart-services', description: null, accounts: new Set(['alice']) }]);
});

peer('should ignore a host it does not know', () => {
  const { fleet, changes } = setup();
  fleet.applyPeer(2, T0, 1, [point(T0)]);
  assert.not.ok(fleet.hosts.has(2));
  assert.is(changes.length, 0);
});

peer.run();
