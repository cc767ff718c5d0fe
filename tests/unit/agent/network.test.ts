import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { netRates, parseNetDev, readNetDev, type NetDev } from '../../../agent/collectors/network.js';
import { fixture, tree } from './_fixtures.js';

const parse = suite('parseNetDev');
parse('should read rx and tx bytes of every interface, headers skipped', () => {
  const r = parseNetDev(fixture('t0', 'net/dev'));
  assert.ok(r.ok);
  if (!r.ok) return;
  assert.equal([...r.value.keys()], ['lo', 'eth0', 'eth1']);
  assert.equal(r.value.get('eth0'), { rxBytes: 5_000_000_000, txBytes: 2_000_000_000 });
});
parse('should split the name at the colon when no space follows it', () => {
  const r = parseNetDev(fixture('t1', 'net/dev'));
  assert.ok(r.ok);
  if (r.ok) assert.equal(r.value.get('eth0'), { rxBytes: 5_002_000_000, txBytes: 2_001_000_000 });
});
parse('should fail when only the headers are there', () => {
  const r = parseNetDev(fixture('bad', 'net/dev'));
  assert.is(r.ok, false);
  if (!r.ok) assert.match(r.error, 'no interface lines');
});
parse('should skip a truncated interface line and keep the others', () => {
  const r = parseNetDev(`${fixture('t0', 'net/dev')}  eth2: 12 34\n`);
  assert.ok(r.ok);
  if (r.ok) assert.equal([...r.value.keys()], ['lo', 'eth0', 'eth1']);
});
parse.run();

const rates = suite('netRates');
const dev = (text: string): NetDev => {
  const r = parseNetDev(text);
  if (!r.ok) throw new Error(r.error);
  return r.value;
};
rates('should sum non-loopback interfaces per second, a wrapped counter adding 0', () => {
  // Over 2 s: rx eth0 +2,000,000, eth1 wrapped → 0; tx eth0 +1,000,000, eth1 +200,000;
  // lo (+500,000 each way) and the new wlan0 left out.
  assert.equal(netRates(dev(fixture('t0', 'net/dev')), dev(fixture('t1', 'net/dev')), 2000), { rxBps: 1_000_000, txBps: 600_000 });
});
rates('should report 0 B/s when a counter wraps', () => {
  const a = new Map([['eth0', { rxBytes: 4_294_967_000, txBytes: 10 }]]);
  const b = new Map([['eth0', { rxBytes: 100, txBytes: 5 }]]);
  assert.equal(netRates(a, b, 1000), { rxBps: 0, txBps: 0 });
});
rates('should report 0 B/s when no time passed', () => {
  assert.equal(netRates(dev(fixture('t0', 'net/dev')), dev(fixture('t1', 'net/dev')), 0), { rxBps: 0, txBps: 0 });
});
rates.run();

const read = suite('readNetDev');
read('should read <procRoot>/net/dev', async () => {
  const r = await readNetDev({ procRoot: tree('t1') });
  assert.ok(r.ok);
  if (r.ok) assert.is(r.value.size, 4);
});
read('should fail naming the file when it is missing', async () => {
  const r = await readNetDev({ procRoot: tree('old-kernel') });
  assert.is(r.ok, false);
  if (!r.ok) assert.match(r.error, /old-kernel\/net\/dev: missing/);
});
read.run();
