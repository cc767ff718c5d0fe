import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { defaultHome, parsePasswd, parsePasswdLine, readPasswd, selectAccounts } from '../../../../agent/accounts/passwd.js';
import { at, text } from './_fixtures.js';

const line = suite('parsePasswdLine');
line('should read name, uid, gid and home of a 7-field line', () => {
  assert.equal(parsePasswdLine('alice:x:1001:1001:Alice Example,,,:/home/alice:/bin/bash'),
    { ok: true, value: { name: 'alice', uid: 1001, gid: 1001, home: '/home/alice' } });
});
line('should keep an empty home as ""', () => {
  const r = parsePasswdLine('x:x:1:1:::/bin/sh');
  assert.ok(r.ok && r.value.home === '');
});
line('should fail on a line without 7 fields', () => {
  const r = parsePasswdLine('this line is broken');
  assert.is(r.ok, false);
  if (!r.ok) assert.match(r.error, 'expected 7 fields, got 1');
});
line('should fail on a non-numeric uid', () => {
  const r = parsePasswdLine('frank:x:10x:1006::/home/frank:/bin/bash');
  assert.is(r.ok, false);
  if (!r.ok) assert.match(r.error, 'bad uid/gid "10x:1006"');
});
line('should fail on an empty name', () => {
  assert.is(parsePasswdLine(':x:1:1::/:/bin/sh').ok, false);
});
line.run();

const file = suite('parsePasswd');
file('should keep good lines and list bad ones by line number, skipping comments and NIS lines', () => {
  const { entries, errors } = parsePasswd(text('etc', 'passwd'));
  assert.equal(entries.map((e) => e.name), ['root', 'daemon', 'www-data', 'dave', 'alice', 'bob', 'carol', 'eve', 'toor', 'nobody', 'alice']);
  assert.equal(errors, ['line 9: expected 7 fields, got 1', 'line 11: bad uid/gid "10x:1006"']);
});
file('should accept CRLF line ends', () => {
  assert.equal(parsePasswd('a:x:1000:1000::/home/a:/bin/sh\r\n').entries[0].home, '/home/a');
});
file.run();

const select = suite('selectAccounts');
const { entries } = parsePasswd(text('etc', 'passwd'));
select('should take uid >= 1000 without nobody, the first entry of a duplicated name winning', () => {
  const { accounts, unknown } = selectAccounts(entries);
  assert.equal(accounts, [
    { name: 'alice', uid: 1001, home: '/home/alice' },
    { name: 'bob', uid: 1002, home: '/srv/www/bob' },
    { name: 'carol', uid: 1003, home: '/' },
    { name: 'eve', uid: 1005, home: '/home/eve' },
  ]);
  assert.equal(unknown, []);
});
select('should add included names of any uid, drop excluded ones, and keep unknown included names without uid', () => {
  const { accounts, unknown } = selectAccounts(entries, { include: ['dave', 'ghost', 'eve'], exclude: ['eve', 'carol'] });
  assert.equal(accounts.map((a) => [a.name, a.uid]), [['dave', 999], ['alice', 1001], ['bob', 1002], ['ghost', undefined]]);
  assert.equal(unknown, ['ghost']);
});
select('should honour minUid', () => {
  assert.equal(selectAccounts(entries, { minUid: 1003 }).accounts.map((a) => a.name), ['carol', 'eve']);
});
select('should take nobody only when it is included by name', () => {
  assert.not.ok(selectAccounts(entries, { minUid: 0 }).accounts.some((a) => a.name === 'nobody'));
  assert.ok(selectAccounts(entries, { include: ['nobody'] }).accounts.some((a) => a.name === 'nobody'));
});
select.run();

const home = suite('defaultHome');
home('should use an absolute passwd home', () => {
  assert.is(defaultHome({ name: 'bob', home: '/srv/www/bob' }), '/srv/www/bob');
});
home('should fall back to /home/<name> for "/", "" or a relative home', () => {
  assert.is(defaultHome({ name: 'carol', home: '/' }), '/home/carol');
  assert.is(defaultHome({ name: 'carol', home: '//' }), '/home/carol');
  assert.is(defaultHome({ name: 'ghost', home: '' }), '/home/ghost');
  assert.is(defaultHome({ name: 'x', home: 'home/x' }), '/home/x');
});
home.run();

const read = suite('readPasswd');
read('should read <etcRoot>/passwd', async () => {
  const r = await readPasswd(at('etc'));
  assert.ok(r.ok && r.value.entries.length === 11);
});
read('should name the path when the file is missing', async () => {
  const r = await readPasswd(at('no-such-etc'));
  assert.is(r.ok, false);
  if (!r.ok) assert.match(r.error, /no-such-etc\/passwd: ENOENT$/);
});
read.run();
