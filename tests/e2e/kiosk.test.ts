// The NOC kiosk end to end in real Chromium: an admin creates a kiosk token; the wall (/kiosk/) and the
// touchscreen controller (/kiosk/touch, touch emulation) open with it; the controller drives the wall only
// through the kiosk's queue; simulated agents feed the hub; a host that goes silent turns offline and its
// host_offline alert reaches the wall; a hub restart is survived without a reload; a revoked token ends it.
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { KIOSK_SCREENS, type KioskCreated } from '../../protocol/index.js';
import { launchBrowser, newContext, screenshot, startUiHub } from '../helpers/browser.js';
import { agentAuth, connectRawAgent, hello, sample, until, type RawAgent, type TestHub } from '../helpers/hub.js';
import { createHost } from '../helpers/rest.js';

const root = resolve(import.meta.dirname, '../..');
const HOSTS = ['web-1', 'web-2', 'web-3', 'web-4', 'db-1', 'mail-1'];
const GiB = 1024 ** 3;

interface Feeder { id: number; name: string; token: string; agent: RawAgent | null; seq: number; silent: boolean }
interface Ctx {
  th: TestHub; browser: Browser; kiosk: KioskCreated; feeders: Feeder[]; timer: NodeJS.Timeout;
  wallCtx: BrowserContext; wall: Page; touchCtx: BrowserContext; touch: Page; pageErrors: string[]; cspErrors: string[];
}

function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => { const a = s.address(); s.close(() => res(typeof a === 'object' && a ? a.port : 0)); });
  });
}

/** Sends one sample per host every 500 ms; reconnects an agent whose hub went away (a restart). */
function feed(c: Ctx): void {
  for (const f of c.feeders) {
    if (f.silent) continue;
    if (!f.agent?.connected) {
      if (f.agent) { f.agent.close(); f.agent = null; }
      connectRawAgent(c.th.url, agentAuth(f.token)).then(async (a) => {
        if (f.silent) return a.close();
        await a.timeout(2000).emitWithAck('hello', { ...hello, hostname: f.name, cpus: 4 });
        f.agent = a;
      }, () => {});
      continue;
    }
    f.seq++;
    const load = (f.id * 0.7 + (f.seq % 5) * 0.2) % 6;
    f.agent.emit('samples', { samples: [sample(f.seq, Date.now(), {
      load1: load, cpuPct: Math.min(100, load * 15), memUsedBytes: (2 + f.id) * GiB, memTotalBytes: 16 * GiB, netRxBps: 1e5 * f.id, netTxBps: 5e4 * f.id,
      disks: [{ mount: '/', device: '/dev/sda1', fsType: 'ext4', sizeBytes: 100 * GiB, usedBytes: (30 + f.id * 8) * GiB, availBytes: (70 - f.id * 8) * GiB }],
    })] });
  }
}

/** document scroll size within the viewport: no scrollbars. */
async function assertNoScrollbars(page: Page, what: string): Promise<void> {
  const m = await page.evaluate(() => ({ sw: document.documentElement.scrollWidth, sh: document.documentElement.scrollHeight, w: window.innerWidth, h: window.innerHeight }));
  assert.ok(m.sw <= m.w && m.sh <= m.h, `${what}: scroll ${m.sw}×${m.sh} exceeds viewport ${m.w}×${m.h}`);
}

const wallScreen = (c: Ctx) => c.wall.evaluate(() => document.body.dataset.screen);

/** Taps a controller button and waits for its "sent" feedback. */
async function tap(c: Ctx, selector: string): Promise<void> {
  const b = c.touch.locator(selector).first();
  await b.tap();
  await until(async () => (await b.getAttribute('data-feedback')) === 'sent', 5000, `sent feedback on ${selector}`);
}

async function showOnWall(c: Ctx, screen: string): Promise<void> {
  await tap(c, `.screens button[data-screen="${screen}"]`);
  await until(async () => (await wallScreen(c)) === screen, 8000, `wall on ${screen}`);
}

const kiosk = suite<Ctx>('NOC kiosk (wall + controller, Chromium)', {} as Ctx);

kiosk.before(async (c) => {
  const port = await freePort();
  // A fixed port, so the restarted hub is where the pages expect it; hosts go offline after 2 s without a sample.
  c.th = await startUiHub('sqlite', { PORT: String(port), OFFLINE_AFTER_MS: '2000', KIOSK_DIR: join(root, 'dist/kiosk') });
  c.feeders = [];
  for (const name of HOSTS) {
    const h = await createHost(c.th.admin, name);
    c.feeders.push({ id: h.id, name, token: h.token, agent: null, seq: 0, silent: false });
  }
  c.timer = setInterval(() => feed(c), 500);
  feed(c);
  const res = await c.th.admin.post('/api/kiosks', { name: 'noc-wall', canAck: true });
  assert.is(res.status, 201);
  c.kiosk = res.body;
  c.browser = await launchBrowser();
  c.pageErrors = [];
  c.cspErrors = [];
});

kiosk.after(async (c) => {
  clearInterval(c.timer);
  for (const f of c.feeders ?? []) f.agent?.close();
  await c.browser?.close();
  await c.th?.stop();
});

function watch(c: Ctx, page: Page): void {
  page.on('pageerror', (e) => c.pageErrors.push(e.message));
  page.on('console', (m) => { if (m.type() === 'error' && /Content Security Policy|Refused to/i.test(m.text())) c.cspErrors.push(m.text()); });
}

kiosk('should open the wall with the token, keep it and take it out of the address bar', async (c) => {
  c.wallCtx = await newContext(c.browser, { width: 1920, height: 1080, colorScheme: 'dark' });
  c.wall = await c.wallCtx.newPage();
  watch(c, c.wall);
  await c.wall.goto(`${c.th.url}/kiosk/?token=${c.kiosk.token}&durations=2`);
  await c.wall.waitForSelector('body[data-screen]');
  assert.not.match(c.wall.url(), /token=/);
  assert.match(c.wall.url(), /durations=2/);
  assert.is(await c.wall.evaluate(() => localStorage.getItem('rackpulse.kioskToken')), c.kiosk.token);
  await c.wall.waitForSelector('rect[data-host][data-state="ok"]', { timeout: 8000 });
  // The slideshow moves on by itself (2 s per screen from the URL).
  const first = await wallScreen(c);
  await until(async () => (await wallScreen(c)) !== first, 6000, 'the slideshow to advance');
});

kiosk('should open the controller with big touch targets and stop the wall through the queue', async (c) => {
  c.touchCtx = await newContext(c.browser, { width: 1280, height: 800, touch: true, colorScheme: 'dark' });
  c.touch = await c.touchCtx.newPage();
  watch(c, c.touch);
  await c.touch.goto(`${c.th.url}/kiosk/touch?token=${c.kiosk.token}`);
  await c.touch.waitForSelector(`.hosts button[data-host]:nth-child(${HOSTS.length})`, { timeout: 8000 });
  assert.not.match(c.touch.url(), /token=/);
  const small = await c.touch.$$eval('button', (bs) => bs.map((b) => ({ t: b.textContent, r: b.getBoundingClientRect() })).filter((x) => x.r.width < 48 || x.r.height < 48).map((x) => `${x.t} ${x.r.width}×${x.r.height}`));
  assert.equal(small, [], 'every button is at least 48×48 px');
  assert.ok(await c.touch.locator('button').count() >= 4 + KIOSK_SCREENS.length + HOSTS.length);
  // The wall reads its queue from the moment it first asked; wait until it has.
  await until(async () => (await c.th.admin.get(`/api/queues/${c.kiosk.kiosk.queue}`)).body?.consumers >= 1, 5000, 'the wall polling its queue');
  await tap(c, 'button[data-command="stop"]');
  await until(async () => (await c.wall.evaluate(() => document.body.dataset.slideshow)) === 'stopped', 5000, 'the slideshow to stop');
  await c.touch.waitForSelector('.toast.show.ok');
  assert.match(await c.touch.locator('.toast').textContent() ?? '', /sent ✓/);
  // Bodies that are not commands are ignored; the next valid one is obeyed.
  const q = `/api/queues/${c.kiosk.kiosk.queue}/messages`;
  for (const body of [{ command: 'reboot' }, 'next', { command: 'show', screen: 'nowhere' }]) assert.is((await c.th.admin.post(q, { body })).status, 201);
  assert.is((await c.th.admin.post(q, { body: { command: 'show', screen: 'gauges' } })).status, 201);
  await until(async () => (await wallScreen(c)) === 'gauges', 5000, 'the wall on gauges');
  assert.is(await c.wall.evaluate(() => document.body.dataset.slideshow), 'stopped');
});

kiosk('should show every screen at 1920×1080 without scrollbars, driven by the screen buttons', async (c) => {
  for (const s of KIOSK_SCREENS) {
    await showOnWall(c, s);
    await c.wall.waitForTimeout(400);
    await assertNoScrollbars(c.wall, `${s} at 1920×1080`);
    await screenshot(c.wall, `kiosk-wall-${s}`);
  }
  await screenshot(c.touch, 'kiosk-controller');
});

kiosk('should spotlight the host tapped on the controller, with live graphs', async (c) => {
  const target = c.feeders.find((f) => f.name === 'web-3')!;
  await showOnWall(c, 'rack');
  await tap(c, `.hosts button[data-host="${target.id}"]`);
  await until(async () => (await c.wall.evaluate(() => document.body.dataset.spotlightHost)) === String(target.id), 5000, 'the spotlight on web-3');
  assert.is(await wallScreen(c), 'spotlight');
  const d = await until(async () => {
    const p = await c.wall.getAttribute('path[data-graph="CPU"]', 'd');
    return p && p.split('L').length > 3 ? p : null;
  }, 5000, 'a CPU graph');
  // Updated in place: the same element gets a longer path as points arrive.
  await until(async () => (await c.wall.getAttribute('path[data-graph="CPU"]', 'd')) !== d, 5000, 'the CPU graph to move');
  assert.ok(await c.wall.evaluate(() => document.body.textContent?.includes('web-3') || !!document.querySelector('svg text')));
  await screenshot(c.wall, 'kiosk-wall-spotlight-web-3');
});

kiosk('should fit 1280×800 without scrollbars on every screen', async (c) => {
  await c.wall.setViewportSize({ width: 1280, height: 800 });
  for (const s of KIOSK_SCREENS) {
    await showOnWall(c, s);
    await c.wall.waitForTimeout(300);
    await assertNoScrollbars(c.wall, `${s} at 1280×800`);
    await screenshot(c.wall, `kiosk-wall-1280x800-${s}`);
  }
  await c.wall.setViewportSize({ width: 1920, height: 1080 });
});

kiosk('should turn a silent host offline and show its host_offline alert on the wall', async (c) => {
  const silent = c.feeders.find((f) => f.name === 'db-1')!;
  await showOnWall(c, 'rack');
  silent.silent = true;
  silent.agent?.close();
  // The controller and the wall both see it go offline (the wall may jump to alerts at the same moment).
  await c.touch.waitForSelector(`.hosts button[data-host="${silent.id}"][data-state="offline"]`, { timeout: 8000 });
  await until(async () => (await wallScreen(c)) === 'alerts', 8000, 'the wall to jump to its alerts screen');
  await c.wall.waitForSelector(`rect[data-kind="host_offline"][data-host="${silent.id}"]`, { timeout: 5000 });
  await screenshot(c.wall, 'kiosk-wall-alerts-offline');
  await showOnWall(c, 'rack');
  await c.wall.waitForSelector(`rect[data-host="${silent.id}"][data-state="offline"]`, { timeout: 5000 });
  // The controller may acknowledge (canAck): the wall says who did.
  await c.touch.waitForSelector(`.alert[data-alert] button.ack`, { timeout: 5000 });
  await c.touch.locator('.alert[data-alert] button.ack').first().tap();
  await showOnWall(c, 'alerts');
  await until(async () => (await c.wall.locator('text').allTextContents()).some((t) => /acknowledged by kiosk:noc-wall/.test(t)), 5000, 'the acknowledgement on the wall');
});

kiosk('should survive a hub restart without a reload: banner counting up, then live data and commands again', async (c) => {
  await c.wall.evaluate(() => { (window as unknown as { marker: number }).marker = 42; });
  await showOnWall(c, 'rack');
  const stopped = c.th.hub.close();
  await c.wall.waitForSelector('#banner:not([hidden])', { timeout: 5000 });
  await stopped;
  const text1 = await c.wall.locator('#banner').textContent();
  assert.match(text1 ?? '', /disconnected — last update \d+ s ago/);
  const n = (t: string | null) => Number(/(\d+) s ago/.exec(t ?? '')?.[1]);
  await until(async () => n(await c.wall.locator('#banner').textContent()) > n(text1), 4000, 'the banner\'s age to count up');
  await screenshot(c.wall, 'kiosk-wall-disconnected');
  const restartedAt = Date.now();
  c.th = await c.th.restart();
  await c.wall.waitForSelector('#banner[hidden]', { state: 'attached', timeout: 15000 });
  await until(async () => Number(await c.wall.evaluate(() => document.body.dataset.lastUpdate)) > restartedAt, 8000, 'live data after the restart');
  // Commands flow again, and it is the same page (no reload).
  await showOnWall(c, 'top');
  assert.is(await c.wall.evaluate(() => (window as unknown as { marker?: number }).marker), 42);
});

kiosk('should show a full-screen message without a token and once the token is revoked', async (c) => {
  const ctx = await newContext(c.browser, { width: 1280, height: 800 });
  const bare = await ctx.newPage();
  await bare.goto(`${c.th.url}/kiosk/`);
  await bare.waitForSelector('.fatal-box h1');
  assert.match(await bare.locator('.fatal-box h1').textContent() ?? '', /No kiosk token/);
  await ctx.close();
  const del = await c.th.admin.del(`/api/kiosks/${c.kiosk.kiosk.id}`);
  assert.is(del.status, 204);
  await c.wall.waitForSelector('.fatal-box h1', { timeout: 10000 });
  assert.match(await c.wall.locator('.fatal-box h1').textContent() ?? '', /not accepted/);
  await c.touch.waitForSelector('.fatal-box h1', { timeout: 10000 });
  await assertNoScrollbars(c.wall, 'revoked message');
  assert.is(await c.wall.evaluate(() => localStorage.getItem('rackpulse.kioskToken')), null);
});

kiosk('should run under the hub\'s Content-Security-Policy without errors', (c) => {
  assert.equal(c.cspErrors, []);
  assert.equal(c.pageErrors, []);
});

kiosk.run();
