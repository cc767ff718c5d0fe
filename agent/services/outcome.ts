/**
 * What one run of a check yields, and the short reasons shown on the
 * dashboard for the usual failures.
 */
import type { ServiceStatus } from '../../protocol/index.js';

export interface CheckOutcome {
  status: ServiceStatus['status'];
  /** How long the check took, ms. */
  latencyMs: number;
  /** Short reason, e.g. "connection refused", "HTTP 500", "timeout after 2000 ms". */
  reason?: string;
}

const REASONS: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ENOTFOUND: 'name not found',
  EAI_AGAIN: 'name lookup failed',
  ETIMEDOUT: 'timeout',
  EPIPE: 'connection closed',
  ECONNABORTED: 'connection aborted',
};

/** A short reason for a socket or TLS error. */
export function errorReason(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  if (err?.code && REASONS[err.code]) return REASONS[err.code];
  if (err?.code && /CERT|SELF_SIGNED|TLS|SSL/.test(err.code)) return `TLS: ${err.code}`;
  return (err?.code ?? err?.message ?? String(e)).slice(0, 200);
}

export const timeoutReason = (ms: number): string => `timeout after ${Math.round(ms)} ms`;

/** Milliseconds since `t0` (a performance.now() reading), rounded to 0.1 ms. */
export const since = (t0: number): number => Math.round((performance.now() - t0) * 10) / 10;
