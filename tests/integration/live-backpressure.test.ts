/**
 * A dashboard that stops reading must not make the hub buffer deltas for it
 * without bound: it is skipped while backed up, then gets a fresh snapshot.
 * The slow dashboard is a raw WebSocket speaking the socket.io wire format
 * whose TCP socket the test pauses.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import WebSocket from 'ws';
import { agentAuth, connectRawAgent, hello, sample, startHub, until, type TestHub } from '../helpers/hub.js';

const test = suite('/live backpressure');
let t: TestHub;
test.before(async () => { t = await startHub('sqlite'); });
test.after(async () => { await t?.stop(); });

test('should keep a stalled dashboard\'s buffer bounded and send it a fresh snapshot once it reads again', async () => {
  const created = await t.admin.post('/api/hosts', { name: 'busy' });
  const hostId = created.body.host.id;
  const topic = `host:${hostId}`;

  const ws = new WebSocket(`${t.url.replace('http', 'ws')}/socket.io/?EIO=4&transport=websocket`, { headers: { cookie: t.admin.cookie } });
  const frames: string[] = [];
  ws.on('message', (d) => {
    const s = d.toString();
    if (s === '2') ws.send('3'); // engine.io ping → pong
    frames.push(s);
  });
  await new Promise((r) => ws.once('open', r));
  ws.send('40/live,');
  await until(() => frames.some((f) => f.startsWith('40/live,')), 3000, 'namespace connect');
  ws.send(`42/live,1["subscribe",{"topic":"${topic}"}]`);
  await until(() => frames.some((f) => f.startsWith('43/live,1')), 3000, 'subscribe ack');
  await until(() => frames.some((f) => f.startsWith('42/live,["snapshot"')), 3000, 'first snapshot');

  const liveNsp = t.hub.io.of('/live');
  const serverSocket = [...liveNsp.sockets.values()][0];
  (ws as any)._socket.pause(); // the browser tab froze: nothing is read any more

  const agent = await connectRawAgent(t.url, agentAuth(created.body.token));
  await agent.timeout(3000).emitWithAck('hello', hello);
  let seq = 0, maxBuffered = 0;
  const pad = Date.now();
  const end = Date.now() + 4000;
  while (Date.now() < end) {
    const batch = Array.from({ length: 200 }, () => { seq++; return sample(seq, pad + seq); });
    agent.emit('samples', { samples: batch });
    await new Promise((r) => setTimeout(r, 10));
    maxBuffered = Math.max(maxBuffered, (serverSocket.conn as any).writeBuffer.length);
  }
  assert.ok(seq > 50_000, `enough load was sent (${seq} samples)`);
  assert.ok(maxBuffered <= 40, `the hub's buffer for the stalled dashboard stayed bounded (max ${maxBuffered} packets)`);
  assert.ok(serverSocket.data.resync.has(topic), 'the stalled dashboard is marked for a fresh snapshot');

  const before = frames.length;
  (ws as any)._socket.resume();
  const snap = await until(() => frames.slice(before).find((f) => f.startsWith('42/live,["snapshot"')), 10_000, 'fresh snapshot after resuming');
  const last = JSON.parse(snap.slice('42/live,'.length))[1].data.points.at(-1);
  assert.is(last.t, pad + seq, 'the snapshot carries the latest sample');
  agent.close(); ws.close();
});

test.run();
