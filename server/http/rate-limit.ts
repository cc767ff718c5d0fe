/**
 * Flood control. A token bucket per caller: `rate` per second sustained, up to
 * `burst` at once. The API's callers are keyed by session, kiosk token or, when
 * anonymous, address; agents have one bucket per connection (agent.socket.ts).
 */
import type { Middleware } from 'koa';
import { Counter, type Registry } from 'prom-client';
import { createHash } from 'node:crypto';
import { HttpError } from './errors.js';
import { SESSION_COOKIE } from '../auth/session.service.js';

export class TokenBucket {
  private tokens: number;
  private at: number;
  constructor(private rate: number, private burst: number, now = performance.now()) { this.tokens = burst; this.at = now; }
  /** Take one token; false when none is left. */
  take(now = performance.now()): boolean {
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.at) / 1000) * this.rate);
    this.at = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
  /** Full again (unused for long enough to be forgotten). */
  idle(now = performance.now()): boolean { return this.tokens + ((now - this.at) / 1000) * this.rate >= this.burst; }
}

/**
 * `/api` requests beyond `rate` per second (bursts up to `burst`) per caller answer 429 with Retry-After;
 * other callers are not affected. `rate` 0 turns it off.
 */
export function apiRateLimit(rate: number, burst: number, registry?: Registry): Middleware {
  const limited = new Counter({ name: 'rackpulse_api_rate_limited_total', help: 'API requests refused with 429 (a caller past its rate)', registers: registry ? [registry] : [] });
  const buckets = new Map<string, TokenBucket>();
  let swept = performance.now();
  return async (ctx, next) => {
    if (rate <= 0 || !ctx.path.startsWith('/api/')) return next();
    const now = performance.now();
    if (now - swept > 60_000) {
      swept = now;
      for (const [k, b] of buckets) if (b.idle(now)) buckets.delete(k);
    }
    const credential = ctx.cookies.get(SESSION_COOKIE) ?? (ctx.get('authorization') || undefined);
    const key = credential ? `c:${createHash('sha256').update(credential).digest('base64url').slice(0, 22)}` : `ip:${ctx.ip}`;
    let b = buckets.get(key);
    if (!b) buckets.set(key, (b = new TokenBucket(rate, burst, now)));
    if (!b.take(now)) {
      limited.inc();
      ctx.set('Retry-After', '1');
      throw new HttpError(429, 'rate_limited', `more than ${rate} requests per second; slow down`);
    }
    await next();
  };
}
