import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { parseProcStat, parseProcStatus, parseUptime } from '../../../../agent/accounts/proc-pid.js';
import { text } from './_fixtures.js';

const stat = suite('parseProcStat');
stat('should read the fields after a comm holding spaces and parentheses', () => {
  assert.equal(parseProcStat(text('proc-t1', '100', 'stat')), {
    ok: true,
    value: { pid: 100, comm: 'my (weird) app) x', state: 'S', ppid: 1, utime: 1150, stime: 250, cutime: 0, cstime: 0, starttime: 5000, rssPages: 1100 },
  });
});
stat('should read reaped-children times (cutime, cstime)', () => {
  const r = parseProcStat(text('proc-t1', '200', 'stat'));
  assert.ok(r.ok && r.value.cutime === 70 && r.value.cstime === 15);
});
stat('should read a live line of this very process', async () => {
  const { readFileSync } = await import('node:fs');
  const r = parseProcStat(readFileSync('/proc/self/stat', 'utf8'));
  assert.ok(r.ok);
  if (r.ok) assert.ok(r.value.pid > 0 && r.value.rssPages > 0 && r.value.starttime > 0);
});
stat('should fail on a line without "(comm)"', () => {
  const r = parseProcStat(text('proc-bad', '10', 'stat'));
  assert.is(r.ok, false);
  if (!r.ok) assert.match(r.error, 'no "(comm)"');
});
stat('should fail on a truncated line', () => {
  const r = parseProcStat(text('proc-bad', '13', 'stat'));
  assert.is(r.ok, false);
  if (!r.ok) assert.match(r.error, 'malformed stat line');
});
stat('should fail on a non-numeric field and name it', () => {
  const line = text('proc-t0', '101', 'stat').replace(' 6000 ', ' soon ');
  const r = parseProcStat(line);
  assert.is(r.ok, false);
  if (!r.ok) assert.match(r.error, 'field starttime');
});
stat('should count a negative cutime as 0', () => {
  const line = text('proc-t0', '101', 'stat').split(' ');
  line[15] = '-5';
  const r = parseProcStat(line.join(' '));
  assert.ok(r.ok && r.value.cutime === 0);
});
stat.run();

const status = suite('parseProcStatus');
status('should take the real uid (first of four) and VmRSS in bytes', () => {
  assert.equal(parseProcStatus(text('proc-t1', '100', 'status')), { ok: true, value: { uid: 1001, rssBytes: 4400 * 1024 } });
  assert.equal(parseProcStatus('Name:\tsu\nUid:\t1000\t0\t0\t0\nVmRSS:\t  12 kB\n'), { ok: true, value: { uid: 1000, rssBytes: 12288 } });
});
status('should give 0 bytes for a kernel thread without VmRSS', () => {
  assert.equal(parseProcStatus(text('proc-t0', '2', 'status')), { ok: true, value: { uid: 0, rssBytes: 0 } });
});
status('should fail without a Uid line', () => {
  const r = parseProcStatus(text('proc-bad', '11', 'status'));
  assert.is(r.ok, false);
  if (!r.ok) assert.match(r.error, 'Uid:');
});
status.run();

const uptime = suite('parseUptime');
uptime('should read seconds since boot', () => {
  assert.equal(parseUptime(text('proc-t1', 'uptime')), { ok: true, value: 1005 });
  assert.equal(parseUptime('2650.37 2735.37\n'), { ok: true, value: 2650.37 });
});
uptime('should fail on garbage', () => {
  assert.is(parseUptime(text('proc-bad', 'uptime')).ok, false);
});
uptime.run();
