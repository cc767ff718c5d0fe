/**
 * Web security of the hub's browser surfaces: writes and live feeds refused to
 * other sites (cross-site request forgery), sign-in throttled per account and per
 * address, the session cookie marked Secure behind TLS.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { io as ioc } from 'socket.io-client';
import { ADMIN, Api, startHub, type TestHub } from '../helpers/hub.js';

const ctx = { h: undefined as unknown as TestHub };

const csrf = suite('cross-site requests', ctx);
csrf.before(async (c) => { c.h = await startHub('sqlite'); });
csrf.after(async (c) => { await c.h?.stop(); });

const users = async (h: TestHub) => (await h.admin.get('/api/users')).body.users.length as number;

csrf('should refuse a write carrying the admin cookie from another site, and change nothing', async ({ h }) => {
  const before = await users(h);
  for (const headers of [{ origin: 'http://evil.example' }, { 'sec-fetch-site': 'cross-site' }, { 'sec-fetch-site': 'same-site' }, { origin: 'null' }] as Record<string, string>[]) {
    const res = await h.admin.req('POST', '/api/users', { email: `x${Math.random()}@example.com`, password: 'long-enough-password', role: 'customer' }, headers);
    assert.is(res.status, 403, JSON.stringify(headers));
    assert.is(res.body.error.code, 'cross_site');
  }
  assert.is(await users(h), before, 'no user was created');
});

csrf('should accept the same write from the dashboard itself and from a script without browser headers', async ({ h }) => {
  const host = new URL(h.url).host;
  const a = await h.admin.req('POST', '/api/users', { email: 'same-origin@example.com', password: 'long-enough-password', role: 'customer' },
    { origin: `http://${host}`, 'sec-fetch-site': 'same-origin' });
  assert.is(a.status, 201, JSON.stringify(a.body));
  const b = await h.admin.post('/api/users', { email: 'script@example.com', password: 'long-enough-password', role: 'customer' });
  assert.is(b.status, 201, JSON.stringify(b.body));
});

csrf('should refuse a sign-in posted from another site (no session planted by a foreign page)', async ({ h }) => {
  const res = await new Api(h.url).req('POST', '/api/session', ADMIN, { origin: 'http://evil.example' });
  assert.is(res.status, 403);
  assert.not.ok(res.headers.get('set-cookie'));
});

csrf('should keep reads working from anywhere a browser sends them (no side effects)', async ({ h }) => {
  const res = await h.admin.req('GET', '/api/me', undefined, { origin: 'http://evil.example', 'sec-fetch-site': 'cross-site' });
  assert.is(res.status, 200);
});

csrf('should refuse a live feed opened by another site with the viewer\'s cookie', async ({ h }) => {
  const open = (origin: string) => new Promise<string>((resolve) => {
    const s = ioc(`${h.url}/live`, { transports: ['websocket'], forceNew: true, reconnection: false, extraHeaders: { cookie: h.admin.cookie, origin } });
    s.once('connect', () => { s.close(); resolve('connected'); });
    s.once('connect_error', (e) => { s.close(); resolve(`refused: ${e.message}`); });
  });
  assert.match(await open('http://evil.example'), /^refused/);
  assert.is(await open(h.url), 'connected');
});

csrf.run();

// ---------------------------------------------------------------------------
const throttle = suite('sign-in throttling', ctx);
throttle.before(async (c) => { c.h = await startHub('sqlite'); });
throttle.after(async (c) => { await c.h?.stop(); });

const signIn = (h: TestHub, email: string, password: string, ip?: string) =>
  new Api(h.url).req('POST', '/api/session', { email, password }, ip ? { 'x-forwarded-for': ip } : {});

throttle('should refuse an account after 5 wrong passwords, even with the right one, and say when to retry', async ({ h }) => {
  await h.admin.post('/api/users', { email: 'victim@example.com', password: 'the-right-password', role: 'customer' });
  for (let i = 0; i < 5; i++) assert.is((await signIn(h, 'victim@example.com', `wrong-${i}`)).status, 401);
  const res = await signIn(h, 'victim@example.com', 'the-right-password');
  assert.is(res.status, 429);
  assert.is(res.body.error.code, 'too_many_attempts');
  assert.ok(Number(res.headers.get('retry-after')) > 0);
  // Another account from the same address is not locked out by it.
  assert.is((await signIn(h, ADMIN.email, ADMIN.password)).status, 200);
});

throttle('should clear an account\'s count on a successful sign-in', async ({ h }) => {
  await h.admin.post('/api/users', { email: 'forgetful@example.com', password: 'the-right-password', role: 'customer' });
  for (let round = 0; round < 3; round++) {
    for (let i = 0; i < 4; i++) assert.is((await signIn(h, 'forgetful@example.com', 'wrong')).status, 401);
    assert.is((await signIn(h, 'forgetful@example.com', 'the-right-password')).status, 200, `round ${round}`);
  }
});

throttle.run();

// ---------------------------------------------------------------------------
const perAddress = suite('sign-in throttling per address (behind a trusted proxy)', ctx);
perAddress.before(async (c) => { c.h = await startHub('sqlite', { TRUST_PROXY: 'true' }); });
perAddress.after(async (c) => { await c.h?.stop(); });

perAddress('should refuse an address that guessed 30 times across accounts, and not its neighbours', async ({ h }) => {
  for (let i = 0; i < 30; i++) assert.is((await signIn(h, `nobody-${i}@example.com`, 'guess', '203.0.113.7')).status, 401);
  assert.is((await signIn(h, ADMIN.email, ADMIN.password, '203.0.113.7')).status, 429, 'the guessing address is refused');
  assert.is((await signIn(h, ADMIN.email, ADMIN.password, '203.0.113.8')).status, 200, 'another address is not');
});

perAddress('should mark the session cookie Secure when the browser came over TLS', async ({ h }) => {
  const res = await new Api(h.url).req('POST', '/api/session', ADMIN, { 'x-forwarded-proto': 'https' });
  assert.is(res.status, 200);
  const cookie = res.headers.get('set-cookie') ?? '';
  assert.match(cookie, /;\s*secure/i);
  assert.match(cookie, /;\s*httponly/i);
  assert.match(cookie, /;\s*samesite=strict/i);
});

perAddress.run();
