/**
 * The kiosk queue: push→pop delivery latency with 50 consumers long-polling one
 * queue (every consumer gets every message), and push+pop pairs per second, on
 * the hub with SQLite and with MariaDB, against bench/queue-bare-server.ts (the
 * same REST surface on bare Koa, in memory) as the ceiling. Product and baseline
 * run interleaved, round by round; each ratio is the median of the per-round ratios.
 * The generator (this process, its own core) talks to both through the same lean
 * client (lib/lean-http.ts), one keep-alive connection per loop, so what it costs
 * to receive 50 answers at once adds as little as it can to the latency measured.
 */
import type { Bench, BenchContext, Figure } from './lib/report.js';
import { median, percentile } from './lib/stats.js';
import { LeanConnection } from './lib/lean-http.js';
import { freePort, SERVER_CORE, sleep, spawnPinned, waitForHttp } from './lib/proc.js';
import { ROOT, startHub, type Target } from './lib/targets.js';

interface Server { name: string; url: string; cookie?: string }

/** A keep-alive connection of its own for one loop of the generator (same headers for hub and baseline). */
function connection(s: Server): LeanConnection {
  const u = new URL(s.url);
  return new LeanConnection(u.hostname, Number(u.port), { origin: s.url, ...(s.cookie ? { cookie: s.cookie } : {}) });
}

/** 50 consumers wait on one queue; `messages` pushes `gapMs` apart; latency per (message, consumer), ms. */
async function latencyRound(s: Server, queue: string, consumers: number, messages: number, gapMs: number): Promise<number[]> {
  const lat: number[] = [];
  let stop = false;
  let received = 0;
  const conns = Array.from({ length: consumers + 1 }, () => connection(s));
  const pusher = conns[consumers];
  try {
    const loops = Array.from({ length: consumers }, async (_, i) => {
      while (!stop) {
        const r = await conns[i].request('GET', `/api/queues/${queue}/messages?consumer=c${i}&wait=5`);
        if (r.status === 200) {
          for (const m of JSON.parse(r.text).messages as { body: { sentAt: number } }[]) { lat.push(r.at - m.body.sentAt); received++; }
        } else if (r.status !== 204) throw new Error(`${s.name}: pop HTTP ${r.status} ${r.text.slice(0, 200)}`);
      }
    });
    await sleep(500); // every consumer has appeared (and is waiting) before the first message
    for (let m = 0; m < messages; m++) {
      const r = await pusher.request('POST', `/api/queues/${queue}/messages`, { body: { sentAt: performance.now(), m } });
      if (r.status !== 201) throw new Error(`${s.name}: push HTTP ${r.status} ${r.text.slice(0, 200)}`);
      await sleep(gapMs);
    }
    const deadline = performance.now() + 10_000;
    while (received < consumers * messages && performance.now() < deadline) await sleep(20);
    stop = true;
    // Wake the loops with one last message so they end now, not at their wait's end.
    await pusher.request('POST', `/api/queues/${queue}/messages`, { body: { sentAt: performance.now(), last: true } });
    await Promise.all(loops);
  } finally {
    for (const c of conns) c.close();
  }
  if (received < consumers * messages) throw new Error(`${s.name}: ${consumers * messages - received} deliveries missing`);
  return lat;
}

/** `pairs` loops, each on its own queue and connection: push one message, pop it; pairs per second over `seconds`. */
async function throughputRound(s: Server, prefix: string, pairs: number, seconds: number): Promise<number> {
  let done = 0;
  const end = performance.now() + seconds * 1000;
  const conns = Array.from({ length: pairs }, () => connection(s));
  try {
    await Promise.all(conns.map(async (c, i) => {
      const q = `${prefix}-${i}`;
      await c.request('GET', `/api/queues/${q}/messages?consumer=p&wait=0`); // appear before the first push
      while (performance.now() < end) {
        const w = await c.request('POST', `/api/queues/${q}/messages`, { body: { i } });
        if (w.status !== 201) throw new Error(`${s.name}: push HTTP ${w.status}`);
        const r = await c.request('GET', `/api/queues/${q}/messages?consumer=p&wait=5`);
        if (r.status !== 200) throw new Error(`${s.name}: pop HTTP ${r.status}`);
        done++;
      }
    }));
  } finally {
    for (const c of conns) c.close();
  }
  return done / seconds;
}

async function startBareQueue(): Promise<Target> {
  const port = await freePort();
  const child = spawnPinned('queue-bare', SERVER_CORE, process.execPath, ['--import', 'tsx', 'bench/queue-bare-server.ts'],
    { cwd: ROOT, env: { PORT: String(port), HOST: '127.0.0.1' } });
  const url = `http://127.0.0.1:${port}`;
  await waitForHttp(`${url}/healthz`, child, 30000);
  return { name: 'bare', url, child, tokens: [], stop: () => child.stop() };
}

export const queueBench: Bench = {
  name: 'queue',
  async run(ctx: BenchContext): Promise<Figure[]> {
    const rounds = ctx.quick ? 1 : 4;
    const messages = ctx.quick ? 20 : 150;
    const seconds = ctx.quick ? 1.5 : 5;
    const CONSUMERS = 50, PAIRS = 16, GAP_MS = 25;
    const figures: Figure[] = [];
    const bare = await startBareQueue();
    try {
      const bareSrv: Server = { name: 'bare', url: bare.url };
      // Warm both paths once (JIT, connection pool).
      await latencyRound(bareSrv, 'warm', CONSUMERS, 10, GAP_MS);
      await throughputRound(bareSrv, 'warm', PAIRS, 1);
      const bareLat: number[] = [];
      const bareTp: number[] = [];
      for (const store of ['sqlite', 'mariadb'] as const) {
        const hub = await startHub(store, SERVER_CORE, 0, ctx.log);
        try {
          const hubSrv: Server = { name: `hub-${store}`, url: hub.url, cookie: hub.cookie };
          await latencyRound(hubSrv, 'warm', CONSUMERS, 10, GAP_MS);
          await throughputRound(hubSrv, 'warm', PAIRS, 1);
          const lat: number[] = [];
          const p99Ratios: number[] = [];
          const tp: number[] = [];
          const tpRatios: number[] = [];
          for (let r = 0; r < rounds; r++) {
            // Alternate which goes first, so drift in the machine's speed hits both alike.
            const order: Server[] = r % 2 ? [hubSrv, bareSrv] : [bareSrv, hubSrv];
            const l = new Map<string, number[]>();
            const t = new Map<string, number>();
            for (const s of order) l.set(s.name, await latencyRound(s, `lat-${store}-${r}`, CONSUMERS, messages, GAP_MS));
            for (const s of order) t.set(s.name, await throughputRound(s, `tp-${store}-${r}`, PAIRS, seconds));
            const hl = l.get(hubSrv.name)!, bl = l.get('bare')!;
            lat.push(...hl); bareLat.push(...bl);
            p99Ratios.push(percentile(hl, 99) / percentile(bl, 99));
            tp.push(t.get(hubSrv.name)!); bareTp.push(t.get('bare')!);
            tpRatios.push(t.get(hubSrv.name)! / t.get('bare')!);
            ctx.log(`queue ${store} round ${r + 1}: p99 ${percentile(hl, 99).toFixed(1)} ms (bare ${percentile(bl, 99).toFixed(1)}), ` +
              `${Math.round(t.get(hubSrv.name)!)} pairs/s (bare ${Math.round(t.get('bare')!)})`);
          }
          const bareP99 = percentile(bareLat, 99);
          figures.push(
            { name: `queue.${store}.push_pop_p50`, value: round1(percentile(lat, 50)), unit: 'ms', baseline: { name: 'bare Koa long-poll, in memory', value: round1(percentile(bareLat, 50)) } },
            { name: `queue.${store}.push_pop_p99`, value: round1(percentile(lat, 99)), unit: 'ms', baseline: { name: 'bare Koa long-poll, in memory', value: round1(bareP99) }, ratio: round3(median(p99Ratios)) },
            { name: `queue.${store}.pairs_per_s`, value: Math.round(median(tp)), unit: '1/s', baseline: { name: 'bare Koa long-poll, in memory', value: Math.round(median(bareTp)) }, ratio: round3(median(tpRatios)) },
          );
        } finally {
          await hub.stop();
        }
      }
      ctx.note(`queue: ${CONSUMERS} consumers on one queue, ${messages} messages ${GAP_MS} ms apart per round; ${PAIRS} push+pop loops for ${seconds} s; ${rounds} interleaved rounds; hub and baseline on core ${SERVER_CORE}`);
    } finally {
      await bare.stop();
    }
    return figures;
  },
};

const round1 = (x: number) => Math.round(x * 10) / 10;
const round3 = (x: number) => Math.round(x * 1000) / 1000;
