/**
 * Service check: a systemd unit active, by `systemctl is-active -- <unit>`
 * run with execFile (no shell), a minimal environment and a timeout. The unit
 * name is checked against UNIT_NAME_RE here too, not only in the config.
 */
import { childProcess } from '../child-process.js';
import { performance } from 'node:perf_hooks';
import { since, timeoutReason, type CheckOutcome } from './outcome.js';
import { UNIT_NAME_RE, type SystemdCheck } from './spec.js';

export interface SystemdOptions {
  /** The systemctl binary, found on PATH by default. */
  systemctl?: string;
}

const UP = new Set(['active', 'reloading', 'refreshing']);
const DOWN = new Set(['inactive', 'failed', 'activating', 'deactivating', 'maintenance']);

/** Ask systemd whether `spec.unit` is active. Never rejects; 'unknown' when systemd cannot tell. */
export function checkSystemd(spec: Pick<SystemdCheck, 'unit'>, timeoutMs: number, opts: SystemdOptions = {}): Promise<CheckOutcome> {
  const t0 = performance.now();
  if (!UNIT_NAME_RE.test(spec.unit)) return Promise.resolve({ status: 'unknown', latencyMs: 0, reason: 'invalid unit name' });
  return childProcess().then(({ execFile }) => new Promise((resolve) => {
    execFile(opts.systemctl ?? 'systemctl', ['is-active', '--', spec.unit], {
      timeout: timeoutMs,
      killSignal: 'SIGKILL',
      maxBuffer: 64 * 1024,
      env: { PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', LC_ALL: 'C' },
      shell: false,
    }, (err, stdout, stderr) => {
      const latencyMs = since(t0);
      const e = err as (NodeJS.ErrnoException & { killed?: boolean }) | null;
      if (e?.code === 'ENOENT') return resolve({ status: 'unknown', latencyMs, reason: 'systemctl not found' });
      if (e?.killed) return resolve({ status: 'unknown', latencyMs, reason: timeoutReason(timeoutMs) });
      // is-active exits non-zero for every state but active; the state is on stdout.
      const state = String(stdout).trim().split('\n')[0] ?? '';
      if (UP.has(state)) return resolve({ status: 'up', latencyMs });
      if (DOWN.has(state)) return resolve({ status: 'down', latencyMs, reason: state });
      const why = String(stderr).trim().split('\n')[0] || (state ? `state "${state}"` : (e?.message ?? 'no answer'));
      resolve({ status: 'unknown', latencyMs, reason: why.slice(0, 200) });
    });
  }));
}
