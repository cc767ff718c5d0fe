import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { checkSystemd } from '../../../../agent/services/systemd.js';

const hasSystemctl = ((): boolean => {
  try {
    execFileSync('sh', ['-c', 'command -v systemctl'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

/** A stand-in systemctl: a shell script with `body`. */
const dir = mkdtempSync(join(tmpdir(), 'rackpulse-systemctl-'));
let n = 0;
const fake = (body: string): string => {
  const p = join(dir, `systemctl-${n++}`);
  writeFileSync(p, `#!/bin/sh\n${body}\n`);
  chmodSync(p, 0o755);
  return p;
};

const systemd = suite('checkSystemd');
systemd.after(() => rmSync(dir, { recursive: true, force: true }));

systemd('should be unknown with "systemctl not found" when systemctl is absent', async () => {
  const o = await checkSystemd({ unit: 'ssh.service' }, 2000, { systemctl: '/nonexistent/systemctl' });
  assert.equal([o.status, o.reason], ['unknown', 'systemctl not found']);
});

systemd('should give a status and, unless up, a reason from the real systemctl (or its absence)', async () => {
  const o = await checkSystemd({ unit: 'rackpulse-test-nonexistent.service' }, 2000);
  if (!hasSystemctl) return assert.equal([o.status, o.reason], ['unknown', 'systemctl not found']);
  // With systemd: "inactive" (down); without a running systemd (containers): unknown, saying why.
  assert.ok(o.status === 'down' || o.status === 'unknown', o.status);
  assert.ok(o.reason && o.reason.length > 0);
});

systemd('should refuse a unit name with shell or option characters without running anything', async () => {
  for (const unit of ['-H evil', 'a;reboot', '$(id)', 'x y', '../x', '']) {
    const o = await checkSystemd({ unit }, 2000, { systemctl: '/nonexistent/systemctl' });
    assert.equal([o.status, o.reason], ['unknown', 'invalid unit name'], unit);
  }
});

systemd('should map the state systemctl prints: active up, failed down with the state as reason', async () => {
  assert.equal(await checkSystemd({ unit: 'a.service' }, 2000, { systemctl: fake('echo active') }).then((o) => o.status), 'up');
  const o = await checkSystemd({ unit: 'a.service' }, 2000, { systemctl: fake('echo failed; exit 3') });
  assert.equal([o.status, o.reason], ['down', 'failed']);
});

systemd('should pass the unit after "--" as one argument', async () => {
  const o = await checkSystemd({ unit: 'web@1.service' }, 2000, { systemctl: fake('echo "$#:$1:$2:$3" >&2; exit 4') });
  assert.equal([o.status, o.reason], ['unknown', '3:is-active:--:web@1.service']);
});

systemd('should be unknown with "timeout after N ms" when systemctl hangs, and kill it', async () => {
  const t0 = Date.now();
  const o = await checkSystemd({ unit: 'x.service' }, 200, { systemctl: fake('exec sleep 5') });
  assert.equal([o.status, o.reason], ['unknown', 'timeout after 200 ms']);
  assert.ok(Date.now() - t0 < 2000);
});
systemd.run();
