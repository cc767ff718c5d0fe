/**
 * Which hub writes a host's rollups, when several hubs share one database: a lease per host in
 * Redis (`SET rackpulse:lease:host:<id> <hubId> NX PX ttl`), taken when the host's agent connects
 * to a hub, renewed by that hub every ttl/3 while its agent stays, and released after the hub's
 * final commit of that host. A hub that dies stops renewing: its leases lapse after `ttl` and
 * the agent's next hub takes over. Renewal and release only touch a lease this hub still holds.
 *
 * Redis unreachable: nobody can take a lease meanwhile, but a hub cut off from Redis alone cannot
 * tell that from another hub taking it over once it lapsed. So a hub keeps writing a host only
 * until its last successful renewal plus the ttl; then it counts the lease as lost (the host's
 * uncommitted data is dropped and its agent disconnected: it keeps its spool, and its next claim
 * waits for Redis, unacknowledged, then resends what no commit covered).
 */
import type { Logger } from '../logger.js';

/** The part of an ioredis client used here. */
export interface LeaseRedis {
  set(key: string, value: string, px: 'PX', ms: number, nx: 'NX'): Promise<unknown>;
  eval(script: string, keys: number, ...args: (string | number)[]): Promise<unknown>;
}

const RENEW = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end";
const RELEASE = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end";

export class HostLeases {
  private held = new Set<number>();
  private timer: NodeJS.Timeout;
  private lostListeners: ((hostId: number) => void)[] = [];
  /** When each held lease was last taken or renewed (the time the command was sent), Unix ms. */
  private renewedAt = new Map<number, number>();

  constructor(private redis: LeaseRedis, readonly hubId: string, readonly ttlMs: number, private log: Logger, private prefix = 'rackpulse:lease:host:') {
    this.timer = setInterval(() => void this.renewAll(), Math.max(100, Math.floor(ttlMs / 3)));
    this.timer.unref();
  }

  /** Called when a renewal finds the lease taken by another hub (this hub was stalled or cut off longer than the ttl). */
  onLost(fn: (hostId: number) => void): void { this.lostListeners.push(fn); }

  get count(): number { return this.held.size; }
  holds(hostId: number): boolean { return this.held.has(hostId); }

  /** Take the lease if it is free (or already ours); false when another hub holds it. Throws when Redis is unreachable. */
  async acquire(hostId: number): Promise<boolean> {
    const key = this.prefix + hostId, at = Date.now();
    if ((await this.redis.set(key, this.hubId, 'PX', this.ttlMs, 'NX')) === 'OK' || Number(await this.redis.eval(RENEW, 1, key, this.hubId, this.ttlMs)) === 1) {
      // An answer that waited in the client's queue (Redis was away): renew at once so the lease's end is known.
      if (Date.now() - at > this.ttlMs / 3) return this.acquire(hostId);
      this.held.add(hostId); this.renewedAt.set(hostId, at);
      return true;
    }
    return false;
  }

  /** Give the lease up (after the final commit of the host). */
  async release(hostId: number): Promise<void> {
    this.renewedAt.delete(hostId);
    if (!this.held.delete(hostId)) return;
    await this.redis.eval(RELEASE, 1, this.prefix + hostId, this.hubId).catch((err: Error) => this.log.warn({ hostId, err: err?.message }, 'lease release failed; it lapses by itself'));
  }

  private lose(hostId: number): void {
    this.renewedAt.delete(hostId);
    if (!this.held.delete(hostId)) return;
    for (const l of this.lostListeners) l(hostId);
  }

  private async renewAll(): Promise<void> {
    const now = Date.now(), wait = Math.max(100, Math.floor(this.ttlMs / 3));
    const expired = [...this.held].filter((id) => now - (this.renewedAt.get(id) ?? now) >= this.ttlMs);
    if (expired.length) {
      this.log.error({ leases: this.prefix, count: expired.length, ttlMs: this.ttlMs }, 'leases not renewed within their ttl (Redis unreachable): given up (for hosts: no longer writing them; their agents keep their spools until a hub can take the lease)');
      for (const id of expired) this.lose(id);
    }
    await Promise.all([...this.held].map(async (hostId) => {
      const at = Date.now();
      let timer: NodeJS.Timeout | undefined;
      try {
        // The client queues commands while Redis is away: a renewal that takes longer than a period counts as failed.
        const ok = Number(await Promise.race([
          this.redis.eval(RENEW, 1, this.prefix + hostId, this.hubId, this.ttlMs),
          new Promise((_, rej) => { timer = setTimeout(() => rej(new Error(`no answer within ${wait} ms`)), wait); }),
        ])) === 1;
        if (ok) { if (this.held.has(hostId)) this.renewedAt.set(hostId, Math.max(at, this.renewedAt.get(hostId) ?? 0)); return; }
        if (!this.held.has(hostId)) return;
        this.log.error({ hostId }, 'lost the lease of a host (taken by another hub, or gone with a restarted Redis); dropping its uncommitted data (its agent resends it)');
        this.lose(hostId);
      } catch (err: any) {
        // Redis away: keep writing until the lease's end (above), trying again meanwhile.
        this.log.debug({ hostId, err: err?.message }, 'lease renewal failed');
      } finally { clearTimeout(timer); }
    }));
  }

  /** Stop renewing and release every lease (the caller has committed first). */
  async close(): Promise<void> {
    clearInterval(this.timer);
    await Promise.all([...this.held].map((id) => this.release(id)));
  }
}
