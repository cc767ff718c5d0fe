/**
 * Sign-in sessions: a random cookie value whose SHA-256 is the session row's
 * id. Looked-up sessions are cached briefly so a busy dashboard does not hit
 * the database on every request.
 */
import { SessionSchema, UserSchema, type User } from '../db/entities.js';
import type { Orm } from '../db/orm.js';
import { hashPassword, hashToken, newToken, verifyPassword } from './secrets.js';

export const SESSION_COOKIE = 'rp_session';
/** Sessions last 7 days. */
export const SESSION_TTL_MS = 7 * 24 * 3600 * 1000;
const CACHE_MS = 5000;

export class SessionService {
  private cache = new Map<string, { user: User; expiresAt: number; cachedAt: number }>();
  private endListeners: ((sessionId: string) => void)[] = [];
  /** Called with the session id (token hash) when a session ends. */
  onEnd(fn: (sessionId: string) => void): void { this.endListeners.push(fn); }
  constructor(private orm: Orm) {}

  private em() { return this.orm.em.fork(); }

  /** Session ids (SHA-256 of the cookie value) of recently seen cookies, so a busy client is not hashed on every request. */
  private ids = new Map<string, string>();
  private idOf(token: string): string {
    let id = this.ids.get(token);
    if (id === undefined) {
      if (this.ids.size >= 10000) this.ids.clear();
      this.ids.set(token, (id = hashToken(token)));
    }
    return id;
  }

  /** Which of these session ids are still valid (in the database, not expired); the others leave the cache. */
  async activeOf(ids: string[], now = Date.now()): Promise<Set<string>> {
    const rows = ids.length ? await this.em().find(SessionSchema, { id: { $in: ids }, expiresAt: { $gt: now } }, { fields: ['id'] as never }) : [];
    const active = new Set(rows.map((r) => r.id));
    for (const id of ids) if (!active.has(id)) this.cache.delete(id);
    return active;
  }

  /** Check credentials; returns the user and a new session token, or null. Costs the same whether or not the email exists. */
  async signIn(email: string, password: string): Promise<{ user: User; token: string } | null> {
    const em = this.em();
    const user = await em.findOne(UserSchema, { email: email.toLowerCase() });
    const ok = await verifyPassword(password, user?.passwordHash ?? null);
    if (!user || !ok) return null;
    const token = newToken('rps_');
    const now = Date.now();
    em.create(SessionSchema, { id: hashToken(token), userId: user.id, createdAt: now, expiresAt: now + SESSION_TTL_MS });
    await em.flush();
    return { user, token };
  }

  async signOut(token: string): Promise<void> {
    const id = hashToken(token);
    this.cache.delete(id);
    await this.em().nativeDelete(SessionSchema, { id });
    for (const l of this.endListeners) l(id);
  }

  /** The user of a session cookie value, or null if unknown or expired. */
  async userOf(token: string | undefined): Promise<User | null> {
    if (!token || token.length > 200) return null;
    const id = this.idOf(token);
    const now = Date.now();
    const hit = this.cache.get(id);
    if (hit && now - hit.cachedAt < CACHE_MS) return hit.expiresAt > now ? hit.user : null;
    const em = this.em();
    const s = await em.findOne(SessionSchema, { id });
    if (!s || s.expiresAt <= now) { this.cache.delete(id); return null; }
    const user = await em.findOne(UserSchema, { id: s.userId });
    if (!user) return null;
    if (this.cache.size > 10000) this.cache.clear();
    this.cache.set(id, { user, expiresAt: s.expiresAt, cachedAt: now });
    return user;
  }

  /** Create the first admin on an empty database. Returns the generated password when none was given. */
  async ensureAdmin(email: string | undefined, password: string | undefined): Promise<{ email: string; password?: string } | null> {
    const em = this.em();
    if (await em.count(UserSchema, {}) > 0) return null;
    const addr = (email ?? 'admin@localhost').toLowerCase();
    const generated = password ? undefined : newToken('').slice(0, 20);
    em.create(UserSchema, { email: addr, passwordHash: await hashPassword(password ?? generated!), name: 'Administrator', role: 'admin', createdAt: Date.now() });
    await em.flush();
    return { email: addr, password: generated };
  }
}

/** Read one cookie from a Cookie header. */
export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const i = part.indexOf('=');
    if (i > 0 && part.slice(0, i).trim() === name) {
      try { return decodeURIComponent(part.slice(i + 1).trim()); } catch { return undefined; }
    }
  }
  return undefined;
}
