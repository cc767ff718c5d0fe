/** Service check: a TCP port accepting connections (connect, then close at once). */
import { connect } from 'node:net';
import { performance } from 'node:perf_hooks';
import { errorReason, since, timeoutReason, type CheckOutcome } from './outcome.js';
import type { TcpCheck } from './spec.js';

/** Connect to `host:port`; up when the connection is accepted within `timeoutMs`. Never rejects. */
export function checkTcp(spec: Pick<TcpCheck, 'host' | 'port'>, timeoutMs: number): Promise<CheckOutcome> {
  return new Promise((resolve) => {
    const t0 = performance.now();
    const socket = connect({ host: spec.host, port: spec.port });
    let done = false;
    const finish = (o: Omit<CheckOutcome, 'latencyMs'>): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      resolve({ ...o, latencyMs: since(t0) });
    };
    // One deadline for name lookup and connect together.
    const timer = setTimeout(() => finish({ status: 'down', reason: timeoutReason(timeoutMs) }), timeoutMs);
    socket.once('connect', () => finish({ status: 'up' }));
    socket.once('error', (e) => finish({ status: 'down', reason: errorReason(e) }));
  });
}
