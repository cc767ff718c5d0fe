/**
 * The dashboards in real Chromium against a real hub: a customer's live quota, isolation
 * between customers (URL, API, socket), "refresh now" falling back to the cached figure,
 * an admin adding a server whose agent then shows up live, the 360 px layout, and a
 * screenshot of each main view.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, newContext, screenshot, signIn, startUiHub, watchErrors } from '../helpers/browser.js';
import { Api, connectLive, sample, type RawAgent, type TestHub } from '../helpers/hub.js';
import { connectAgent, createAccount, createHost, createPlan, createUser } from '../helpers/rest.js';

const test = suite('dashboard (real Chromium)');
let t: TestHub;
let browser: Browser;
let agent: RawAgent;
let seq = 0;
let timer: NodeJS.Timeout;
const ids = { host: 0, alice: 0, bob: 0, carol: 0 };
const MiB = 2 ** 20;
const disk = { mount: '/home', device: '/dev/sda2', fsType: 'ext4', sizeBytes: 500 * 2 ** 30, usedBytes: 100 * 2 ** 30, availBytes: 400 * 2 ** 30 };

const pass = 'customer-pass-1';
const quota = (usedBytes: number, account = 'alice') =>
  agent.emit('quota', { seq: ++seq, t: Date.now(), accounts: [{ account, usedBytes, source: 'walk', measuredAt: Date.now() }] });

test.before(async () => {
  t = await startUiHub('sqlite');
  browser = await launchBrowser();
  const host = await createHost(t.admin, 'web-1');
  ids.host = host.id;
  const plan = await createPlan(t.admin, 'Box', 100 * MiB);
  const a = await createUser(t.admin, 'a@example.com', 'customer', pass);
  const b = await createUser(t.admin, 'b@example.com', 'customer', pass);
  ids.alice = await createAccount(t.admin, { hostId: host.id, name: 'alice', ownerId: a.id, planId: plan });
  ids.carol = await createAccount(t.admin, { hostId: host.id, name: 'carol', ownerId: a.id, planId: plan });
  ids.bob = await createAccount(t.admin, { hostId: host.id, name: 'bob', ownerId: b.id, planId: plan });
  agent = await connectAgent(t.url, host.token);
  // No handler for `refresh`: this agent never answers one, as a stuck agent would not.
  const tick = () => agent.emit('samples', { samples: [sample(++seq, Date.now(), { disks: [disk] })] });
  tick();
  timer = setInterval(tick, 1000);
  quota(10 * MiB);
  agent.emit('services', { seq: ++seq, t: Date.now(), services: [{ name: 'alice:web', account: 'alice', status: 'up', latencyMs: 3, checkedAt: Date.now() }] });
});
test.after(async () => {
  clearInterval(timer);
  agent?.close();
  await browser?.close();
  await t?.stop();
});

async function customerPage(width = 1280): Promise<{ page: Page; errors: string[] }> {
  const page = await (await newContext(browser, { width, height: 800 })).newPage();
  const errors = watchErrors(page);
  await signIn(page, t.url, 'a@example.com', pass);
  return { page, errors };
}

test('should show a customer their quota and change it live when the agent reports new usage', async () => {
  const { page, errors } = await customerPage();
  const card = page.locator(`article[data-account="${ids.alice}"]`);
  await card.getByText('10.0 MiB').first().waitFor();
  assert.is(await page.locator(`article[data-account="${ids.bob}"]`).count(), 0, 'no card of another customer');
  quota(85 * MiB);
  await card.getByText('85.0 MiB').first().waitFor();
  assert.is(await card.getByRole('meter').getAttribute('data-level'), 'amber');
  quota(120 * MiB);
  await card.getByText('120 MiB').first().waitFor();
  assert.is(await card.getByRole('meter').getAttribute('data-level'), 'red');
  await card.getByText('alice:web').waitFor();
  await card.locator('svg polyline').first().waitFor(); // the host's load sparkline
  await screenshot(page, 'customer');
  assert.equal(errors.filter((e) => !/status of 401/.test(e)), []);
  await page.context().close();
});

test('should keep another customer\'s account out of reach by URL, API and socket', async () => {
  const { page } = await customerPage();
  await page.getByRole('heading', { name: 'Your accounts' }).waitFor();
  await page.goto(`${t.url}/#/accounts/${ids.bob}`);
  await page.getByRole('heading', { name: 'Account not found' }).waitFor();
  assert.not.ok(await page.getByText('bob').count(), 'nothing of bob\'s account is shown');
  await page.context().close();

  const api = await new Api(t.url).login('a@example.com', pass);
  assert.is((await api.get(`/api/accounts/${ids.bob}`)).status, 404);
  const live = await connectLive(t.url, api.cookie);
  const reply = await live.timeout(3000).emitWithAck('subscribe', { topic: `account:${ids.bob}` });
  live.close();
  assert.is(reply.ok, false);
});

test('should fall back to the cached figure with its age when the agent does not answer "refresh now"', async () => {
  const { page } = await customerPage();
  const card = page.locator(`article[data-account="${ids.carol}"]`);
  await card.getByRole('button', { name: 'Refresh now' }).waitFor();
  await card.getByRole('button', { name: 'Refresh now' }).click();
  await card.getByRole('button', { name: 'Refreshing…' }).waitFor();
  await card.getByText('the server did not respond in time').waitFor({ timeout: 5000 });
  await card.getByRole('button', { name: 'Refresh now' }).waitFor();
  await page.context().close();
  // With a figure cached, the card says how old it is.
  const p2 = (await customerPage()).page;
  const alice = p2.locator(`article[data-account="${ids.alice}"]`);
  await alice.getByRole('button', { name: 'Refresh now' }).click();
  await alice.getByText(/cached, \d+ (s|min) old/).waitFor({ timeout: 5000 });
  await p2.context().close();
});

test('should show a server added through the admin form live in the overview once its agent connects', async () => {
  const page = await (await newContext(browser)).newPage();
  const errors = watchErrors(page);
  await signIn(page, t.url, 'admin@example.com', 'admin-password-1');
  await page.locator('tr[data-host]').first().waitFor();
  await page.goto(`${t.url}/#/admin`);
  await page.getByLabel('Name', { exact: false }).first().fill('web-new');
  await page.getByRole('button', { name: 'Add server' }).click();
  const token = (await page.getByTestId('agent-token').textContent())!.trim();
  const command = await page.getByTestId('agent-command').textContent();
  assert.ok(command!.includes(`npm run agent -- --hub ${t.url} --token ${token}`), command!);
  await screenshot(page, 'admin-forms');

  await page.goto(`${t.url}/#/`);
  const before = await page.getByTestId('hosts-online').textContent();
  const fresh = await connectAgent(t.url, token);
  fresh.emit('samples', { samples: [sample(1, Date.now(), { cpuPct: 12.5 })] });
  const row = page.locator('tr[data-host]', { hasText: 'web-new' });
  await row.getByText('online').waitFor();
  await row.getByText('12.5%').waitFor();
  assert.is.not(await page.getByTestId('hosts-online').textContent(), before);
  await screenshot(page, 'fleet');
  fresh.close();

  await page.goto(`${t.url}/#/hosts/${ids.host}`);
  await page.getByRole('heading', { name: 'web-1' }).waitFor();
  await page.locator('.uplot canvas').nth(5).waitFor(); // five live charts and the history
  await page.getByRole('link', { name: 'alice' }).waitFor();
  await screenshot(page, 'server-detail');

  await page.goto(`${t.url}/#/usage`);
  await page.getByRole('heading', { name: 'Usage' }).waitFor();
  await page.getByRole('link', { name: 'Download CSV' }).waitFor();
  await page.waitForLoadState('networkidle');
  await screenshot(page, 'usage');
  // The hub's 401 to the first `GET /api/me` (before signing in) and a 404 of a route still being built are expected.
  assert.equal(errors.filter((e) => !/status of 40[14]/.test(e)), []);
  await page.context().close();
});

test('should hold the layout at 360 px wide (no horizontal scroll) for the customer and the fleet', async () => {
  const { page } = await customerPage(360);
  await page.locator(`article[data-account="${ids.alice}"]`).getByText('alice:web').waitFor();
  assert.ok(await page.evaluate(() => document.documentElement.scrollWidth) <= 360, 'customer page fits');
  await screenshot(page, 'customer-360');
  await page.context().close();
  const admin = await (await newContext(browser, { width: 360, height: 740 })).newPage();
  await signIn(admin, t.url, 'admin@example.com', 'admin-password-1');
  await admin.locator('tr[data-host]').first().waitFor();
  assert.ok(await admin.evaluate(() => document.documentElement.scrollWidth) <= 360, 'fleet page fits');
  await admin.goto(`${t.url}/#/admin`);
  await admin.getByRole('button', { name: 'Add server' }).waitFor();
  assert.ok(await admin.evaluate(() => document.documentElement.scrollWidth) <= 360, 'admin page fits');
  await screenshot(admin, 'fleet-360');
  await admin.context().close();
});

test.run();
