/** Hub and agent as child processes, for tests that kill them with SIGKILL. */
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';

const ROOT = new URL('../..', import.meta.url).pathname;

export async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => { const p = (s.address() as net.AddressInfo).port; s.close(() => resolve(p)); });
  });
}

export interface Proc { child: ChildProcess; output(): string; kill(signal?: NodeJS.Signals): Promise<void> }

export function startProcess(script: string, args: string[], env: Record<string, string>): Proc {
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const keep = (d: Buffer) => { out = (out + d.toString()).slice(-20000); };
  child.stdout!.on('data', keep); child.stderr!.on('data', keep);
  return {
    child,
    output: () => out,
    kill: (signal = 'SIGTERM') => new Promise((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill(signal);
    }),
  };
}

/** The hub (`server/main.ts`) on a given port and database. */
export function startHubProcess(port: number, databaseUrl: string, env: Record<string, string> = {}): Proc {
  return startProcess('server/main.ts', [], {
    PORT: String(port), HOST: '127.0.0.1', DATABASE_URL: databaseUrl, LOG_LEVEL: 'warn', FLUSH_INTERVAL_MS: '100',
    ADMIN_EMAIL: 'admin@example.com', ADMIN_PASSWORD: 'admin-password-1', CLIENT_DIR: '/nonexistent', ...env,
  });
}

export async function waitHealthy(url: string, ms = 20000): Promise<void> {
  const end = Date.now() + ms;
  for (;;) {
    try { if ((await fetch(`${url}/healthz`)).ok) return; } catch { /* not yet */ }
    if (Date.now() > end) throw new Error(`hub at ${url} did not come up in ${ms} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
