/**
 * Several hubs in tests: two hub processes on one MariaDB test database and a Redis (a cluster name
 * of their own), an agent that keeps a spool like the real one (resends what no ack covered after a
 * reconnect, to whichever hub it is given), a webhook receiver, and a private redis-server.
 */
import { randomBytes } from 'node:crypto';
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import net from 'node:net';
import { ADMIN, agentAuth, connectRawAgent, hello, sample, type RawAgent } from './hub.js';
import { createTestDb, type TestDb } from './db.js';
import { freePort, startHubProcess, waitHealthy, type Proc } from './processes.js';
import type { AckMessage, AlertWebhookPayload } from '../../protocol/index.js';

export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

export interface TwoHubs { db: TestDb; a: Proc; b: Proc; urlA: string; urlB: string; stop(): Promise<void> }

/** Hub A then hub B (the first runs the migrations) on a new MariaDB database and `redisUrl`. */
export async function startTwoHubs(env: Record<string, string> = {}, redisUrl = REDIS_URL): Promise<TwoHubs> {
  const db = await createTestDb('mysql');
  const all = { REDIS_URL: redisUrl, CLUSTER_NAME: `rp-test-${randomBytes(4).toString('hex')}`, HOST_LEASE_MS: '1500', LIVE_INTERVAL_MS: '20', ADMIN_EMAIL: ADMIN.email, ADMIN_PASSWORD: ADMIN.password, ...env };
  const [pa, pb] = [await freePort(), await freePort()];
  const urlA = `http://127.0.0.1:${pa}`, urlB = `http://127.0.0.1:${pb}`;
  const a = startHubProcess(pa, db.url, all);
  await waitHealthy(urlA).catch((e) => { throw new Error(`${e.message}\n${a.output()}`); });
  const b = startHubProcess(pb, db.url, all);
  await waitHealthy(urlB).catch((e) => { throw new Error(`${e.message}\n${b.output()}`); });
  return { db, a, b, urlA, urlB, async stop() { await Promise.all([a.kill('SIGKILL'), b.kill('SIGKILL')]); await db.drop(); } };
}

/** The highest acknowledged samples seq and the rejects of a raw agent connection. */
export function trackAcks(agent: RawAgent) {
  const st = { acked: 0, rejects: 0 };
  agent.on('ack', (m: AckMessage) => { if (m.stream === 'samples') st.acked = Math.max(st.acked, m.seq); });
  agent.on('reject', () => { st.rejects++; });
  return st;
}

/** A local HTTP server that records the alert webhooks POSTed to it. */
export interface Receiver { url: string; got: AlertWebhookPayload[]; close(): void }
export async function webhookReceiver(): Promise<Receiver> {
  const got: AlertWebhookPayload[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => { body += d; });
    req.on('end', () => { got.push(JSON.parse(body)); res.statusCode = 204; res.end(); });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return { url: `http://127.0.0.1:${(server.address() as net.AddressInfo).port}/hook`, got, close: () => server.close() };
}

/**
 * An agent with a spool: sends one sample every `everyMs` (seq 1, 2, …), keeps
 * what no ack covered, and after a disconnect connects again (to `target()`), says hello and resends
 * everything above the hub's watermark. `over(seq)` adds fields to a sample (e.g. a high load).
 */
export class SpoolAgent {
  seq = 0;
  acked = 0;
  rejects = 0;
  reconnects = 0;
  socket: RawAgent | null = null;
  private stopped = false;
  private timer: NodeJS.Timeout | null = null;
  private online = false;

  private t0 = Date.now();
  constructor(private token: string, public target: () => string, public over: (seq: number) => Record<string, unknown> = () => ({}), private everyMs = 50) {}

  /** Sample times follow the clock: seq n is taken `everyMs` after seq n-1. */
  timeOf(seq: number) { return this.t0 + seq * this.everyMs; }
  private at(seq: number) { return this.timeOf(seq); }

  /** Connect and start sending; resolves after the first hello was answered. */
  async start(): Promise<void> {
    await this.connect();
    this.timer = setInterval(() => {
      this.seq++;
      if (this.online) this.socket!.emit('samples', { samples: [sample(this.seq, this.at(this.seq), this.over(this.seq))] });
    }, this.everyMs);
  }

  /** Stop producing new samples (the spool is still resent after a reconnect). */
  pause(): void { if (this.timer) clearInterval(this.timer); this.timer = null; }

  private async connect(): Promise<void> {
    while (!this.stopped) {
      try {
        const s = await connectRawAgent(this.target(), agentAuth(this.token));
        s.on('ack', (m: AckMessage) => { if (m.stream === 'samples') this.acked = Math.max(this.acked, m.seq); });
        s.on('reject', () => { this.rejects++; });
        const reply: any = await s.timeout(30_000).emitWithAck('hello', hello).catch(() => null);
        if (!reply || !s.connected) { s.close(); continue; }
        this.socket = s;
        this.acked = Math.max(this.acked, reply.watermarks.samples);
        // The spool: everything above the watermark, in order, before new samples.
        for (let i = reply.watermarks.samples + 1; i <= this.seq; i++) s.emit('samples', { samples: [sample(i, this.at(i), this.over(i))] });
        this.online = true;
        s.once('disconnect', () => {
          this.online = false;
          if (this.stopped) return;
          this.reconnects++;
          void this.connect();
        });
        return;
      } catch { await new Promise((r) => setTimeout(r, 200)); }
    }
  }

  close(): void { this.stopped = true; this.pause(); this.socket?.close(); }
}

/** A redis-server of the test's own on a free port (no persistence), which the test may stop and start. */
export class PrivateRedis {
  private child: ChildProcess | null = null;
  private constructor(readonly port: number) {}
  get url() { return `redis://127.0.0.1:${this.port}`; }

  static async start(): Promise<PrivateRedis> {
    const r = new PrivateRedis(await freePort());
    await r.start();
    return r;
  }

  async start(): Promise<void> {
    this.child = spawn('/usr/bin/redis-server', ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
    const end = Date.now() + 10_000;
    for (;;) {
      const ok = await new Promise<boolean>((res) => {
        const c = net.connect(this.port, '127.0.0.1', () => { c.end(); res(true); });
        c.on('error', () => res(false));
      });
      if (ok) return;
      if (Date.now() > end) throw new Error(`redis-server on ${this.port} did not start`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** SIGTERM, and wait for it to exit. */
  async stop(): Promise<void> {
    const c = this.child;
    this.child = null;
    if (!c || c.exitCode !== null) return;
    await new Promise<void>((res) => { c.once('exit', () => res()); c.kill('SIGTERM'); });
  }
}
