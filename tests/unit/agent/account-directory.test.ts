import { mkdtempSync, renameSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { AccountDirectory } from '../../../agent/account-directory.js';

const etc = mkdtempSync(join(tmpdir(), 'rackpulse-etc-'));
writeFileSync(join(etc, 'passwd'), [
  'root:x:0:0:root:/root:/bin/bash',
  'www-data:x:33:33:www-data:/var/www:/usr/sbin/nologin',
  'nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin',
  'alice:x:1001:1001::/home/alice:/bin/bash',
  'bob:x:1002:100::/:/bin/bash',
  'backup:x:1003:1003::/home/backup:/bin/sh',
].join('\n'));

const dir = suite('AccountDirectory');
dir.after(() => rmSync(etc, { recursive: true, force: true }));

dir('should know a selected account with its uid, gid and home', async () => {
  const d = new AccountDirectory({ etcRoot: etc, exclude: ['backup'] });
  assert.equal(await d.account('alice'), { name: 'alice', uid: 1001, gid: 1001, home: '/home/alice' });
  // A home of "/" is never used: /home/<name> instead.
  assert.equal(await d.account('bob'), { name: 'bob', uid: 1002, gid: 100, home: '/home/bob' });
  assert.equal((await d.names()).sort(), ['alice', 'bob']);
});
dir('should not know system users, nobody, excluded or missing names as accounts', async () => {
  const d = new AccountDirectory({ etcRoot: etc, exclude: ['backup'] });
  for (const name of ['root', 'www-data', 'nobody', 'backup', 'ghost']) assert.is(await d.account(name), null, name);
});
dir('should know an included system user as an account', async () => {
  const d = new AccountDirectory({ etcRoot: etc, include: ['www-data'] });
  assert.equal(await d.account('www-data'), { name: 'www-data', uid: 33, gid: 33, home: '/var/www' });
});
dir('should give the uid of any user for process checks', async () => {
  const d = new AccountDirectory({ etcRoot: etc });
  assert.is(await d.uidOf('www-data'), 33);
  assert.is(await d.uidOf('ghost'), null);
});
dir('should know no one when passwd cannot be read', async () => {
  const d = new AccountDirectory({ etcRoot: join(etc, 'missing') });
  assert.is(await d.account('alice'), null);
  assert.is(await d.uidOf('alice'), null);
});
const ALICE = 'alice:x:1001:1001::/home/alice:/bin/bash\n';

/** A directory of its own with a passwd holding alice, and a directory that looks at it at every call. */
async function withPasswd(fn: (file: string, d: AccountDirectory) => Promise<void>): Promise<void> {
  const etc2 = mkdtempSync(join(tmpdir(), 'rackpulse-etc-'));
  try {
    const file = join(etc2, 'passwd');
    writeFileSync(file, ALICE);
    const d = new AccountDirectory({ etcRoot: etc2, maxAgeMs: 0 });
    assert.is(await d.uidOf('alice'), 1001);
    await fn(file, d);
  } finally {
    rmSync(etc2, { recursive: true, force: true });
  }
}

dir('should see a user added to passwd, or a passwd replaced by rename, at its next check', () => withPasswd(async (file, d) => {
  assert.is(await d.account('carol'), null);
  writeFileSync(file, `${ALICE}carol:x:1005:1005::/home/carol:/bin/bash\n`);
  assert.equal(await d.account('carol'), { name: 'carol', uid: 1005, gid: 1005, home: '/home/carol' });
  // The same size and the same mtime, but a new file renamed over the old one (as useradd and vipw do).
  const next = `${file}.new`;
  writeFileSync(next, `${ALICE}carol:x:1006:1006::/home/carol:/bin/bash\n`);
  const t = new Date(Date.now() - 60_000);
  utimesSync(file, t, t);
  utimesSync(next, t, t);
  assert.is(await d.uidOf('carol'), 1005);
  renameSync(next, file);
  assert.is(await d.uidOf('carol'), 1006);
}));
dir('should know no one once passwd is gone, and everyone again when it is back', () => withPasswd(async (file, d) => {
  rmSync(file);
  assert.is(await d.uidOf('alice'), null);
  writeFileSync(file, ALICE);
  assert.is(await d.uidOf('alice'), 1001);
}));
dir.run();
