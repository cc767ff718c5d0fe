/**
 * A dashboard client on `/live` that measures sample→dashboard latency: it
 * logs in like a browser (session cookie), subscribes to topics and, for every
 * point in a delta, records receive time − the sample's `t` (the generator
 * stamps `t` when it sends; same machine, same wall clock).
 *
 * It runs in a process of its own (bench/dashboard-client.ts, pinned to the
 * generator's core) rather than in the generator: there the timestamps would
 * include the generator's own event-loop stalls (every ack round is a burst of
 * one message per agent), and the latency would be the bench's, not the hub's.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { io, type Socket } from 'socket.io-client';
import type {
  DeltaMessage, LiveClientToServerEvents, LiveServerToClientEvents, LivePoint, Topic,
} from '../../protocol/index.js';
import { spawnPinned, type Child } from './proc.js';
import { percentile } from './stats.js';

type LiveSocket = Socket<LiveServerToClientEvents, LiveClientToServerEvents>;

/** Latency of the points received, ms; `loopDelayP99`: the dashboard process's own event-loop delay (it should be small). */
export interface LatencyStats { count: number; p50: number; p99: number; max: number; loopDelayP99: number }

/** Log in with `POST /api/session`; returns the Cookie header value to send back. */
export async function login(baseUrl: string, email: string, password: string): Promise<string> {
  const res = await fetch(`${baseUrl}/api/session`, {
    method: 'POST', headers: { 'content-type': 'application/json', origin: baseUrl },
    body: JSON.stringify({ email, password }),
  });
  if (!res.ok) throw new Error(`login as ${email}: HTTP ${res.status} ${await res.text()}`);
  const cookies = res.headers.getSetCookie().map((c) => c.split(';')[0]).filter(Boolean);
  if (cookies.length === 0) throw new Error('login: no Set-Cookie in the response');
  return cookies.join('; ');
}

/** Wall-clock now with sub-millisecond resolution, Unix ms. */
const wallNow = () => performance.timeOrigin + performance.now();

/** The client itself (runs in the dashboard process). */
export class Dashboard {
  /** Sample time `t` and latency of each point received. */
  private sampleT: number[] = [];
  private lat: number[] = [];
  /** Last `t` seen per host, so a fleet delta repeating a host's latest sample counts once. */
  private readonly lastT = new Map<number, number>();
  private readonly loop = monitorEventLoopDelay({ resolution: 5 });
  private constructor(private readonly socket: LiveSocket) { this.loop.enable(); }

  /** Connect with the session cookie and subscribe to every topic (each must be accepted). */
  static async open(baseUrl: string, cookie: string, topics: Topic[]): Promise<Dashboard> {
    const socket: LiveSocket = io(`${baseUrl}/live`, {
      transports: ['websocket'], forceNew: true, reconnection: false, extraHeaders: { cookie },
    });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('connect_error', (err) => reject(new Error(`/live connect_error: ${err.message}`)));
    });
    const d = new Dashboard(socket);
    socket.on('delta', (m) => d.onDelta(m));
    for (const topic of topics) {
      const r = await socket.timeout(10000).emitWithAck('subscribe', { topic });
      if (!r.ok) throw new Error(`subscribe ${topic}: ${r.error.code} ${r.error.message}`);
    }
    return d;
  }

  private onDelta(m: DeltaMessage): void {
    const now = wallNow();
    if (m.topic === 'fleet') {
      const data = m.data as { hosts: { id: number; latest: LivePoint | null }[] };
      for (const h of data.hosts) if (h.latest) this.record(h.id, h.latest, now);
    } else if (m.topic.startsWith('host:')) {
      const hostId = Number(m.topic.slice(5));
      const data = m.data as { points: LivePoint[] };
      for (const p of data.points ?? []) this.record(hostId, p, now);
    }
  }

  private record(hostId: number, p: LivePoint, now: number): void {
    if (p.t <= (this.lastT.get(hostId) ?? 0)) return;
    this.lastT.set(hostId, p.t);
    this.sampleT.push(p.t);
    this.lat.push(now - p.t);
  }

  /** Latency of the points whose sample time is within [from, to] (Unix ms); forgets everything received so far. */
  take(from: number, to: number): LatencyStats {
    const xs: number[] = [];
    for (let i = 0; i < this.lat.length; i++) if (this.sampleT[i] >= from && this.sampleT[i] <= to) xs.push(this.lat[i]);
    this.sampleT = []; this.lat = [];
    const max = xs.reduce((m, x) => Math.max(m, x), -Infinity);
    const loopDelayP99 = this.loop.percentile(99) / 1e6;
    this.loop.reset();
    return { count: xs.length, p50: percentile(xs, 50), p99: percentile(xs, 99), max: xs.length ? max : NaN, loopDelayP99 };
  }

  close(): void { this.socket.disconnect(); }
}

/**
 * The runner's handle on a dashboard process: one JSON line per request on its
 * stdin, one per answer on its stdout (see bench/dashboard-client.ts).
 */
export class DashboardProcess {
  private waiting: ((line: string) => void)[] = [];
  private constructor(private readonly child: Child) {
    createInterface({ input: child.proc.stdout! }).on('line', (line) => this.waiting.shift()?.(line));
  }

  /** Start it on `core`, logged in with `cookie`, subscribed to `topics`; resolves once it is. */
  static async start(root: string, core: number, baseUrl: string, cookie: string, topics: Topic[]): Promise<DashboardProcess> {
    const child = spawnPinned('dashboard', core, process.execPath, ['--import', 'tsx', 'bench/dashboard-client.ts'], {
      cwd: root, stdin: true, env: { DASHBOARD_URL: baseUrl, DASHBOARD_COOKIE: cookie, DASHBOARD_TOPICS: topics.join(',') },
    });
    const d = new DashboardProcess(child);
    const first = await Promise.race([d.next(), child.exited.then(() => null)]);
    const reply = first ? JSON.parse(first) as { ready?: true; error?: string } : { error: `exited:\n${child.tail()}` };
    if (!reply.ready) { await child.stop(); throw new Error(`dashboard: ${reply.error}`); }
    return d;
  }

  private next(): Promise<string> { return new Promise((resolve) => this.waiting.push(resolve)); }

  /** Latency of the points sampled within [from, to] (Unix ms). */
  async take(from: number, to: number): Promise<LatencyStats> {
    const answer = this.next();
    this.child.proc.stdin!.write(JSON.stringify({ take: [from, to] }) + '\n');
    const r = JSON.parse(await answer) as LatencyStats;
    // JSON has no NaN: an empty window comes back with nulls.
    return { count: r.count, p50: r.p50 ?? NaN, p99: r.p99 ?? NaN, max: r.max ?? NaN, loopDelayP99: r.loopDelayP99 ?? NaN };
  }

  get pid(): number { return this.child.pid; }

  stop(): Promise<void> { return this.child.stop(); }
}
