/**
 * Reconnect delays for the cases socket.io does not retry by itself (the hub
 * refused the handshake, `hello` failed, the hub closed the socket). Same
 * shape as socket.io's own backoff, so every retry path behaves alike.
 */

export interface BackoffOptions {
  /** First delay, ms. */
  base: number;
  /** Largest delay, ms. */
  max: number;
  /** Spread of the random jitter, 0–1: a delay d becomes d × (1 ± jitter). */
  jitter: number;
}

/** Defaults the brief sets for the agent: 1 s doubling to 30 s, ±50 %. */
export const AGENT_BACKOFF: BackoffOptions = { base: 1000, max: 30_000, jitter: 0.5 };

/**
 * Delay before retry number `attempt` (0 for the first), ms: base × 2^attempt
 * capped at max, spread by ±jitter so a fleet that lost its hub at once does
 * not come back in lockstep; never above max.
 */
export function backoffDelay(attempt: number, opts: BackoffOptions = AGENT_BACKOFF, random: () => number = Math.random): number {
  const exp = Math.min(opts.max, opts.base * 2 ** Math.min(Math.max(0, attempt), 30));
  const spread = 1 - opts.jitter + 2 * opts.jitter * random();
  return Math.round(Math.min(opts.max, exp * spread));
}
