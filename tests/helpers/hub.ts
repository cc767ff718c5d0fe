/** Start a real hub on port 0 against a test database, with an admin signed in. */
import { pino } from 'pino';
import { io as ioc, type Socket } from 'socket.io-client';
import { loadConfig } from '../../server/config.js';
import { createHub, type Hub } from '../../server/hub.js';
import {
  PROTOCOL_VERSION, type AgentToHubEvents, type HubToAgentEvents, type LiveClientToServerEvents, type LiveServerToClientEvents,
} from '../../protocol/index.js';
import { createTestDb, type DbKind, type TestDb } from './db.js';

export const ADMIN = { email: 'admin@example.com', password: 'admin-password-1' };

export class Api {
  cookie = '';
  constructor(readonly base: string) {}
  async req(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: any; headers: Headers }> {
    const res = await fetch(this.base + path, {
      method,
      headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...(this.cookie ? { cookie: this.cookie } : {}), ...headers },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    let parsed: any = text;
    try { parsed = text ? JSON.parse(text) : null; } catch { /* not JSON */ }
    return { status: res.status, body: parsed, headers: res.headers };
  }
  get(p: string) { return this.req('GET', p); }
  post(p: string, b?: unknown) { return this.req('POST', p, b ?? {}); }
  del(p: string) { return this.req('DELETE', p); }
  async login(email: string, password: string): Promise<this> {
    const res = await fetch(this.base + '/api/session', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password }) });
    if (res.status !== 200) throw new Error(`login failed: ${res.status} ${await res.text()}`);
    this.cookie = (res.headers.get('set-cookie') ?? '').split(';')[0];
    return this;
  }
}

export interface TestHub { hub: Hub; db: TestDb; url: string; admin: Api; stop(opts?: { keepDb?: boolean }): Promise<void>; restart(): Promise<TestHub> }

export async function startHub(kind: DbKind, env: Record<string, string> = {}, existing?: TestDb): Promise<TestHub> {
  try {
    return await startHubUnlogged(kind, env, existing);
  } catch (err) {
    // uvu swallows errors thrown in `before` hooks: say it here (npm test counts those tests as failed).
    console.error(`\n  could not start a hub on ${kind}: ${(err as Error)?.stack ?? err}\n`);
    throw err;
  }
}

async function startHubUnlogged(kind: DbKind, env: Record<string, string>, existing?: TestDb): Promise<TestHub> {
  const db = existing ?? await createTestDb(kind);
  const config = loadConfig({
    PORT: '0', HOST: '127.0.0.1', DATABASE_URL: db.url, ADMIN_EMAIL: ADMIN.email, ADMIN_PASSWORD: ADMIN.password,
    FLUSH_INTERVAL_MS: '50', LIVE_INTERVAL_MS: '20', LOG_LEVEL: 'silent', CLIENT_DIR: '/nonexistent',
    // Tests drive the API far faster than any person; the flood tests set their own limits.
    API_RATE_LIMIT: '0', ...env,
  });
  const hub = await createHub(config, { log: pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }) });
  const admin = await new Api(hub.url).login(ADMIN.email, ADMIN.password);
  const t: TestHub = {
    hub, db, url: hub.url, admin,
    async stop(opts = {}) { await hub.close(); if (!opts.keepDb) await db.drop(); },
    async restart() { await hub.close(); return startHub(kind, env, db); },
  };
  return t;
}

export type RawAgent = Socket<HubToAgentEvents, AgentToHubEvents>;

/** A raw socket.io agent connection (for protocol-level tests). Resolves once connected, rejects with the connect_error. */
export function connectRawAgent(url: string, auth: Record<string, unknown>): Promise<RawAgent> {
  const s: RawAgent = ioc(`${url}/agent`, { auth, transports: ['websocket'], reconnection: false, forceNew: true });
  return new Promise((resolve, reject) => {
    s.once('connect', () => resolve(s));
    s.once('connect_error', (err) => { s.close(); reject(err); });
  });
}

export const agentAuth = (token: string) => ({ token, agentVersion: 'test', protocol: PROTOCOL_VERSION });

export type LiveClient = Socket<LiveServerToClientEvents, LiveClientToServerEvents>;
export function connectLive(url: string, cookie: string): Promise<LiveClient> {
  const s: LiveClient = ioc(`${url}/live`, { transports: ['websocket'], reconnection: false, forceNew: true, extraHeaders: cookie ? { cookie } : {} });
  return new Promise((resolve, reject) => {
    s.once('connect', () => resolve(s));
    s.once('connect_error', (err) => { s.close(); reject(err); });
  });
}

/** Samples a host has in the rollups of one tier (default: the minute tier), read from the hub's database. */
export async function rollupCount(t: TestHub, hostId: number, tier = 60): Promise<number> {
  const knex = (t.hub.deps.orm.em as any).getKnex();
  const [row] = await knex('rollups').where({ host_id: hostId, tier }).sum({ n: 'count' });
  return Number(row?.n ?? 0);
}

/** Wait until `fn` returns a truthy value (polling), or fail after `ms`. */
export async function until<T>(fn: () => T | Promise<T>, ms = 5000, what = 'condition'): Promise<NonNullable<T>> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v as NonNullable<T>;
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export const hello = { hostname: 'test-host', os: 'linux', kernel: '6.1.0', cpus: 2, memTotalBytes: 8e9, bootTime: Date.now() - 1e6 };

/** A valid sample with sequence number `seq`, taken at `t`. */
export function sample(seq: number, t = Date.now(), over: Record<string, unknown> = {}) {
  return { seq, t, load1: 0.5 + (seq % 10) / 10, load5: 0.4, load15: 0.3, cpuPct: seq % 100, memUsedBytes: 2e9 + seq, memTotalBytes: 8e9, netRxBps: 1000, netTxBps: 2000, diskReadBps: 0, diskWriteBps: 4096, ...over };
}

/** A REST client that authenticates with a kiosk token (`Authorization: Bearer`) instead of a cookie. */
export class KioskApi extends Api {
  constructor(base: string, readonly token: string) { super(base); }
  override req(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
    return super.req(method, path, body, { authorization: `Bearer ${this.token}`, ...headers });
  }
}

/** A `/live` connection authenticated with a kiosk token (`auth: { kioskToken }`). */
export function connectLiveKiosk(url: string, kioskToken: string): Promise<LiveClient> {
  const s: LiveClient = ioc(`${url}/live`, { transports: ['websocket'], reconnection: false, forceNew: true, auth: { kioskToken } });
  return new Promise((resolve, reject) => {
    s.once('connect', () => resolve(s));
    s.once('connect_error', (err) => { s.close(); reject(err); });
  });
}
