/**
 * Floods: one agent or one API client sending far more than any real one is cut
 * off (the agent disconnected, the client answered 429) while the others carry on.
 * A flooding agent loses nothing: what it sent before the cut is taken without a
 * gap, and the rest it resends from its spool after reconnecting.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Api, ADMIN, agentAuth, connectRawAgent, hello, sample, rollupCount, startHub, until, type TestHub } from '../helpers/hub.js';
import type { AckMessage, RejectMessage } from '../../protocol/index.js';

const ctx = { h: undefined as unknown as TestHub };
const test = suite('floods', ctx);
test.before(async (c) => { c.h = await startHub('sqlite', { AGENT_MSG_RATE: '50', AGENT_MSG_BURST: '500', API_RATE_LIMIT: '20', API_RATE_BURST: '60' }); });
test.after(async (c) => { await c.h?.stop(); });

const metric = async (h: TestHub, re: RegExp) => Number(((await (await fetch(`${h.url}/metrics`)).text()).match(re) ?? [])[1] ?? 0);

test('should disconnect an agent that floods, keep what it sent before without a gap, and not slow another agent', async ({ h }) => {
  const hostA = (await h.admin.post('/api/hosts', { name: 'flooder' })).body;
  const hostB = (await h.admin.post('/api/hosts', { name: 'neighbour' })).body;
  const a = await connectRawAgent(h.url, agentAuth(hostA.token));
  const b = await connectRawAgent(h.url, agentAuth(hostB.token));
  await a.timeout(3000).emitWithAck('hello', hello);
  await b.timeout(3000).emitWithAck('hello', hello);
  const rejects: RejectMessage[] = [];
  a.on('reject', (m) => rejects.push(m));
  let aDisconnected = false;
  a.on('disconnect', () => { aDisconnected = true; });
  let bAcked = 0;
  b.on('ack', (m: AckMessage) => { if (m.stream === 'samples') bAcked = Math.max(bAcked, m.seq); });

  const t0 = Date.now() - 100_000;
  for (let i = 1; i <= 5000; i++) a.emit('samples', { samples: [sample(i, t0 + i)] });
  for (let i = 1; i <= 20; i++) b.emit('samples', { samples: [sample(i, t0 + i * 1000)] });

  await until(() => aDisconnected, 5000, 'the flooding agent to be disconnected');
  assert.ok(rejects.some((r) => r.reason === 'rate_limited'), 'it was told why');
  await until(() => bAcked === 20, 5000, 'the neighbour acknowledged in full');
  assert.is(await rollupCount(h, hostB.host.id), 20);

  // What the flooder got in is contiguous from seq 1: its watermark equals its count.
  await new Promise((r) => setTimeout(r, 200));
  const got = await rollupCount(h, hostA.host.id);
  assert.ok(got > 0 && got < 5000, `some taken before the cut (${got})`);
  const again = await connectRawAgent(h.url, agentAuth(hostA.token));
  const reply: any = await again.timeout(3000).emitWithAck('hello', hello);
  assert.is(reply.watermarks.samples, got, 'no seq skipped: the agent resends from there');
  again.close(); b.close(); a.close();
  assert.ok(await metric(h, /rackpulse_agent_rejected_total\{reason="rate_limited"\} (\d+)/) >= 1, 'counted');
});

test('should answer 429 to an API client past its rate and keep serving another', async ({ h }) => {
  const other = await new Api(h.url).login(ADMIN.email, ADMIN.password);
  const answers = await Promise.all(Array.from({ length: 200 }, () => h.admin.get('/api/hosts')));
  const limited = answers.filter((r) => r.status === 429);
  assert.ok(limited.length > 0, 'the flood met the limit');
  assert.is(limited[0].body.error.code, 'rate_limited');
  assert.ok(Number(limited[0].headers.get('retry-after')) >= 1);
  assert.ok(answers.filter((r) => r.status === 200).length >= 60, 'the burst was served');
  assert.is((await other.get('/api/hosts')).status, 200, 'another client is not affected');
  assert.ok(await metric(h, /rackpulse_api_rate_limited_total (\d+)/) >= 1, 'counted');
});

test.run();
