/**
 * Ingest ("The spine"): the highest sustained samples/s one hub core takes
 * with every sample validated, acknowledged and durable and p99
 * sample→dashboard latency ≤ 100 ms, on SQLite and on MariaDB, against a bare
 * socket.io server that only acknowledges and counts (bench/bare-server.ts).
 *
 * Servers run pinned to core 0; the load generator (lib/agents.ts) runs in
 * this process, which the runner pins to core 1, and each hub's dashboard
 * client (lib/dashboard.ts) in a small process of its own, also on core 1.
 * Every round ramps each target in turn (bare, sqlite, mariadb, bare, …), so
 * a hub result and its baseline are measured back to back; the ratios are
 * medians of the per-round ratios. Each ramp starts at 5,000/s, which gives the
 * CPU comparison at a fixed load.
 *
 * Options (after `--`):
 *   --agents=N          simulated agents per target (1000; quick 200)
 *   --targets=LIST      bare,sqlite,mariadb
 *   --rounds=N          quick 1, full 3; fewer if the next would not fit --budget-s (s; quick 40, full 270)
 *   --measure-s=S       measured part of a step (quick 1.5, full 5)
 *   --retries=N         re-runs of a failed step disturbed by other processes (quick 1, full 2)
 *   --watch=K           hosts the dashboard follows (20); --fleet also watches the `fleet` topic
 *   --hub-entry=FILE    the hub's entry point (server/main.ts)
 *   --send=raw|emit     how the generator sends (see ConnectOptions.send in lib/agents.ts)
 *   --verbose           echo the servers' stderr
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Topic } from '../protocol/index.js';
import { AgentFleet, type StepTiming } from './lib/agents.js';
import { DashboardProcess } from './lib/dashboard.js';
import { CoreMeter, CpuMeter, GENERATOR_CORE, rssMb, SERVER_CORE } from './lib/proc.js';
import { rampSearch } from './lib/ramp.js';
import { ingestFigures, type RampRecord, type StepRecord } from './lib/ingest.figures.js';
import type { Bench, BenchContext, Figure } from './lib/report.js';
import { fmt, median } from './lib/stats.js';
import { ROOT, startBare, startHub, type Target, type TargetName } from './lib/targets.js';

/**
 * A failed step during which other processes used more than this share of
 * either core (percent) was disturbed, and is run again (at most `retries` times: quick 1, full 2).
 */
const FOREIGN_MAX_PCT = 12;
/** Load at which hub and bare CPU use are compared, samples/s (also the first step of every ramp). */
const FIXED_RATE = 5000;
/** Sample→dashboard p99 above this fails a step, ms. */
const LATENCY_P99_MAX_MS = 100;
/** Ack lag p99 above this fails a step, ms (the hub acks after each commit, every FLUSH_INTERVAL_MS = 1 s by default). */
const ACK_LAG_P99_MAX_MS = 2000;
/**
 * Ack lag growing faster than this (ms per ms) fails a step: the backlog grows.
 * Measured on the upper envelope (see envelopeGrowth); looser in quick mode, where the window is short.
 */
const ACK_LAG_SLOPE_MAX = { quick: 0.1, full: 0.05 };
/** The generator must send at least this share of the target rate, or the step says nothing of the target. */
const SEND_SHARE_MIN = 0.97;
/** Generator CPU (percent of its core) from which a shortfall is blamed on it, unless the target is busier than TARGET_BUSY_PCT. */
const GENERATOR_BUSY_PCT = 90;
const TARGET_BUSY_PCT = 90;

interface Options {
  agents: number; targets: TargetName[]; rounds: number; timing: StepTiming;
  precision: number; maxSteps: number; fleet: boolean; watch: number; verbose: boolean;
  hubEntry: string; send: 'raw' | 'emit'; retries: number; ackLagSlopeMax: number;
  /** No new round starts unless the last one's duration still fits in this, s (whole benchmark). */
  budgetS: number;
}

function parseOptions(ctx: BenchContext): Options {
  const arg = (name: string) => ctx.argv.find((a) => a === `--${name}` || a.startsWith(`--${name}=`))?.split('=')[1];
  const has = (name: string) => ctx.argv.includes(`--${name}`);
  const measureS = Number(arg('measure-s') ?? (ctx.quick ? 1.5 : 5));
  return {
    agents: Number(arg('agents') ?? (ctx.quick ? 200 : 1000)),
    targets: (arg('targets') ?? 'bare,sqlite,mariadb').split(',')
      .filter((t): t is TargetName => ['bare', 'sqlite', 'mariadb'].includes(t)),
    rounds: Number(arg('rounds') ?? (ctx.quick ? 1 : 3)),
    timing: { warmMs: 1500 /* longer than one commit period, so the first ack in the window is a steady-state one */, measureMs: measureS * 1000, drainMs: ctx.quick ? 1500 : 2000, maxBacklogS: 3 },
    precision: ctx.quick ? 0.1 : 0.05,
    maxSteps: ctx.quick ? 3 : 10,
    fleet: has('fleet'),
    watch: Number(arg('watch') ?? 20),
    verbose: has('verbose'),
    hubEntry: arg('hub-entry') ?? 'server/main.ts',
    send: arg('send') === 'emit' ? 'emit' : 'raw',
    budgetS: Number(arg('budget-s') ?? (ctx.quick ? 40 : 270)),
    retries: Number(arg('retries') ?? (ctx.quick ? 1 : 2)),
    ackLagSlopeMax: ctx.quick ? ACK_LAG_SLOPE_MAX.quick : ACK_LAG_SLOPE_MAX.full,
  };
}

interface Live { target: Target; fleet: AgentFleet; dashboard?: DashboardProcess }

async function run(ctx: BenchContext): Promise<Figure[]> {
  const t0 = performance.now();
  const o = parseOptions(ctx);
  disturbedSteps = 0;
  const wantHub = o.targets.some((t) => t !== 'bare');
  if (wantHub && !existsSync(resolve(ROOT, o.hubEntry))) {
    ctx.note(`ingest: ${o.hubEntry} does not exist (yet); only the bare baseline was measured`);
    o.targets = o.targets.filter((t) => t === 'bare');
  }
  ctx.log(`ingest: ${o.agents} agents, targets ${o.targets.join(', ')}, ${o.rounds} round(s), ` +
    `steps ${o.timing.warmMs / 1000}+${o.timing.measureMs / 1000} s`);

  // Start every server at once (all on core 0), then connect the agents of each in turn.
  const started = await Promise.allSettled(o.targets.map((name) => name === 'bare'
    ? startBare(SERVER_CORE, o.agents) : startHub(name, SERVER_CORE, o.agents, ctx.log, o.hubEntry)));
  const lives: Live[] = [];
  try {
    for (let i = 0; i < started.length; i++) {
      const s = started[i];
      if (s.status === 'rejected') { ctx.note(`ingest: ${o.targets[i]} not measured: ${firstLine(s.reason)}`); continue; }
      const target = s.value;
      if (o.verbose) target.child.proc.stderr?.on('data', (b: Buffer) => process.stderr.write(`[${target.name}] ${b}`));
      try {
        const fleet = await AgentFleet.connect(target.url, target.tokens, { log: ctx.log, send: o.send });
        const live: Live = { target, fleet };
        lives.push(live);
        if (target.cookie) {
          const topics: Topic[] = fleet.sampleHosts(o.watch).map((id) => `host:${id}` as const);
          if (o.fleet) topics.push('fleet');
          live.dashboard = await DashboardProcess.start(ROOT, GENERATOR_CORE, target.url, target.cookie, topics);
        }
      } catch (e) {
        ctx.note(`ingest: ${target.name} not measured: ${firstLine(e)}`);
        await target.stop();
      }
    }
    const records = new Map<TargetName, RampRecord[]>(lives.map((l) => [l.target.name, []]));
    let lastRoundS = 0;
    for (let round = 1; round <= o.rounds; round++) {
      const elapsedS = (performance.now() - t0) / 1000;
      if (round > 1 && elapsedS + lastRoundS > o.budgetS) {
        ctx.note(`ingest: ${round - 1} of ${o.rounds} rounds run; another would pass the ${o.budgetS} s budget`);
        break;
      }
      const r0 = performance.now();
      for (const live of [...lives]) {
        const prior = records.get(live.target.name)!;
        const hint = prior.length ? median(prior.map((r) => r.best)) : undefined;
        try {
          prior.push(await ramp(live, lives, round, hint, o, ctx));
        } catch (e) {
          ctx.note(`ingest: ${live.target.name} dropped in round ${round}: ${firstLine(e)}`);
          lives.splice(lives.indexOf(live), 1);
        }
      }
      lastRoundS = (performance.now() - r0) / 1000;
    }
    for (const live of lives) await checkCounts(live, ctx);
    if (disturbedSteps) ctx.note(`ingest: ${disturbedSteps} failed step(s) re-run because other processes were busy on the benchmark's cores`);
    return ingestFigures(records, o.agents, ctx.note);
  } finally {
    for (const l of lives) l.fleet.close();
    await Promise.all(lives.map((l) => l.dashboard?.stop()));
    await Promise.all(started.map((s) => (s.status === 'fulfilled' ? s.value.stop() : undefined)));
  }
}

async function ramp(live: Live, all: Live[], round: number, hint: number | undefined, o: Options,
  ctx: BenchContext): Promise<RampRecord> {
  const steps = new Map<number, StepRecord>();
  const result = await rampSearch(async (rate) => {
    for (let attempt = 0; ; attempt++) {
      const rec = await step(live, all, rate, o);
      steps.set(rate, rec);
      ctx.log(describe(live.target.name, round, rec));
      const disturbed = Math.max(...rec.foreign) > FOREIGN_MAX_PCT;
      if (rec.pass || !disturbed || attempt >= o.retries) return rec.pass;
      ctx.log(`[r${round} ${live.target.name}] other processes were busy on the cores; again`);
      disturbedSteps++;
    }
  }, { floor: FIXED_RATE, hint, precision: o.precision, maxSteps: o.maxSteps, ceiling: 500_000, min: 1000, quantum: 500 });
  const generatorLimited = [...steps.values()].some((s) => s.generatorLimited && s.rate === result.failedAt);
  if (generatorLimited) {
    ctx.note(`ingest: round ${round}, ${live.target.name}: the load generator could not send ${fmt(result.failedAt ?? 0)}/s; ` +
      `${fmt(result.best)}/s is a lower bound`);
  }
  ctx.log(`[r${round} ${live.target.name}] highest sustained: ${fmt(result.best)} samples/s` +
    (result.failedAt ? ` (failed at ${fmt(result.failedAt)})` : ''));
  return { best: result.best, atBest: steps.get(result.best), atFixed: steps.get(FIXED_RATE), generatorLimited };
}

/** One step at `rate` on `live`; `all` are every running target (the idle ones' CPU is not "other" load). */
async function step(live: Live, all: Live[], rate: number, o: Options): Promise<StepRecord> {
  const { target, fleet, dashboard } = live;
  if (target.child.proc.exitCode !== null) throw new Error(`${target.name} exited:\n${target.child.tail()}`);
  // Start from an empty backlog (a failed step may have left one), and let the server breathe.
  await fleet.settle(15000);
  await new Promise((r) => setTimeout(r, 300));
  const cpu = new CpuMeter(target.child.pid);
  const idle = all.filter((l) => l !== live).map((l) => new CpuMeter(l.target.child.pid));
  const dashboards = all.flatMap((l) => (l.dashboard ? [new CpuMeter(l.dashboard.pid)] : []));
  const cores = new CoreMeter();
  let w0 = 0, w1 = 0, cpuPct = NaN, idlePct = 0, dashPct = 0, rss = NaN, busy: number[] = [];
  const stats = await fleet.runStep(rate, o.timing, (phase) => {
    if (phase === 'start') {
      cpu.start(); for (const m of [...idle, ...dashboards]) m.start(); cores.start(); w0 = Date.now();
      return;
    }
    cpuPct = cpu.stop(); busy = cores.stop(); w1 = Date.now(); rss = rssMb(target.child.pid);
    for (const m of idle) idlePct += m.stop();
    for (const m of dashboards) dashPct += m.stop();
  });
  const foreign: [number, number] = [
    Math.max(0, busy[SERVER_CORE] - cpuPct - idlePct), Math.max(0, busy[GENERATOR_CORE] - stats.genCpuPct - dashPct)];
  const latency = await dashboard?.take(w0, w1);
  const reasons: string[] = [];
  // Sending short fails the step either way; it is the generator's limit only if the target had CPU to spare
  // (a saturated target pushes back through TCP and slows the sender too).
  const shortfall = stats.sendRate < SEND_SHARE_MIN * rate;
  const generatorLimited = shortfall && stats.genCpuPct >= GENERATOR_BUSY_PCT && !(cpuPct >= TARGET_BUSY_PCT);
  if (stats.aborted) reasons.push(`aborted: ${stats.aborted}`);
  if (shortfall) reasons.push(`sent only ${fmt(stats.sendRate)}/s${generatorLimited ? ' (generator-limited)' : ''}`);
  if (stats.disconnects) reasons.push(`${stats.disconnects} disconnects`);
  if (stats.rejects) reasons.push(`${stats.rejects} rejects`);
  if (stats.rejectExample) reasons.push(stats.rejectExample);
  if (stats.unackedAfterDrain > 0) reasons.push(`${fmt(stats.unackedAfterDrain)} unacked ${o.timing.drainMs} ms after the end`);
  if (stats.ackLagP99 > ACK_LAG_P99_MAX_MS) reasons.push(`ack lag p99 ${fmt(stats.ackLagP99)} ms`);
  if (stats.ackLagSlope > o.ackLagSlopeMax) reasons.push(`ack lag growing ${fmt(stats.ackLagSlope * 1000)} ms/s`);
  if (dashboard) {
    if (!latency || latency.count === 0) reasons.push('no points reached the dashboard');
    else if (latency.p99 > LATENCY_P99_MAX_MS) reasons.push(`latency p99 ${fmt(latency.p99)} ms`);
  }
  return { rate, pass: reasons.length === 0, reasons, generatorLimited, stats, cpuPct, rssMb: rss, latency, foreign, idleTargetsPct: idlePct };
}

function describe(name: string, round: number, r: StepRecord): string {
  const s = r.stats;
  return `[r${round} ${name}] ${fmt(r.rate).padStart(7)}/s ${r.pass ? 'pass' : 'FAIL'}` +
    ` sent ${fmt(s.sendRate)}/s ack lag p50/p99 ${fmt(s.ackLagP50)}/${fmt(s.ackLagP99)} ms` +
    ` slope ${fmt(s.ackLagSlope * 1000)} ms/s drain ${fmt(s.drainMs)} ms` +
    (r.latency ? ` latency p50/p99 ${fmt(r.latency.p50)}/${fmt(r.latency.p99)} ms (n=${r.latency.count},` +
      ` dashboard loop p99 ${fmt(r.latency.loopDelayP99)} ms)` : '') +
    ` cpu ${fmt(r.cpuPct)}% rss ${fmt(r.rssMb)} MB gen ${fmt(s.genCpuPct)}% late ${fmt(s.genLateMaxMs)} ms` +
    ` idle targets ${fmt(r.idleTargetsPct)}% other ${fmt(r.foreign[0])}/${fmt(r.foreign[1])}%` +
    (r.reasons.length ? ` — ${r.reasons.join('; ')}` : '');
}

/**
 * After the last round: every sample sent was acknowledged, and the server
 * counted each exactly once (hub: rackpulse_samples_ingested_total on /metrics;
 * bare: /stats). A mismatch becomes a note.
 */
async function checkCounts(live: Live, ctx: BenchContext): Promise<void> {
  await live.fleet.settle(10000);
  const { sent, acked } = live.fleet.totals();
  let counted: number | undefined;
  try {
    if (live.target.name === 'bare') {
      counted = ((await (await fetch(`${live.target.url}/stats`)).json()) as { samples: number }).samples;
    } else {
      const m = /^rackpulse_samples_ingested_total (\d+)/m.exec(await (await fetch(`${live.target.url}/metrics`)).text());
      counted = m ? Number(m[1]) : undefined;
    }
  } catch { /* reported below as unknown */ }
  ctx.log(`${live.target.name}: ${sent} samples sent, ${acked} acknowledged, ${counted ?? '?'} counted by the server`);
  if (acked !== sent || (counted !== undefined && counted !== sent)) {
    ctx.note(`ingest: ${live.target.name}: ${sent} samples sent, ${acked} acknowledged, ${counted ?? '?'} counted by the server`);
  }
}

/** Failed steps re-run because other processes were busy on our cores. */
let disturbedSteps = 0;

const firstLine = (e: unknown) => String(e instanceof Error ? e.message : e).split('\n')[0];

export const ingestBench: Bench = { name: 'ingest', run };
