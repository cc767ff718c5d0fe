/**
 * What a hub cannot hear while it is cut off from Redis: hub B reaches Redis through a TCP proxy
 * that the test cuts. Meanwhile a dashboard session is signed out and a kiosk revoked on hub A;
 * PUB/SUB keeps nothing for B, so their live sockets on B stay open until B is back, when it checks
 * what it holds against the database and ends them.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { randomBytes } from 'node:crypto';
import { ADMIN, Api, connectLive, connectLiveKiosk, until, type LiveClient } from '../helpers/hub.js';
import { REDIS_URL } from '../helpers/cluster.js';
import { createTestDb, type TestDb } from '../helpers/db.js';
import { freePort, startHubProcess, waitHealthy, type Proc } from '../helpers/processes.js';
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy.js';

const test = suite('several hubs: a hub cut off from Redis catches up on sign-outs and revocations');
let db: TestDb, proxy: TcpProxy, a: Proc, b: Proc, urlA: string, urlB: string;
const closers: { close(): unknown }[] = [];

test.before(async () => {
  db = await createTestDb('mysql');
  const redis = new URL(REDIS_URL);
  proxy = await startTcpProxy(Number(redis.port || 6379), redis.hostname);
  const env = { CLUSTER_NAME: `rp-test-${randomBytes(4).toString('hex')}`, HOST_LEASE_MS: '1500', ADMIN_EMAIL: ADMIN.email, ADMIN_PASSWORD: ADMIN.password };
  const [pa, pb] = [await freePort(), await freePort()];
  urlA = `http://127.0.0.1:${pa}`; urlB = `http://127.0.0.1:${pb}`;
  a = startHubProcess(pa, db.url, { ...env, REDIS_URL });
  await waitHealthy(urlA).catch((e) => { throw new Error(`${e.message}\n${a.output()}`); });
  b = startHubProcess(pb, db.url, { ...env, REDIS_URL: `redis://127.0.0.1:${proxy.port}` });
  await waitHealthy(urlB).catch((e) => { throw new Error(`${e.message}\n${b.output()}`); });
});
test.after(async () => {
  for (const c of closers) c.close();
  await Promise.all([a?.kill('SIGKILL'), b?.kill('SIGKILL')]);
  await proxy?.close(); await db?.drop();
});

const redisOf = async (url: string) => ((await (await fetch(`${url}/readyz`)).json()) as any).redis;

test('live sockets of a session signed out and a kiosk revoked while hub B was away should end when it is back', async () => {
  const admin = await new Api(urlA).login(ADMIN.email, ADMIN.password);
  const leaving = await new Api(urlA).login(ADMIN.email, ADMIN.password);
  const wall = (await admin.post('/api/kiosks', { name: 'resync-wall' })).body;
  const sessionLive: LiveClient = await connectLive(urlB, leaving.cookie);
  const kioskLive: LiveClient = await connectLiveKiosk(urlB, wall.token);
  closers.push(sessionLive, kioskLive);
  const closed = { session: false, kiosk: false };
  sessionLive.on('disconnect', () => { closed.session = true; });
  kioskLive.on('disconnect', () => { closed.kiosk = true; });

  proxy.cut();
  await until(async () => (await redisOf(urlB)) === 'unreachable', 10_000, 'hub B away from Redis');
  assert.is(await redisOf(urlA), 'reachable');
  assert.is((await leaving.del('/api/session')).status, 204);
  assert.is((await admin.del(`/api/kiosks/${wall.kiosk.id}`)).status, 204);
  // Hub B cannot have heard of either.
  await new Promise((r) => setTimeout(r, 1000));
  assert.equal(closed, { session: false, kiosk: false });

  proxy.restore();
  await until(() => closed.session && closed.kiosk, 15_000, 'both live sockets on hub B ended after Redis returned');
  assert.match(b.output(), 'connections checked against the database');
  // And they cannot come back.
  const again = await connectLive(urlB, leaving.cookie).then((s) => { closers.push(s); return 'connected'; }, () => 'refused');
  assert.is(again, 'refused');
});

test.run();
