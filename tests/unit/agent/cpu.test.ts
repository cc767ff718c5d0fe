import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { cpuBusyPct, parseCpuTimes, readCpuTimes } from '../../../agent/collectors/cpu.js';
import { fixture, tree } from './_fixtures.js';

const parse = suite('parseCpuTimes');
parse('should sum busy ticks without guest and idle ticks with iowait', () => {
  // t0: user 10000 + nice 500 + system 3000 + irq 0 + softirq 500 + steal 0 = 14000 busy;
  // + idle 80000 + iowait 1000 = 95000 total; guest 200 is inside user already.
  assert.equal(parseCpuTimes(fixture('t0', 'stat')), { ok: true, value: { busy: 14000, total: 95000 } });
});
parse('should count steal as busy', () => {
  assert.equal(parseCpuTimes('cpu  10 0 10 70 0 0 0 10 0 0\n'), { ok: true, value: { busy: 30, total: 100 } });
});
parse('should accept the 4-field line of old kernels', () => {
  assert.equal(parseCpuTimes(fixture('old-kernel', 'stat')), { ok: true, value: { busy: 150, total: 1000 } });
});
parse('should fail on a truncated cpu line', () => {
  const r = parseCpuTimes(fixture('bad', 'stat'));
  assert.is(r.ok, false);
  if (!r.ok) assert.match(r.error, 'malformed');
});
parse('should fail when there is no aggregate cpu line', () => {
  assert.is(parseCpuTimes('cpu0 1 2 3 4\n').ok, false);
});
parse.run();

const pct = suite('cpuBusyPct');
pct('should give the busy share of all CPUs between two readings', () => {
  // t0 → t1: busy +150 (user +120 incl. guest +50, system +20, softirq +10), total +400.
  const a = parseCpuTimes(fixture('t0', 'stat'));
  const b = parseCpuTimes(fixture('t1', 'stat'));
  assert.ok(a.ok && b.ok);
  if (a.ok && b.ok) assert.is(cpuBusyPct(a.value, b.value), 37.5);
});
pct('should give 0 when no ticks passed', () => {
  assert.is(cpuBusyPct({ busy: 5, total: 10 }, { busy: 5, total: 10 }), 0);
});
pct('should give 0 when the counters went back', () => {
  assert.is(cpuBusyPct({ busy: 500, total: 1000 }, { busy: 10, total: 20 }), 0);
});
pct('should never exceed 100', () => {
  assert.is(cpuBusyPct({ busy: 0, total: 100 }, { busy: 300, total: 200 }), 100);
});
pct.run();

const read = suite('readCpuTimes');
read('should read <procRoot>/stat', async () => {
  assert.equal(await readCpuTimes({ procRoot: tree('t1') }), { ok: true, value: { busy: 14150, total: 95400 } });
});
read.run();
