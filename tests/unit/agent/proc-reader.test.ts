import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, openSync, rmSync, writeSync, closeSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ProcReader } from '../../../agent/collectors/proc-reader.js';
import { parseLoadavg } from '../../../agent/collectors/loadavg.js';
import { tree } from './_fixtures.js';

const reader = suite('ProcReader');
const dirs: string[] = [];
reader.after(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); });

reader('firstLine() should give the first line only (or the whole text without a newline); textIfChanged() null while the bytes stay the same', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rackpulse-procreader-'));
  dirs.push(dir);
  writeFileSync(join(dir, 'stat'), `cpu  1 2 3 4\ncpu0 1 2 3 4\nintr ${'7 '.repeat(5000)}\n`);
  writeFileSync(join(dir, 'one'), 'no newline');
  const r = new ProcReader({ procRoot: dir });
  assert.equal(r.firstLine('stat'), { ok: true, value: 'cpu  1 2 3 4' });
  assert.equal(r.firstLine('one'), { ok: true, value: 'no newline' });
  const missing = r.firstLine('nope');
  assert.ok(!missing.ok && missing.error.endsWith('nope: missing'));
  writeFileSync(join(dir, 'mounts'), '/dev/sda1 / ext4 rw 0 0\n');
  assert.equal(r.textIfChanged('mounts'), { ok: true, value: '/dev/sda1 / ext4 rw 0 0\n' });
  assert.equal(r.textIfChanged('mounts'), { ok: true, value: null });
  // Same length, other bytes; then longer.
  writeFileSync(join(dir, 'mounts'), '/dev/sdb1 / ext4 rw 0 0\n');
  assert.equal(r.textIfChanged('mounts'), { ok: true, value: '/dev/sdb1 / ext4 rw 0 0\n' });
  writeFileSync(join(dir, 'mounts'), '/dev/sdb1 / ext4 rw 0 0\n/dev/sdb2 /home ext4 rw 0 0\n');
  assert.ok(r.textIfChanged('mounts').ok && (r.textIfChanged('mounts') as { value: unknown }).value === null);
  r.close();
});

reader('should read a kept-open file again from its start, seeing what changed in place and growing past its buffer', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rackpulse-procreader-'));
  dirs.push(dir);
  writeFileSync(join(dir, 'loadavg'), '0.10 0.20 0.30 1/100 42\n');
  const r = new ProcReader({ procRoot: dir, keepOpen: true });
  assert.equal(r.parse('loadavg', parseLoadavg), { ok: true, value: { load1: 0.1, load5: 0.2, load15: 0.3 } });
  // Rewritten in place (same inode, as procfs regenerates its text): the open file sees it.
  const big = `1.50 2.50 3.50 1/100 42\n${'x'.repeat(40_000)}\n`;
  const fd = openSync(join(dir, 'loadavg'), 'r+');
  writeSync(fd, big, 0);
  closeSync(fd);
  const t = r.text('loadavg');
  assert.ok(t.ok && t.value.length === big.length, 'whole text past the 16 KiB buffer');
  assert.equal(r.parse('loadavg', parseLoadavg), { ok: true, value: { load1: 1.5, load5: 2.5, load15: 3.5 } });
  r.close();
});

reader('should read /proc/self/stat of this process every time anew', () => {
  const r = new ProcReader();
  const a = r.text('self/stat');
  const b = r.text('self/stat');
  assert.ok(a.ok && b.ok);
  assert.match(a.ok ? a.value : '', new RegExp(`^${process.pid} \\(`));
  r.close();
});

reader('should name the path of a missing file, and find it once it appears', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rackpulse-procreader-'));
  dirs.push(dir);
  const r = new ProcReader({ procRoot: dir, keepOpen: true });
  assert.equal(r.text('loadavg'), { ok: false, error: `${join(dir, 'loadavg')}: missing` });
  writeFileSync(join(dir, 'loadavg'), '1 2 3 1/1 1\n');
  assert.equal(r.text('loadavg'), { ok: true, value: '1 2 3 1/1 1\n' });
  r.close();
});

reader('should reopen every time without keepOpen (a fixture tree), and say where a parse failed', () => {
  const r = new ProcReader({ procRoot: tree('t0') });
  assert.ok(r.text('loadavg').ok);
  const bad = r.parse('meminfo', () => ({ ok: false, error: 'nope' }));
  assert.equal(bad, { ok: false, error: `${join(tree('t0'), 'meminfo')}: nope` });
});

reader.run();
