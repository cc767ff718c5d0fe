import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { AlertDto } from '../../../protocol/alerts.schema.js';
import { alertLevels, hostState, loadFill, loadPerCpu } from '../../../kiosk/src/lib/hoststate.js';

const alert = (o: Partial<AlertDto>): AlertDto => ({
  id: 1, kind: 'load_high', state: 'firing', severity: 'critical', hostId: 1, hostName: 'web-1', accountId: null, subject: '', message: 'm',
  value: null, threshold: null, startedAt: 0, firingAt: 0, resolvedAt: null, ackedAt: null, ackedBy: null, ...o,
});
const latest = (load1: number) => ({ t: 0, load1, load5: 0, load15: 0, cpuPct: 0, memUsedBytes: 0, memTotalBytes: 1, netRxBps: 0, netTxBps: 0, diskReadBps: 0, diskWriteBps: 0 });

const levels = suite('alertLevels');
levels('should rate a firing critical alert "alert" and pending or warning-severity ones "warning"', () => {
  const l = alertLevels([alert({ id: 1, hostId: 1 }), alert({ id: 2, hostId: 2, state: 'pending' }), alert({ id: 3, hostId: 3, severity: 'warning' })]);
  assert.is(l.get(1), 'alert'); assert.is(l.get(2), 'warning'); assert.is(l.get(3), 'warning');
});
levels('should keep a host\'s worst level whatever the order', () => {
  assert.is(alertLevels([alert({ id: 1, state: 'pending' }), alert({ id: 2 })]).get(1), 'alert');
  assert.is(alertLevels([alert({ id: 2 }), alert({ id: 1, state: 'pending' })]).get(1), 'alert');
});
levels('should ignore resolved alerts', () => {
  assert.is(alertLevels([alert({ state: 'resolved' })]).size, 0);
});
levels.run();

const state = suite('hostState');
state('should be offline when the host is offline, whatever its alerts', () => {
  assert.is(hostState({ id: 1, online: false }, new Map([[1, 'alert']])), 'offline');
});
state('should take the alert level of an online host, else ok', () => {
  assert.is(hostState({ id: 1, online: true }, new Map([[1, 'warning']])), 'warning');
  assert.is(hostState({ id: 2, online: true }, new Map([[1, 'warning']])), 'ok');
});
state.run();

const fill = suite('loadFill');
fill('should be load1 per CPU', () => {
  assert.is(loadFill({ online: true, cpus: 4, latest: latest(2) }), 0.5);
  assert.is(loadPerCpu({ cpus: 4, latest: latest(2) }), 0.5);
});
fill('should cap at 1', () => {
  assert.is(loadFill({ online: true, cpus: 2, latest: latest(9) }), 1);
});
fill('should count an unknown CPU count as 1', () => {
  assert.is(loadFill({ online: true, cpus: null, latest: latest(0.25) }), 0.25);
});
fill('should be empty when offline or without a sample', () => {
  assert.is(loadFill({ online: false, cpus: 1, latest: latest(0.5) }), 0);
  assert.is(loadFill({ online: true, cpus: 1, latest: null }), 0);
  assert.is(loadPerCpu({ cpus: 1, latest: null }), null);
});
fill.run();
