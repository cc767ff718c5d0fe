import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { parseLoadavg, readLoadavg } from '../../../agent/collectors/loadavg.js';
import { fixture, tree } from './_fixtures.js';

const parse = suite('parseLoadavg');
parse('should read the 1, 5 and 15 min averages', () => {
  assert.equal(parseLoadavg(fixture('t0', 'loadavg')), { ok: true, value: { load1: 0.52, load5: 0.58, load15: 0.59 } });
});
parse('should fail with the content when the line is garbage', () => {
  const r = parseLoadavg(fixture('bad', 'loadavg'));
  assert.is(r.ok, false);
  if (!r.ok) assert.match(r.error, 'garbage');
});
parse('should fail on a truncated line with fewer than three numbers', () => {
  assert.is(parseLoadavg('0.52 0.58').ok, false);
});
parse.run();

const read = suite('readLoadavg');
read('should read <procRoot>/loadavg', async () => {
  assert.equal(await readLoadavg({ procRoot: tree('t1') }), { ok: true, value: { load1: 0.61, load5: 0.6, load15: 0.6 } });
});
read('should fail naming the file when it is missing', async () => {
  const r = await readLoadavg({ procRoot: tree('nowhere') });
  assert.is(r.ok, false);
  if (!r.ok) assert.match(r.error, /nowhere\/loadavg: missing/);
});
read.run();
