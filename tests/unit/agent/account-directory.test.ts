import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
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
dir.run();
