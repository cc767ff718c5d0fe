/**
 * The ingest load generator: N real socket.io-client connections on `/agent`,
 * each saying `hello` and then sending `samples` messages of one valid sample,
 * paced so the fleet as a whole sends `rate` samples per second, spread evenly
 * (round-robin) over the agents. It tracks, per agent, the last sent and the
 * last acknowledged seq, and when each seq was sent, so a step can tell
 * whether the target kept up (acks follow, the lag does not grow, the backlog
 * drains). Each sample's `t` is the moment it is sent, so a dashboard can
 * measure sample→dashboard latency against the same clock.
 */
import { io, type Socket } from 'socket.io-client';
import {
  PROTOCOL_VERSION, samplesSchema, type AckMessage, type AgentToHubEvents, type Hello, type HubToAgentEvents, type Sample,
} from '../../protocol/index.js';
import { envelopeGrowth, percentile } from './stats.js';

type AgentSocket = Socket<HubToAgentEvents, AgentToHubEvents>;

/** Send times kept per agent, a power of two; more unacked samples than this abort the step. */
const RING = 1024;
const MASK = RING - 1;
/** Scheduler period, ms. */
const TICK_MS = 2;
/**
 * A late tick (the process was descheduled, or busy with a burst of acks) sends
 * at most this much of the rate at once, ms, and the rest over the next ticks…
 */
const MAX_BURST_MS = 10;
/** …unless it is more than this far behind, ms: then the excess is dropped (and the step will say it sent short). */
const MAX_DEFICIT_MS = 250;

/** The part of the `ws` WebSocket under socket.io-client's websocket transport that the fast path uses. */
interface RawWs { readyState: number; send(data: string): void }

class Agent {
  socket!: AgentSocket;
  /** The connection's own WebSocket, for the fast send path (null: use socket.emit). */
  ws: RawWs | null = null;
  hostId = 0;
  /** Last seq sent. */
  seq = 0;
  /** Highest seq acknowledged. */
  acked = 0;
  /** The durable watermark the hub reported at hello (samples before it are not ours). */
  base = 0;
  ready = false;
  /** performance.now() at which seq s was sent, at [s & MASK]. */
  readonly sentAt = new Float64Array(RING);
  constructor(readonly index: number) {}
}

/** Phases of one step, ms. */
export interface StepTiming {
  /** Sending, not measured (the backlog of a rate change settles). */
  warmMs: number;
  /** Sending and measured. */
  measureMs: number;
  /** After sending stops, wait at most this long for every sample to be acknowledged. */
  drainMs: number;
  /** Abort the step when more than this many seconds of samples are unacknowledged. */
  maxBacklogS: number;
}

/** What one step at a fixed rate measured (all rates per second, times ms). */
export interface StepStats {
  rate: number;
  /** Samples sent in the measured window, and their rate. */
  sent: number;
  sendRate: number;
  /** Samples the scheduler dropped because it fell too far behind (generator too slow), whole step. */
  skipped: number;
  /** Age of the oldest newly covered sample when an ack arrives. */
  ackLagP50: number;
  ackLagP99: number;
  /** Growth of that lag over the window, ms per ms (> 0 means the backlog grows). */
  ackLagSlope: number;
  /** Time from the end of sending until everything was acknowledged (= drainMs + when it was not). */
  drainMs: number;
  unackedAfterDrain: number;
  disconnects: number;
  rejects: number;
  rejectExample?: string;
  /** The generator's own CPU use over the window, percent of one core, and its worst scheduling delay. */
  genCpuPct: number;
  genLateMaxMs: number;
  /** Why the step stopped early, if it did. */
  aborted?: string;
}

export interface ConnectOptions {
  /** Connections opened concurrently. */
  batch?: number;
  /**
   * How samples are sent: 'raw' (default) writes the exact frame socket.io-client
   * would write (`42/agent,["samples",{...}]`) straight to the connection's
   * WebSocket, skipping the client library's per-emit work so that one
   * generator core can outrun the bare server; 'emit' uses socket.emit.
   * Handshake, hello, acks and heartbeats go through socket.io-client either way.
   */
  send?: 'raw' | 'emit';
  timeoutMs?: number;
  log?: (msg: string) => void;
}

/** A fleet of simulated agents connected to one target. */
export class AgentFleet {
  readonly agents: Agent[] = [];
  /** Sum over agents of sent − acked. */
  private unacked = 0;
  private recording = false;
  private lagT: number[] = [];
  private lagV: number[] = [];
  private disconnects = 0;
  private rejects = 0;
  private rejectExample?: string;
  private cursor = 0;
  /** Some agent has RING samples unacknowledged (its send times would be overwritten). */
  private ringFull = false;

  private constructor(readonly url: string, private readonly mode: 'raw' | 'emit') {}

  /** Open one connection per token, `batch` at a time, each completing `hello` before it counts. */
  static async connect(url: string, tokens: string[], o: ConnectOptions = {}): Promise<AgentFleet> {
    const fleet = new AgentFleet(url, o.send ?? 'raw');
    checkFrame();
    const batch = o.batch ?? 100;
    const t0 = performance.now();
    for (let i = 0; i < tokens.length; i += batch) {
      const part = tokens.slice(i, i + batch).map((token, j) => fleet.open(i + j, token, o.timeoutMs ?? 20000));
      fleet.agents.push(...(await Promise.all(part)));
    }
    o.log?.(`${tokens.length} agents connected to ${url} in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    return fleet;
  }

  private async open(index: number, token: string, timeoutMs: number): Promise<Agent> {
    const a = new Agent(index);
    const socket: AgentSocket = io(`${this.url}/agent`, {
      transports: ['websocket'], forceNew: true, reconnection: false, timeout: timeoutMs,
      auth: { token, agentVersion: 'bench', protocol: PROTOCOL_VERSION },
    });
    a.socket = socket;
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('connect_error', (err: Error & { data?: unknown }) =>
        reject(new Error(`agent ${index}: connect_error ${err.message} ${JSON.stringify(err.data ?? '')}`)));
    });
    const reply = await socket.timeout(timeoutMs).emitWithAck('hello', helloOf(index));
    if ('error' in reply) throw new Error(`agent ${index}: hello refused: ${reply.error}`);
    a.hostId = reply.hostId;
    if (this.mode === 'raw') {
      const transport = (socket.io.engine as unknown as { transport?: { name?: string; ws?: RawWs } }).transport;
      if (transport?.name !== 'websocket' || typeof transport.ws?.send !== 'function') {
        throw new Error('the raw send path needs the websocket transport of socket.io-client; use --send=emit');
      }
      a.ws = transport.ws;
    }
    a.base = a.acked = a.seq = reply.watermarks.samples;
    socket.on('ack', (m) => this.onAck(a, m));
    socket.on('reject', (m) => {
      this.rejects++;
      this.rejectExample ??= `${m.event}: ${m.reason}: ${m.message}`;
    });
    socket.on('disconnect', (reason) => {
      if (!a.ready) return;
      a.ready = false;
      this.disconnects++;
      this.rejectExample ??= `agent ${index} disconnected: ${reason}`;
    });
    a.ready = true;
    return a;
  }

  private onAck(a: Agent, m: AckMessage): void {
    if (m.stream !== 'samples' || m.seq <= a.acked) return;
    const seq = Math.min(m.seq, a.seq);
    const now = performance.now();
    if (this.recording) {
      const oldest = a.acked + 1;
      if (a.seq - oldest < RING) { this.lagT.push(now); this.lagV.push(now - a.sentAt[oldest & MASK]); }
    }
    this.unacked -= seq - a.acked;
    a.acked = seq;
  }

  /** Samples sent and acknowledged since the agents said hello. */
  totals(): { sent: number; acked: number } {
    let sent = 0, acked = 0;
    for (const a of this.agents) { sent += a.seq - a.base; acked += a.acked - a.base; }
    return { sent, acked };
  }

  /** Host ids of `k` agents spread evenly over the fleet (for dashboards to watch). */
  sampleHosts(k: number): number[] {
    const n = this.agents.length;
    const ids = new Set<number>();
    for (let i = 0; i < Math.min(k, n); i++) ids.add(this.agents[Math.floor((i * n) / Math.min(k, n))].hostId);
    return [...ids].filter((id) => id > 0);
  }

  /**
   * Send at `rate` samples/s for warm + measure, then stop and wait for the
   * acknowledgements. `onWindow` is called at the start and end of the measured window.
   */
  async runStep(rate: number, t: StepTiming, onWindow: (phase: 'start' | 'end') => void): Promise<StepStats> {
    this.lagT = []; this.lagV = [];
    this.disconnects = 0; this.rejects = 0; this.rejectExample = undefined; this.ringFull = false;
    const maxBurst = Math.max(1, Math.ceil((rate * MAX_BURST_MS) / 1000));
    const maxDeficit = Math.max(1, Math.ceil((rate * MAX_DEFICIT_MS) / 1000));
    const maxBacklog = Math.max(rate * t.maxBacklogS, 1000);
    let sent = 0, skipped = 0, sentAtWindow = 0, lateMax = 0;
    let wStart = 0, wEnd = 0, cpu0 = process.cpuUsage(), genCpuPct = NaN;
    let aborted: string | undefined;
    const t0 = performance.now();
    let expected = t0;

    await new Promise<void>((resolve) => {
      const tick = () => {
        const now = performance.now();
        if (expected > 0) lateMax = Math.max(lateMax, now - expected - TICK_MS);
        const el = now - t0;
        if (!wStart && el >= t.warmMs) {
          wStart = now; sentAtWindow = sent; cpu0 = process.cpuUsage(); this.recording = true;
          onWindow('start');
        }
        if (el >= t.warmMs + t.measureMs || aborted) {
          wEnd = now; this.recording = false;
          const cpu = process.cpuUsage(cpu0);
          genCpuPct = ((cpu.user + cpu.system) / 1000 / Math.max(1, wEnd - wStart)) * 100;
          if (wStart) onWindow('end');
          resolve();
          return;
        }
        let n = Math.floor((rate * el) / 1000) - sent - skipped;
        if (n > maxDeficit) { skipped += n - maxDeficit; n = maxDeficit; }
        n = Math.min(n, maxBurst);
        for (let i = 0; i < n; i++) {
          if (!this.sendOne(now)) { aborted ??= 'all agents disconnected'; break; }
          sent++;
        }
        if (this.unacked > maxBacklog) aborted = `backlog over ${t.maxBacklogS} s of samples`;
        if (this.ringFull) aborted = `an agent has ${RING} unacknowledged samples`;
        expected = performance.now();
        setTimeout(tick, TICK_MS);
      };
      tick();
    });

    const d0 = performance.now();
    while (this.unacked > 0 && performance.now() - d0 < t.drainMs) await new Promise((r) => setTimeout(r, 10));
    const windowS = Math.max(1, wEnd - wStart) / 1000;
    return {
      rate, sent: sent - sentAtWindow, sendRate: (sent - sentAtWindow) / windowS, skipped,
      ackLagP50: percentile(this.lagV, 50), ackLagP99: percentile(this.lagV, 99),
      ackLagSlope: envelopeGrowth(this.lagT, this.lagV),
      drainMs: performance.now() - d0, unackedAfterDrain: this.unacked,
      disconnects: this.disconnects, rejects: this.rejects, rejectExample: this.rejectExample,
      genCpuPct, genLateMaxMs: lateMax, aborted,
    };
  }

  /** Send the next sample on the next ready agent (round-robin); false if none is ready. */
  private sendOne(now: number): boolean {
    const n = this.agents.length;
    for (let tries = 0; tries < n; tries++) {
      const a = this.agents[this.cursor];
      this.cursor = this.cursor + 1 === n ? 0 : this.cursor + 1;
      if (!a.ready) continue;
      if (a.ws && a.ws.readyState !== 1) { a.ready = false; this.disconnects++; continue; }
      const seq = ++a.seq;
      a.sentAt[seq & MASK] = now;
      if (seq - a.acked >= RING) this.ringFull = true;
      this.unacked++;
      if (a.ws) a.ws.send(frameOf(a.index, seq));
      else a.socket.emit('samples', { samples: [sampleOf(a.index, seq)] });
      return true;
    }
    return false;
  }

  /** Wait until everything sent has been acknowledged, at most `maxMs`; true if it was. */
  async settle(maxMs: number): Promise<boolean> {
    const t0 = performance.now();
    while (this.unacked > 0 && performance.now() - t0 < maxMs) await new Promise((r) => setTimeout(r, 20));
    this.ringFull = false;
    return this.unacked <= 0;
  }

  close(): void {
    for (const a of this.agents) { a.ready = false; a.socket.disconnect(); }
  }
}

const GiB = 1024 ** 3;

function helloOf(index: number): Hello {
  return {
    hostname: `bench-${index}.example.net`, os: 'linux', kernel: '6.1.0-bench', cpus: 16,
    memTotalBytes: 64 * GiB, bootTime: Date.now() - 86_400_000,
  };
}

/**
 * The engine.io + socket.io encoding of `samples` {samples: [sampleOf(index, seq)]}
 * on `/agent`, as socket.io-client writes it (all values are numbers, so no escaping).
 */
function frameOf(index: number, seq: number): string {
  const wave = (seq + index) % 100;
  return `42/agent,["samples",{"samples":[{"seq":${seq},"t":${Date.now()},"load1":${wave / 10},"load5":4.2,` +
    `"load15":3.9,"cpuPct":${wave},"memUsedBytes":${20 * GiB + wave * 1_000_000},"memTotalBytes":${64 * GiB},` +
    `"netRxBps":${1_250_000 + wave * 1000},"netTxBps":${400_000 + wave * 100},"diskReadBps":500000,"diskWriteBps":${2_000_000 + wave * 1000}}]}]`;
}

/** Guard against the hand-written frame drifting from the schema or from what socket.io-client would send. */
function checkFrame(): void {
  const frame = frameOf(7, 12345);
  const prefix = '42/agent,';
  const [event, payload] = JSON.parse(frame.slice(prefix.length)) as [string, unknown];
  const parsed = samplesSchema.safeParse(payload);
  if (!frame.startsWith(prefix) || event !== 'samples' || !parsed.success) {
    throw new Error(`bench sample frame is not a valid samples message: ${parsed.error?.message ?? frame}`);
  }
  if (JSON.stringify(parsed.data.samples[0]) !== JSON.stringify({ ...sampleOf(7, 12345), t: parsed.data.samples[0].t })) {
    throw new Error('bench sample frame differs from sampleOf()');
  }
}

/** A plausible, schema-valid sample. */
function sampleOf(index: number, seq: number): Sample {
  const wave = (seq + index) % 100;
  return {
    seq, t: Date.now(),
    load1: wave / 10, load5: 4.2, load15: 3.9, cpuPct: wave,
    memUsedBytes: 20 * GiB + wave * 1_000_000, memTotalBytes: 64 * GiB,
    netRxBps: 1_250_000 + wave * 1000, netTxBps: 400_000 + wave * 100,
    diskReadBps: 500_000, diskWriteBps: 2_000_000 + wave * 1000,
  };
}
