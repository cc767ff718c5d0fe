/**
 * An agent's clock against the hub's. The agent's `hello` carries its clock
 * (`sentAt`): hub receive time minus that is the offset, give or take the
 * latency of one message. When the offset is beyond SKEW_FLAG_MS the hub flags
 * the host and moves that agent's sample times onto its own clock, so rollups
 * and live graphs line up with the other hosts. (Sample times alone cannot tell
 * a wrong clock from a resent backlog or a replay of history, so an agent that
 * does not send `sentAt` is taken at its word.)
 */

/** Offsets this large are flagged and corrected, ms. */
export const SKEW_FLAG_MS = 5000;

export class ClockSkew {
  /** Hub time − agent time, ms, as measured at the last hello (0 without one). */
  offset = 0;
  /** The hub has said (logged) that this clock is off. */
  reported = false;

  /** A hello sent at `sentAt` (agent clock) arrived at `now` (hub clock). */
  hello(sentAt: number, now: number): void {
    this.offset = now - sentAt;
  }

  /** The offset when it is large enough to flag and correct, else 0. */
  get correction(): number {
    return Math.abs(this.offset) >= SKEW_FLAG_MS ? Math.round(this.offset) : 0;
  }
}
