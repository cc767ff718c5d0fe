/** Runs one configured check of any kind, with the shared helpers each kind needs. */
import { checkHttp } from './http.js';
import type { CheckOutcome } from './outcome.js';
import { checkProcess, type ProcessCheckDeps } from './process.js';
import type { ServiceCheck } from './spec.js';
import { checkSystemd, type SystemdOptions } from './systemd.js';
import { checkTcp } from './tcp.js';

export interface CheckDeps extends ProcessCheckDeps {
  systemd?: SystemdOptions;
}

/** Run `spec` with a timeout of `timeoutMs`. Never rejects. */
export function runCheck(spec: ServiceCheck, timeoutMs: number, deps: CheckDeps): Promise<CheckOutcome> {
  switch (spec.kind) {
    case 'tcp': return checkTcp(spec, timeoutMs);
    case 'http': return checkHttp(spec, timeoutMs);
    // A /proc scan has no useful timeout: it is bounded by the number of processes.
    case 'process': return checkProcess(spec, deps);
    case 'systemd': return checkSystemd(spec, timeoutMs, deps.systemd);
  }
}
