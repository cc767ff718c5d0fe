/**
 * Slows down password guessing: failed sign-ins are counted per account (email)
 * and per client address; past the limit further attempts are refused with 429
 * and Retry-After until the window passes, whether the password is right or not.
 * A successful sign-in clears its account's count. Counts are per hub process.
 */
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';

export interface ThrottleLimits {
  /** Failures allowed per email within `windowS`. */
  perAccount: number;
  /** Failures allowed per address within `windowS`. */
  perAddress: number;
  windowS: number;
}

export const THROTTLE_DEFAULTS: ThrottleLimits = { perAccount: 5, perAddress: 30, windowS: 15 * 60 };

export class LoginThrottle {
  private account: RateLimiterMemory;
  private address: RateLimiterMemory;

  constructor(private limits: ThrottleLimits = THROTTLE_DEFAULTS) {
    this.account = new RateLimiterMemory({ points: limits.perAccount, duration: limits.windowS, keyPrefix: 'acct' });
    this.address = new RateLimiterMemory({ points: limits.perAddress, duration: limits.windowS, keyPrefix: 'addr' });
  }

  /** Seconds to wait before another attempt is allowed, or 0 when one is. */
  async blockedFor(email: string, address: string): Promise<number> {
    const [a, b] = await Promise.all([this.account.get(email.toLowerCase()), this.address.get(address)]);
    const wait = (r: RateLimiterRes | null, limit: number) => (r && r.consumedPoints >= limit ? Math.ceil(r.msBeforeNext / 1000) : 0);
    return Math.max(wait(a, this.limits.perAccount), wait(b, this.limits.perAddress));
  }

  async failed(email: string, address: string): Promise<void> {
    await Promise.all([
      this.account.penalty(email.toLowerCase(), 1),
      this.address.penalty(address, 1),
    ]);
  }

  async succeeded(email: string): Promise<void> {
    await this.account.delete(email.toLowerCase());
  }
}
