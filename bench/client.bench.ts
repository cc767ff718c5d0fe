/**
 * The fleet overview in real Chromium with 500 hosts reporting every second: time from
 * opening the page to the first live figure, main-thread busy time per second (Chromium's
 * Performance.getMetrics TaskDuration), and the dashboard's JavaScript gzipped. The baseline
 * is the same page on an empty fleet, measured in interleaved rounds.
 * The hosts are fed in-process into the hub's fleet state (what an agent's samples end in),
 * so the load generator costs nothing over socket.io; the live fan-out and the page are real.
 * As in use, the hub and the browser do not share a core: Chromium runs on the generator core,
 * the hubs (in this process) on the server core while the bench runs. Each opening is a new
 * tab in a new browser context (empty cache, cookie set), given a second to settle before it
 * navigates: the browser's own start-up work for a new window is not the page's. The page is
 * watched through a bare CDP evaluate, not Playwright's selector engine (whose injected script
 * would run on the page's main thread inside the measured time).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Browser, CDPSession } from 'playwright-core';
import { launchBrowser, startUiHub } from '../tests/helpers/browser.js';
import { ADMIN, Api, sample, type TestHub } from '../tests/helpers/hub.js';
import type { Bench, BenchContext, Figure } from './lib/report.js';
import { GENERATOR_CORE, pinSelf, SERVER_CORE } from './lib/proc.js';
import { median } from './lib/stats.js';
import { ROOT } from './lib/targets.js';

const HOSTS = 500;
const GiB = 2 ** 30;

/** Registers `n` hosts and feeds each a sample a second, spread over the second; returns the stop function. */
async function feed(t: TestHub, n: number): Promise<() => void> {
  const ids: number[] = [];
  for (let i = 0; i < n; i++) ids.push((await t.admin.post('/api/hosts', { name: `web-${i}` })).body.host.id);
  const fleet = t.hub.deps.fleet;
  for (const id of ids) fleet.agentConnected(id, 1);
  let seq = 0, turn = 0;
  const disks = [{ mount: '/', device: '/dev/sda1', fsType: 'ext4', sizeBytes: 500 * GiB, usedBytes: 120 * GiB, availBytes: 380 * GiB }];
  const slice = Math.ceil(n / 10);
  const timer = setInterval(() => {
    const now = Date.now();
    const part = ids.slice((turn % 10) * slice, (turn % 10 + 1) * slice);
    turn++;
    seq++;
    for (const id of part) fleet.applySamples(id, [{ ...sample(seq, now, { cpuPct: Math.random() * 100 }), disks } as any], now);
  }, 100);
  return () => clearInterval(timer);
}

interface Round { firstValueMs: number; busyMsPerS: number }

const FIRST_LIVE_MARK = 'rackpulse:fleet-first-live';
/** How long a new tab waits before it opens the overview (the browser's new-window work settles), ms. */
const SETTLE_MS = 1000;

/** Resolves when the page has set the first-live mark; a few lines run in the page, nothing injected before. */
async function firstLiveMark(cdp: CDPSession, timeoutMs: number): Promise<number> {
  const { result, exceptionDetails } = await cdp.send('Runtime.evaluate', {
    awaitPromise: true, returnByValue: true,
    expression: `new Promise((resolve, reject) => {
      const at = () => performance.getEntriesByName(${JSON.stringify(FIRST_LIVE_MARK)})[0]?.startTime;
      if (at() !== undefined) return resolve(at());
      const o = new PerformanceObserver(() => { if (at() !== undefined) { o.disconnect(); resolve(at()); } });
      o.observe({ type: 'mark' });
      setTimeout(() => reject(new Error('no first live value within ${timeoutMs} ms')), ${timeoutMs});
    })`,
  });
  if (exceptionDetails) throw new Error(exceptionDetails.exception?.description ?? exceptionDetails.text);
  return result.value as number;
}

async function measure(browser: Browser, t: TestHub, windowS: number): Promise<Round> {
  const api = await new Api(t.url).login(ADMIN.email, ADMIN.password);
  const [name, value] = api.cookie.split('=');
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  await context.addCookies([{ name, value, url: t.url }]);
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await page.waitForTimeout(SETTLE_MS);
  await page.goto(`${t.url}/#/`, { waitUntil: 'commit' });
  // The first live figure: the summary bar, drawn from the fleet snapshot, marks the performance
  // timeline when it is on the page (client/src/components/SummaryBar.svelte); time from navigation start.
  const firstValueMs = await firstLiveMark(cdp, 15_000);
  await page.waitForSelector('[data-testid="hosts-online"]', { timeout: 1000 }); // the figures are there
  await cdp.send('Performance.enable');
  const task = async () => ((await cdp.send('Performance.getMetrics')).metrics.find((m) => m.name === 'TaskDuration')?.value ?? 0);
  await page.waitForTimeout(1000);
  const before = await task();
  const started = Date.now();
  await page.waitForTimeout(windowS * 1000);
  const busyMsPerS = ((await task()) - before) * 1000 / ((Date.now() - started) / 1000);
  await context.close();
  return { firstValueMs, busyMsPerS };
}

function jsSizes(): { total: number; initial: number } {
  const dir = join(ROOT, 'dist/client/assets');
  const html = readFileSync(join(ROOT, 'dist/client/index.html'), 'utf8');
  let total = 0, initial = 0;
  for (const f of readdirSync(dir).filter((x) => x.endsWith('.js'))) {
    const gz = gzipSync(readFileSync(join(dir, f)), { level: 9 }).length;
    total += gz;
    if (html.includes(f)) initial += gz;
  }
  return { total, initial };
}

export const clientBench: Bench = {
  name: 'client',
  async run(ctx: BenchContext): Promise<Figure[]> {
    const rounds = ctx.quick ? 1 : 4;
    const windowS = ctx.quick ? 3 : 10;
    const busy = await startUiHub('sqlite', { LOG_LEVEL: 'silent' });
    const empty = await startUiHub('sqlite', { LOG_LEVEL: 'silent' });
    // Chromium inherits this process's core (the generator's); the hubs then move to the server's.
    const browser = await launchBrowser();
    const pin = (core: number) => { try { pinSelf(core); } catch (e) { ctx.note(`client: could not pin to core ${core}: ${(e as Error).message}`); } };
    pin(SERVER_CORE);
    let stop = () => {};
    try {
      ctx.log(`registering ${HOSTS} hosts`);
      stop = await feed(busy, HOSTS);
      await new Promise((r) => setTimeout(r, 2000));
      const a: Round[] = [], b: Round[] = [];
      for (let i = 0; i < rounds; i++) {
        a.push(await measure(browser, busy, windowS));
        b.push(await measure(browser, empty, windowS));
        ctx.log(`round ${i + 1}: first value ${a[i].firstValueMs.toFixed(0)} ms (empty ${b[i].firstValueMs.toFixed(0)}), busy ${a[i].busyMsPerS.toFixed(0)} ms/s (empty ${b[i].busyMsPerS.toFixed(0)})`);
      }
      const pair = (f: (r: Round) => number) => {
        const value = median(a.map(f)), base = median(b.map(f));
        return { value: Math.round(value * 10) / 10, baseline: Math.round(base * 10) / 10, ratio: Math.round(median(a.map((r, i) => f(r) / Math.max(1e-9, f(b[i])))) * 100) / 100 };
      };
      const first = pair((r) => r.firstValueMs), busyMs = pair((r) => r.busyMsPerS);
      const js = jsSizes();
      ctx.note(`client: ${HOSTS} hosts fed in-process (a sample each per second), Chromium headless at 1280×800 on core ${GENERATOR_CORE}, the hubs on core ${SERVER_CORE}, a new context per opening (settled ${SETTLE_MS} ms), ${rounds} interleaved rounds, ${windowS} s windows`);
      return [
        { name: `client.fleet${HOSTS}.first_live_value`, value: first.value, unit: 'ms', baseline: { name: 'empty fleet', value: first.baseline }, ratio: first.ratio },
        { name: `client.fleet${HOSTS}.main_thread_busy`, value: busyMs.value, unit: 'ms/s', baseline: { name: 'empty fleet', value: busyMs.baseline }, ratio: busyMs.ratio },
        { name: 'client.bundle.js_gzip_total', value: Math.round(js.total / 102.4) / 10, unit: 'KiB' },
        { name: 'client.bundle.js_gzip_initial', value: Math.round(js.initial / 102.4) / 10, unit: 'KiB' },
      ];
    } finally {
      stop();
      pin(GENERATOR_CORE);
      await browser.close();
      await busy.stop();
      await empty.stop();
    }
  },
};
