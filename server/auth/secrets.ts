/**
 * Passwords are stored as scrypt hashes; agent, kiosk and session tokens are
 * random 256-bit values stored as their SHA-256 (a fast hash is enough for a
 * secret with that much entropy). All comparisons are constant-time.
 */
import { createHash, randomBytes, scrypt, timingSafeEqual } from 'node:crypto';

const N = 16384, r = 8, p = 1, KEYLEN = 32;

function scryptAsync(password: string, salt: Buffer, params = { N, r, p }, keylen = KEYLEN): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(password.normalize('NFKC'), salt, keylen, { ...params, maxmem: 64 * 1024 * 1024 }, (err, key) => (err ? reject(err) : resolve(key))));
}

/** `scrypt$N$r$p$salt$hash` (base64). */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scryptAsync(password, salt);
  return `scrypt$${N}$${r}$${p}$${salt.toString('base64')}$${key.toString('base64')}`;
}

/** A hash to check against when the user does not exist, so both paths cost the same. */
let dummyHash: Promise<string> | null = null;

export async function verifyPassword(password: string, stored: string | null): Promise<boolean> {
  const hash = stored ?? await (dummyHash ??= hashPassword('not-a-real-password'));
  const parts = hash.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  // The cost parameters stored with the hash are used, so raising them later keeps old hashes valid.
  const [sN, sr, sp] = [Number(parts[1]), Number(parts[2]), Number(parts[3])];
  if (![sN, sr, sp].every((x) => Number.isInteger(x) && x > 0) || sN > 2 ** 20 || sr > 32 || sp > 16) return false;
  const salt = Buffer.from(parts[4], 'base64');
  const expected = Buffer.from(parts[5], 'base64');
  if (expected.length < 16 || expected.length > 64) return false;
  const key = await scryptAsync(password, salt, { N: sN, r: sr, p: sp }, expected.length);
  return key.length === expected.length && timingSafeEqual(key, expected) && stored !== null;
}

/** A new random token, URL-safe, with a prefix that tells what it is for (e.g. "rpa_" for agents). */
export function newToken(prefix: string): string {
  return prefix + randomBytes(32).toString('base64url');
}

/** SHA-256 hex of a token: what is stored and looked up. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
