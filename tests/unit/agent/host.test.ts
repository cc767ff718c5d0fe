import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { helloSchema } from '../../../protocol/index.js';
import { parseBootTime, parseCpuCount, parseOneLine, readHostFacts } from '../../../agent/collectors/host.js';
import { fixture, tree } from './_fixtures.js';

const boot = suite('parseBootTime');
boot('should turn the btime line (Unix s) into Unix ms', () => {
  assert.equal(parseBootTime(fixture('t0', 'stat')), { ok: true, value: 1_700_000_000_000 });
});
boot('should fail without a btime line', () => {
  assert.is(parseBootTime(fixture('bad', 'stat')).ok, false);
});
boot.run();

const cpus = suite('parseCpuCount');
cpus('should count the cpuN lines', () => {
  assert.equal(parseCpuCount(fixture('t0', 'stat')), { ok: true, value: 2 });
});
cpus('should fail when there is none', () => {
  assert.is(parseCpuCount(fixture('bad', 'stat')).ok, false);
});
cpus.run();

const line = suite('parseOneLine');
line('should trim one line and refuse empty text', () => {
  assert.equal(parseOneLine('web-01\n'), { ok: true, value: 'web-01' });
  assert.is(parseOneLine(' \n').ok, false);
});
line.run();

const facts = suite('readHostFacts');
facts('should describe the fixture host entirely from its proc tree', async () => {
  const f = await readHostFacts({ procRoot: tree('t0') });
  assert.equal(f.warnings, []);
  assert.equal(f.hello, {
    hostname: 'web-01.example.net', os: 'linux', kernel: '6.1.0-18-amd64',
    cpus: 2, memTotalBytes: 16_710_123_520, bootTime: 1_700_000_000_000,
  });
});
facts('should fall back to the os module for every unreadable fact, with a warning each', async () => {
  const f = await readHostFacts({ procRoot: tree('bad') });
  assert.is(f.warnings.length, 5);
  assert.match(f.warnings.join('\n'), 'bootTime from os.uptime()');
  assert.ok(helloSchema.safeParse(f.hello).success);
});
facts.run();
