import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { hashPassword, hashToken, newToken, verifyPassword } from '../../../../server/auth/secrets.js';

const b64 = (s: string) => Buffer.from(s, 'base64');

// ---------------------------------------------------------------------------
const hp = suite('hashPassword');

hp('should write scrypt$N$r$p$salt$hash with a 16-byte salt and a 32-byte key', async () => {
  const h = await hashPassword('correct horse');
  const parts = h.split('$');
  assert.is(parts.length, 6);
  assert.equal(parts.slice(0, 4), ['scrypt', '16384', '8', '1']);
  assert.is(b64(parts[4]).length, 16);
  assert.is(b64(parts[5]).length, 32);
  assert.not.ok(h.includes('correct horse'));
});

hp('should salt: the same password hashes differently twice', async () => {
  const [a, b] = await Promise.all([hashPassword('same'), hashPassword('same')]);
  assert.is.not(a, b);
  assert.is.not(a.split('$')[4], b.split('$')[4]);
});

// ---------------------------------------------------------------------------
const vp = suite('verifyPassword');

vp('should accept the password a hash was made from', async () => {
  const h = await hashPassword('correct horse battery staple');
  assert.is(await verifyPassword('correct horse battery staple', h), true);
});

vp('should refuse a wrong password, including one differing by case or a trailing space', async () => {
  const h = await hashPassword('Secret-1');
  for (const wrong of ['Secret-2', 'secret-1', 'Secret-1 ', '', 'Secret-']) {
    assert.is(await verifyPassword(wrong, h), false, JSON.stringify(wrong));
  }
});

vp('should accept an empty password only against its own hash', async () => {
  const h = await hashPassword('');
  assert.is(await verifyPassword('', h), true);
  assert.is(await verifyPassword(' ', h), false);
});

vp('should treat NFKC-equivalent spellings of a password as the same', async () => {
  const h = await hashPassword('caf\u00e9-\ufb01le'); // é precomposed, "ﬁ" ligature
  assert.is(await verifyPassword('cafe\u0301-file', h), true); // e + combining acute, plain "fi"
});

vp('should resolve false for a missing user (null hash), whatever the password', async () => {
  assert.is(await verifyPassword('not-a-real-password', null), false);
  assert.is(await verifyPassword('anything', null), false);
  assert.is(await verifyPassword('', null), false);
});

vp('should resolve false for malformed stored hashes', async () => {
  const good = await hashPassword('pw');
  const [, n, r, p, salt, key] = good.split('$');
  const malformed = [
    '',
    'pw',
    'scrypt',
    `bcrypt$${n}$${r}$${p}$${salt}$${key}`,
    `scrypt$${n}$${r}$${p}$${salt}`,
    `scrypt$${n}$${r}$${p}$${salt}$${key}$extra`,
    `scrypt$${n}$${r}$${p}$${salt}$`,
    `scrypt$${n}$${r}$${p}$${salt}$${key.slice(0, 20)}`,
    `scrypt$${n}$${r}$${p}$!!!$***`,
    '$$$$$',
  ];
  for (const stored of malformed) assert.is(await verifyPassword('pw', stored), false, JSON.stringify(stored));
});

vp('should resolve false when one byte of the stored key is changed', async () => {
  const good = await hashPassword('pw');
  const parts = good.split('$');
  const key = b64(parts[5]);
  key[31] ^= 1;
  parts[5] = key.toString('base64');
  assert.is(await verifyPassword('pw', parts.join('$')), false);
});

vp('should resolve false when the salt is swapped for another hash\'s salt', async () => {
  const [a, b] = await Promise.all([hashPassword('pw'), hashPassword('pw')]);
  const pa = a.split('$'), pb = b.split('$');
  pa[4] = pb[4];
  assert.is(await verifyPassword('pw', pa.join('$')), false);
});

// ---------------------------------------------------------------------------
const nt = suite('newToken');

nt('should start with the prefix and carry 32 random bytes as base64url', () => {
  const t = newToken('rpa_');
  assert.ok(t.startsWith('rpa_'));
  const body = t.slice(4);
  assert.match(body, /^[A-Za-z0-9_-]+$/);
  assert.is(Buffer.from(body, 'base64url').length, 32);
  assert.is(body.length, 43); // ceil(32 × 4 / 3) without padding
});

nt('should accept an empty prefix', () => {
  assert.match(newToken(''), /^[A-Za-z0-9_-]{43}$/);
});

nt('should never repeat in 10000 tokens', () => {
  const seen = new Set<string>();
  for (let i = 0; i < 10_000; i++) seen.add(newToken('rps_'));
  assert.is(seen.size, 10_000);
});

// ---------------------------------------------------------------------------
const ht = suite('hashToken');

ht('should be 64 lower-case hex characters', () => {
  assert.match(hashToken(newToken('rpa_')), /^[0-9a-f]{64}$/);
  assert.match(hashToken(''), /^[0-9a-f]{64}$/);
});

ht('should be deterministic and differ between tokens', () => {
  const t = newToken('rpk_');
  assert.is(hashToken(t), hashToken(t));
  assert.is.not(hashToken(t), hashToken(t + 'x'));
  assert.is.not(hashToken('rpa_a'), hashToken('rpa_b'));
});

ht('should be the SHA-256 of the token (FIPS 180-2 vector for "abc")', () => {
  assert.is(hashToken('abc'), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
});

hp.run();
vp.run();
nt.run();
ht.run();
