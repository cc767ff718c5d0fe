import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { meminfoField, parseMeminfo, parseMeminfoFields, readMeminfo } from '../../../agent/collectors/memory.js';
import { fixture, tree } from './_fixtures.js';

const fields = suite('parseMeminfoFields');
fields('should convert kB to bytes and keep unitless counts as they are', () => {
  const f = parseMeminfoFields(fixture('t0', 'meminfo'));
  assert.is(f.get('MemTotal'), 16_318_480 * 1024);
  assert.is(f.get('Active(anon)'), 3_000_000 * 1024);
  assert.is(f.get('HugePages_Total'), 0);
  assert.is(f.get('Hugepagesize'), 2048 * 1024);
});
fields.run();

const field = suite('meminfoField');
field('should agree with parseMeminfoFields on every field of the fixtures, and on missing or malformed lines', () => {
  for (const name of ['t0', 'old-kernel', 'bad']) {
    const text = fixture(name, 'meminfo');
    const all = parseMeminfoFields(text);
    for (const line of text.split('\n')) {
      const key = line.split(':')[0];
      if (key) assert.is(meminfoField(text, key), all.get(key), `${name}: ${key}`);
    }
  }
  assert.is(meminfoField('MemTotal: 100 kB\n', 'MemTotal'), 102_400);
  assert.is(meminfoField('X: 1 kB\nMemTotal: 100 kB', 'MemTotal'), 102_400);
  assert.is(meminfoField('MemTotal: 7\n', 'MemTotal'), 7);
  assert.is(meminfoField('MemTotal: 100 MB\n', 'MemTotal'), undefined);
  assert.is(meminfoField('MemTotal:100 kB\n', 'MemTotal'), undefined);
  assert.is(meminfoField('MemTotal: 100kB\n', 'MemTotal'), undefined);
  assert.is(meminfoField('MemTotal: \n', 'MemTotal'), undefined);
  assert.is(meminfoField('XMemTotal: 5 kB\n', 'MemTotal'), undefined);
  assert.is(meminfoField('', 'MemTotal'), undefined);
});
field.run();

const parse = suite('parseMeminfo');
parse('should report used as MemTotal − MemAvailable in bytes', () => {
  // (16318480 − 8159240) kB × 1024
  assert.equal(parseMeminfo(fixture('t0', 'meminfo')), {
    ok: true,
    value: { totalBytes: 16_710_123_520, availableBytes: 8_355_061_760, usedBytes: 8_355_061_760 },
  });
});
parse('should fall back to MemFree + Buffers + Cached without MemAvailable', () => {
  // available (512000 + 102400 + 409600) kB = 1024000 kB; used 2048000 − 1024000 kB
  assert.equal(parseMeminfo(fixture('old-kernel', 'meminfo')), {
    ok: true,
    value: { totalBytes: 2_097_152_000, availableBytes: 1_048_576_000, usedBytes: 1_048_576_000 },
  });
});
parse('should fail without MemTotal', () => {
  const r = parseMeminfo(fixture('bad', 'meminfo'));
  assert.is(r.ok, false);
  if (!r.ok) assert.match(r.error, 'MemTotal');
});
parse('should never report negative used memory', () => {
  const r = parseMeminfo('MemTotal: 100 kB\nMemAvailable: 150 kB\n');
  assert.equal(r, { ok: true, value: { totalBytes: 102_400, availableBytes: 102_400, usedBytes: 0 } });
});
parse.run();

const read = suite('readMeminfo');
read('should read <procRoot>/meminfo', async () => {
  const r = await readMeminfo({ procRoot: tree('t1') });
  assert.ok(r.ok);
  if (r.ok) assert.is(r.value.usedBytes, (16_318_480 - 8_000_000) * 1024);
});
read.run();
