import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { counter, counterDelta, perSecond, readAndParse, readProcText } from '../../../agent/collectors/proc.js';
import { parseLoadavg } from '../../../agent/collectors/loadavg.js';
import { tree } from './_fixtures.js';

const delta = suite('counterDelta');
delta('should return the increase of a counter that went up', () => {
  assert.is(counterDelta(4_294_967_000, 4_294_967_290), 290);
});
delta('should return 0 when a counter went down (reset or wrap)', () => {
  assert.is(counterDelta(4_294_967_000, 300), 0);
});
delta.run();

const rate = suite('perSecond');
rate('should spread a delta over the elapsed milliseconds', () => {
  assert.is(perSecond(3000, 1500), 2000);
});
rate('should return 0 when no time passed', () => {
  assert.is(perSecond(3000, 0), 0);
  assert.is(perSecond(3000, -5), 0);
});
rate.run();

const num = suite('counter');
num('should parse a plain decimal and reject anything else as NaN', () => {
  assert.is(counter('12345'), 12345);
  assert.ok(Number.isNaN(counter('-1')));
  assert.ok(Number.isNaN(counter('1e3')));
  assert.ok(Number.isNaN(counter(undefined)));
});
num.run();

const read = suite('readProcText');
read('should name the path and say "missing" for an absent file', async () => {
  const r = await readProcText('diskstats', { procRoot: tree('bad') });
  assert.is(r.ok, false);
  if (!r.ok) assert.match(r.error, /bad\/diskstats: missing$/);
});
read('should return the text of a present file', async () => {
  const r = await readProcText('loadavg', { procRoot: tree('t0') });
  assert.equal(r, { ok: true, value: '0.52 0.58 0.59 2/345 12345\n' });
});
read.run();

const rap = suite('readAndParse');
rap('should prefix a parse error with the file path', async () => {
  const r = await readAndParse('loadavg', parseLoadavg, { procRoot: tree('bad') });
  assert.is(r.ok, false);
  if (!r.ok) assert.match(r.error, /bad\/loadavg: expected three load averages/);
});
rap.run();
