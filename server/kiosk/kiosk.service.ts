/**
 * NOC kiosk tokens: created by an admin (the token is shown once, only its
 * SHA-256 is stored), listed, revoked. `authenticate` turns a bearer token into
 * its kiosk. Valid tokens are cached for CACHE_MS so a wall polling every second
 * does not hit the database per request; a revocation on this hub evicts at once
 * and tells listeners (live sockets and long-polls of that kiosk end). A
 * revocation on another hub takes effect here within CACHE_MS.
 */
import { kioskQueue, type KioskDto } from '../../protocol/index.js';
import { hashToken, newToken } from '../auth/secrets.js';
import type { AuditService } from '../audit/audit.service.js';
import type { User } from '../db/entities.js';
import type { Orm } from '../db/orm.js';
import type { Logger } from '../logger.js';
import { KioskSchema, type Kiosk } from './kiosk.entities.js';

/** How long a token seen valid is trusted without asking the database, ms. */
export const CACHE_MS = 10_000;
/** `lastUsedAt` is written at most this often per kiosk, ms. */
export const LAST_USED_EVERY_MS = 60_000;
/** Token use is audit-logged once per kiosk per hub start, then at most this often, ms. */
export const AUDIT_USE_EVERY_MS = 3600_000;

export const KIOSK_TOKEN_PREFIX = 'rpk_';

export function kioskDto(k: Kiosk): KioskDto {
  return { id: k.id, name: k.name, canAck: k.canAck, queue: kioskQueue(k.id), createdAt: k.createdAt, lastUsedAt: k.lastUsedAt, revokedAt: k.revokedAt };
}

export class KioskService {
  private cache = new Map<string, { kiosk: Kiosk; cachedAt: number }>();
  private usedWrittenAt = new Map<number, number>();
  private auditedAt = new Map<number, number>();
  private revokeListeners: ((id: number) => void)[] = [];

  constructor(private orm: Orm, private audit: AuditService, private log: Logger) {}

  private em() { return this.orm.em.fork(); }

  private running = new Map<number, Set<AbortController>>();

  /** Which of these kiosks are not revoked (a revoked one's cached token is dropped). */
  async activeOf(ids: number[]): Promise<Set<number>> {
    const rows = ids.length ? await this.em().find(KioskSchema, { id: { $in: ids }, revokedAt: null }, { fields: ['id'] as never }) : [];
    const active = new Set(rows.map((r) => r.id));
    for (const [hash, hit] of this.cache) if (ids.includes(hit.kiosk.id) && !active.has(hit.kiosk.id)) { hit.kiosk.revokedAt ??= Date.now(); this.cache.delete(hash); }
    return active;
  }

  /** A signal that aborts if the kiosk is revoked while a request of it runs; call `release` when it ends. */
  watch(id: number): { signal: AbortSignal; release(): void } {
    const ac = new AbortController();
    let set = this.running.get(id);
    if (!set) this.running.set(id, (set = new Set()));
    set.add(ac);
    return { signal: ac.signal, release: () => { set!.delete(ac); if (!set!.size && this.running.get(id) === set) this.running.delete(id); } };
  }

  /** Called with the kiosk id when a kiosk is revoked on this hub. */
  onRevoke(fn: (id: number) => void): void { this.revokeListeners.push(fn); }

  async create(name: string, canAck: boolean, admin: User): Promise<{ kiosk: Kiosk; token: string }> {
    const em = this.em();
    const token = newToken(KIOSK_TOKEN_PREFIX);
    const kiosk = em.create(KioskSchema, { name, tokenHash: hashToken(token), canAck, createdAt: Date.now(), lastUsedAt: null, revokedAt: null, createdBy: admin.id });
    await em.flush();
    await this.audit.record({ actor: admin, action: 'kiosk.create', target: `kiosk:${kiosk.id} (${name})`, outcome: 'succeeded', detail: { canAck } });
    return { kiosk, token };
  }

  list(): Promise<Kiosk[]> { return this.em().find(KioskSchema, {}, { orderBy: { id: 'asc' }, limit: 1000 }); }

  /** Revoke a kiosk; false if there is none. Revoking twice keeps the first time. */
  async revoke(id: number, admin: User): Promise<Kiosk | null> {
    const em = this.em();
    const k = await em.findOne(KioskSchema, { id });
    if (!k) return null;
    if (k.revokedAt === null) { k.revokedAt = Date.now(); await em.flush(); }
    for (const [hash, hit] of this.cache) {
      if (hit.kiosk.id === id) { hit.kiosk.revokedAt = k.revokedAt; this.cache.delete(hash); }
    }
    for (const ac of this.running.get(id) ?? []) ac.abort();
    for (const l of this.revokeListeners) {
      try { l(id); } catch (err: any) { this.log.warn({ err: err?.message, kioskId: id }, 'kiosk revoke listener failed'); }
    }
    await this.audit.record({ actor: admin, action: 'kiosk.revoke', target: `kiosk:${id} (${k.name})`, outcome: 'succeeded' });
    return k;
  }

  /**
   * The kiosk of a bearer token, or null when it is unknown or revoked. Throws when the database
   * is unreachable and the token is not cached. The returned object is shared with the cache: a
   * revocation on this hub sets its `revokedAt`, so a request that already holds it can tell.
   */
  async authenticate(token: string | undefined, now = Date.now()): Promise<Kiosk | null> {
    if (!token || token.length > 200 || !token.startsWith(KIOSK_TOKEN_PREFIX)) return null;
    const hash = hashToken(token);
    let hit = this.cache.get(hash);
    if (!hit || now - hit.cachedAt >= CACHE_MS) {
      let row: Kiosk | null;
      try {
        row = await this.em().findOne(KioskSchema, { tokenHash: hash });
      } catch (err) {
        if (hit) row = hit.kiosk; // the database is briefly away: keep serving a token seen valid
        else throw err;
      }
      if (!row || row.revokedAt !== null) { this.cache.delete(hash); if (hit) hit.kiosk.revokedAt = row?.revokedAt ?? now; return null; }
      if (this.cache.size > 10_000) this.cache.clear();
      // Keep the same object across refreshes so holders see a later revocation.
      if (hit) { Object.assign(hit.kiosk, { name: row.name, canAck: row.canAck }); hit.cachedAt = now; }
      else this.cache.set(hash, (hit = { kiosk: row, cachedAt: now }));
    }
    const k = hit.kiosk;
    if (k.revokedAt !== null) return null;
    this.noteUse(k, now);
    return k;
  }

  /** lastUsedAt at most once a minute; an audit row on first use per hub start and then hourly. */
  private noteUse(k: Kiosk, now: number): void {
    if (now - (this.usedWrittenAt.get(k.id) ?? 0) >= LAST_USED_EVERY_MS) {
      this.usedWrittenAt.set(k.id, now);
      k.lastUsedAt = now;
      this.em().nativeUpdate(KioskSchema, { id: k.id }, { lastUsedAt: now })
        .catch((err) => this.log.warn({ err: err?.message, kioskId: k.id }, 'could not record kiosk use'));
    }
    if (now - (this.auditedAt.get(k.id) ?? -Infinity) >= AUDIT_USE_EVERY_MS) {
      this.auditedAt.set(k.id, now);
      void this.audit.record({ actor: { kind: 'kiosk', name: k.name }, action: 'kiosk.use', target: `kiosk:${k.id}`, outcome: 'succeeded' });
    }
  }
}
