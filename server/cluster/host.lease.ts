/**
 * Which hub writes a host's rollups, when several hubs share one database: a lease per host in
 * Redis (`SET rackpulse:lease:host:<id> <hubId> NX PX ttl`), taken when the host's agent connects
 * to a hub, renewed by that hub every ttl/3 while its agent stays, and released after the hub's
 * final commit of that host. A hub that dies stops renewing: its leases lapse after `ttl` and
 * the agent's next hub takes over. Renewal and release only touch a lease this hub still holds.
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
    const key = this.prefix + hostId;
    if ((await this.redis.set(key, this.hubId, 'PX', this.ttlMs, 'NX')) === 'OK') { this.held.add(hostId); return true; }
    if (Number(await this.redis.eval(RENEW, 1, key, this.hubId, this.ttlMs)) === 1) { this.held.add(hostId); return true; }
    return false;
  }

  /** Give the lease up (after the final commit of the host). */
  async release(hostId: number): Promise<void> {
    if (!this.held.delete(hostId)) return;
    await this.redis.eval(RELEASE, 1, this.prefix + hostId, this.hubId).catch((err: Error) => this.log.warn({ hostId, err: err?.message }, 'lease release failed; it lapses by itself'));
  }

  private async renewAll(): Promise<void> {
    await Promise.all([...this.held].map(async (hostId) => {
      try {
        const ok = Number(await this.redis.eval(RENEW, 1, this.prefix + hostId, this.hubId, this.ttlMs)) === 1;
        if (ok || !this.held.delete(hostId)) return;
        this.log.error({ hostId }, 'lost the lease of a host to another hub; dropping its uncommitted data (its agent resends it)');
        for (const l of this.lostListeners) l(hostId);
      } catch (err: any) {
        // Redis away: nobody can take the lease meanwhile; keep writing and try again.
        this.log.warn({ hostId, err: err?.message }, 'lease renewal failed');
      }
    }));
  }

  /** Stop renewing and release every lease (the caller has committed first). */
  async close(): Promise<void> {
    clearInterval(this.timer);
    await Promise.all([...this.held].map((id) => this.release(id)));
  }
}
