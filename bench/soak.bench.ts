/**
 * Soak (`npm run bench -- --only=soak`; not part of the default run): the hub
 * on one core with 1,000 simulated agents sending one sample a second each and
 * 100 dashboards following the fleet, for 30 minutes. Each minute it samples the
 * hub's RSS, V8 heap in use and event-loop delay (p99; both from its /metrics) and the dashboards'
 * delivery; at the end every sample must be acknowledged (durable) — nothing lost —
 * and the RSS and lag must show no growth trend (slope per minute, over the second
 * half, so start-up and warm caches do not count).
 *
 * Options (after `--`): --soak-min=M (30; 2 with --quick), --agents=N (1000),
 * --dashboards=N (100), --store=sqlite|mariadb (sqlite).
 */
import { io } from 'socket.io-client';
import type { LiveClientToServerEvents, LiveServerToClientEvents } from '../protocol/index.js';
import type { Socket } from 'socket.io-client';
import { AgentFleet } from './lib/agents.js';
import { rssMb, SERVER_CORE } from './lib/proc.js';
import type { Bench, BenchContext, Figure } from './lib/report.js';
import { slope } from './lib/stats.js';
import { startHub } from './lib/targets.js';

type LiveSocket = Socket<LiveServerToClientEvents, LiveClientToServerEvents>;

async function openDashboards(url: string, cookie: string, n: number): Promise<{ sockets: LiveSocket[]; deltas: () => number }> {
  let deltas = 0;
  const sockets: LiveSocket[] = [];
  for (let i = 0; i < n; i++) {
    const s: LiveSocket = io(`${url}/live`, { transports: ['websocket'], forceNew: true, reconnection: true, extraHeaders: { cookie, origin: url } });
    await new Promise<void>((resolve, reject) => { s.once('connect', () => resolve()); s.once('connect_error', reject); });
    const r = await s.timeout(10000).emitWithAck('subscribe', { topic: 'fleet' });
    if (!r.ok) throw new Error(`dashboard ${i}: subscribe refused`);
    s.on('delta', () => { deltas++; });
    sockets.push(s);
  }
  return { sockets, deltas: () => deltas };
}

/** The hub's event-loop delay p99 and V8 heap in use, from its /metrics. */
async function hubMetrics(url: string): Promise<{ lagMs: number; heapMb: number }> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const num = (re: RegExp) => { const m = text.match(re); return m ? Number(m[1]) : NaN; };
  return {
    lagMs: num(/^rackpulse_process_nodejs_eventloop_lag_p99_seconds (\S+)/m) * 1000,
    heapMb: num(/^rackpulse_process_nodejs_heap_size_used_bytes (\S+)/m) / 2 ** 20,
  };
}

export const soakBench: Bench = {
  name: 'soak',
  optIn: true,
  async run(ctx: BenchContext): Promise<Figure[]> {
    const arg = (name: string) => ctx.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];
    const minutes = Number(arg('soak-min') ?? (ctx.quick ? 2 : 30));
    const agents = Number(arg('agents') ?? 1000);
    const dashboards = Number(arg('dashboards') ?? 100);
    const store = arg('store') === 'mariadb' ? 'mariadb' : 'sqlite';
    const hub = await startHub(store, SERVER_CORE, agents, ctx.log);
    const figures: Figure[] = [];
    try {
      const fleet = await AgentFleet.connect(hub.url, hub.tokens, { log: ctx.log });
      const dash = await openDashboards(hub.url, hub.cookie!, dashboards);
      ctx.log(`soak: ${agents} agents at 1 sample/s, ${dashboards} dashboards on the fleet topic, ${minutes} min on ${store}`);
      const rss: number[] = [], lag: number[] = [], heap: number[] = [], at: number[] = [];
      let lastDeltas = 0;
      const probe = async () => {
        const minute = at.length;
        at.push(minute);
        rss.push(rssMb(hub.child.pid));
        const m = await hubMetrics(hub.url);
        lag.push(m.lagMs);
        heap.push(m.heapMb);
        const d = dash.deltas();
        ctx.log(`soak minute ${minute}: hub RSS ${rss[rss.length - 1].toFixed(0)} MB, V8 heap used ${heap[heap.length - 1].toFixed(0)} MB, event-loop p99 ${lag[lag.length - 1].toFixed(1)} ms, ${d - lastDeltas} deltas to dashboards, ${JSON.stringify(fleet.totals())}`);
        lastDeltas = d;
      };
      const timer = setInterval(() => { void probe(); }, 60_000);
      await probe();
      const stats = await fleet.runStep(agents, { warmMs: 0, measureMs: minutes * 60_000, drainMs: 15_000, maxBacklogS: 120 }, () => {});
      clearInterval(timer);
      await probe();
      const totals = fleet.totals();
      const half = Math.floor(at.length / 2);
      const tail = (xs: number[]) => xs.slice(half);
      figures.push(
        { name: `soak.${store}.minutes`, value: minutes, unit: 'min' },
        { name: `soak.${store}.samples_sent`, value: totals.sent, unit: 'samples' },
        { name: `soak.${store}.samples_lost`, value: totals.sent - totals.acked, unit: 'samples' },
        { name: `soak.${store}.rss_start_mb`, value: Math.round(rss[1] ?? rss[0]), unit: 'MB' },
        { name: `soak.${store}.rss_end_mb`, value: Math.round(rss[rss.length - 1]), unit: 'MB' },
        { name: `soak.${store}.rss_slope_second_half`, value: Math.round(slope(tail(at), tail(rss)) * 100) / 100, unit: 'MB/min' },
        { name: `soak.${store}.heap_slope_second_half`, value: Math.round(slope(tail(at), tail(heap)) * 100) / 100, unit: 'MB/min' },
        // Minute 0 is taken before the load starts, while the hub is still settling after registering the hosts.
        { name: `soak.${store}.loop_lag_p99_max`, value: Math.round(Math.max(...lag.slice(1).filter(Number.isFinite)) * 10) / 10, unit: 'ms' },
        { name: `soak.${store}.loop_lag_slope_second_half`, value: Math.round(slope(tail(at), tail(lag)) * 1000) / 1000, unit: 'ms/min' },
        { name: `soak.${store}.ack_lag_p99`, value: Math.round(stats.ackLagP99), unit: 'ms' },
        { name: `soak.${store}.dashboard_deltas`, value: dash.deltas(), unit: 'messages' },
      );
      if (stats.disconnects) ctx.note(`soak: ${stats.disconnects} agent disconnects`);
      for (const s of dash.sockets) s.close();
      fleet.close();
    } finally {
      await hub.stop();
    }
    return figures;
  },
};
