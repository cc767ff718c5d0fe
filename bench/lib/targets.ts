/**
 * The servers an ingest benchmark runs against, each a child process pinned to
 * one core: the bare socket.io baseline, and the hub on SQLite or MariaDB with
 * a database of its own (created here, removed at the end).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { HostCreated } from '../../protocol/index.js';
import { onCleanup } from './cleanup.js';
import { login } from './dashboard.js';
import { freePort, sleep, spawnPinned, waitForHttp, type Child } from './proc.js';

/** Repository root (children run from here so `--import tsx` and relative paths resolve). */
export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export type TargetName = 'bare' | 'sqlite' | 'mariadb';

export interface Target {
  name: TargetName;
  url: string;
  child: Child;
  /** Session cookie of the bench admin (hub only). */
  cookie?: string;
  /** One agent token per simulated agent. */
  tokens: string[];
  /** The hub's DATABASE_URL (hub only). */
  databaseUrl?: string;
  /** Stop the process and remove its database. */
  stop(): Promise<void>;
}

export const ADMIN = { email: 'bench@example.com', password: 'benchpassword' };
/** Server (and MariaDB database) for the hub on MariaDB; the database is dropped and recreated. */
export const MARIADB = { host: '127.0.0.1', port: 3306, user: 'root', password: '', database: 'rackpulse_bench' };

/** Start the bare socket.io server (bench/bare-server.ts) on `core`. */
export async function startBare(core: number, agents: number): Promise<Target> {
  const port = await freePort();
  const child = spawnPinned('bare', core, process.execPath, ['--import', 'tsx', 'bench/bare-server.ts'],
    { cwd: ROOT, env: { PORT: String(port), HOST: '127.0.0.1' } });
  const url = `http://127.0.0.1:${port}`;
  await waitForHttp(`${url}/healthz`, child, 30000);
  // The bare server accepts any token.
  const tokens = Array.from({ length: agents }, (_, i) => `bench-token-${i}`);
  return { name: 'bare', url, child, tokens, stop: () => child.stop() };
}

/** More for a hub: `env` (e.g. REDIS_URL, CLUSTER_NAME for several hubs); `databaseUrl`: share that database (not created, not dropped). */
export interface HubExtra { env?: Record<string, string>; databaseUrl?: string; name?: string }

/**
 * Start the hub (`entry`, server/main.ts) on `core` with an empty database of its own (or `extra.databaseUrl`),
 * log in as the bench admin and register `agents` hosts.
 */
export async function startHub(store: 'sqlite' | 'mariadb', core: number, agents: number,
  log: (m: string) => void, entry = 'server/main.ts', extra: HubExtra = {}): Promise<Target> {
  let databaseUrl: string;
  let removeDb: () => Promise<void>;
  if (extra.databaseUrl) {
    databaseUrl = extra.databaseUrl;
    removeDb = async () => {};
  } else if (store === 'sqlite') {
    const dir = await mkdtemp(join(tmpdir(), 'rackpulse-bench-'));
    databaseUrl = `sqlite:${join(dir, 'bench.sqlite')}`;
    removeDb = onCleanup(`remove ${dir}`, () => rm(dir, { recursive: true, force: true }));
  } else {
    await mariadb(`DROP DATABASE IF EXISTS \`${MARIADB.database}\``);
    await mariadb(`CREATE DATABASE \`${MARIADB.database}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
    const auth = MARIADB.password ? `${MARIADB.user}:${encodeURIComponent(MARIADB.password)}` : MARIADB.user;
    databaseUrl = `mysql://${auth}@${MARIADB.host}:${MARIADB.port}/${MARIADB.database}`;
    removeDb = onCleanup(`drop database ${MARIADB.database}`, () => mariadb(`DROP DATABASE IF EXISTS \`${MARIADB.database}\``));
  }
  const port = await freePort();
  // RACKPULSE_BENCH_HUB_PROFILE=DIR writes a V8 CPU profile of each hub there when it stops.
  const prof = process.env.RACKPULSE_BENCH_HUB_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.RACKPULSE_BENCH_HUB_PROFILE}`] : [];
  const child = spawnPinned(extra.name ?? `hub-${store}`, core, process.execPath, [...prof, '--import', 'tsx', entry], {
    cwd: ROOT,
    env: {
      PORT: String(port), HOST: '127.0.0.1', DATABASE_URL: databaseUrl, LOG_LEVEL: 'warn',
      ADMIN_EMAIL: ADMIN.email, ADMIN_PASSWORD: ADMIN.password, SESSION_SECRET: 'rackpulse-bench-session-secret-0123456789',
      // One bench client (one session) drives thousands of requests per second: measure the path, not the flood limit.
      API_RATE_LIMIT: '0', ...extra.env,
    },
  });
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => { await child.stop(); await removeDb(); };
  try {
    await waitForHttp(`${url}/healthz`, child, 90000);
    const cookie = await retry(3, 1000, () => login(url, ADMIN.email, ADMIN.password));
    const t0 = performance.now();
    const tokens = await createHosts(url, cookie, agents, 16);
    log(`hub-${store}: ${agents} hosts registered in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    return { name: store, url, child, cookie, tokens, databaseUrl, stop };
  } catch (e) {
    log(`hub-${store} failed to start; its last output:\n${child.tail()}`);
    await stop();
    throw e;
  }
}

/** `fn()`, tried up to `times` times `delayMs` apart. */
async function retry<T>(times: number, delayMs: number, fn: () => Promise<T>): Promise<T> {
  for (let i = 1; ; i++) {
    try { return await fn(); } catch (e) {
      if (i >= times) throw e;
      await sleep(delayMs);
    }
  }
}

/** Register `n` hosts through the REST API, `concurrency` requests at a time; returns their agent tokens. */
async function createHosts(url: string, cookie: string, n: number, concurrency: number): Promise<string[]> {
  const tokens = new Array<string>(n);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < n; i = next++) {
      const res = await fetch(`${url}/api/hosts`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', cookie, origin: url },
        body: JSON.stringify({ name: `bench-${i}` }),
      });
      if (!res.ok) throw new Error(`POST /api/hosts: HTTP ${res.status} ${await res.text()}`);
      tokens[i] = ((await res.json()) as HostCreated).token;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return tokens;
}

/** Run one statement on the MariaDB server (no database selected). */
async function mariadb(sql: string): Promise<void> {
  const { createConnection } = await import('mysql2/promise');
  const conn = await createConnection({
    host: MARIADB.host, port: MARIADB.port, user: MARIADB.user, password: MARIADB.password, connectTimeout: 5000,
  });
  try { await conn.query(sql); } finally { await conn.end(); }
}
