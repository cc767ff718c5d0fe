// Alert webhooks against real local HTTP servers: POSTed on firing and on resolved, retried with
// backoff (one server fails twice then succeeds, one always fails), the last outcome shown in
// GET /api/alert-rules and failures counted in /metrics. SQLite and MariaDB.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createServer, type Server } from 'node:http';
import type { AlertWebhookPayload } from '../../protocol/index.js';
import { sample, startHub, until, type RawAgent, type TestHub } from '../helpers/hub.js';
import { connectAgent, createHost } from '../helpers/rest.js';

interface Hook { url: string; got: AlertWebhookPayload[]; attempts: number; server: Server }

/** A webhook receiver that answers 500 to the first `failFirst` attempts, then 204. */
async function receiver(failFirst: number): Promise<Hook> {
  const hook = { got: [], attempts: 0 } as unknown as Hook;
  hook.server = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => { body += d; });
    req.on('end', () => {
      hook.attempts++;
      if (hook.attempts <= failFirst) { res.statusCode = 500; res.end('no'); return; }
      hook.got.push(JSON.parse(body));
      res.statusCode = 204; res.end();
    });
  });
  await new Promise<void>((r) => hook.server.listen(0, '127.0.0.1', () => r()));
  hook.url = `http://127.0.0.1:${(hook.server.address() as any).port}/hook`;
  return hook;
}

interface Ctx { h: TestHub; agent: RawAgent; hostId: number; flaky: Hook; dead: Hook; seq: number }

function webhookSuite(kind: 'sqlite' | 'mysql') {
  const s = suite<Ctx>(`alert webhooks (${kind})`, {} as Ctx);
  s.before(async (c) => {
    c.h = await startHub(kind, { ALERT_WEBHOOK_RETRY_MS: '50' });
    c.flaky = await receiver(2);
    c.dead = await receiver(Infinity);
    const host = await createHost(c.h.admin, 'db-1');
    c.hostId = host.id;
    c.agent = await connectAgent(c.h.url, host.token);
    c.seq = 0;
  });
  s.after(async (c) => { c.agent?.close(); await c.h?.stop(); c.flaky?.server.close(); c.dead?.server.close(); });

  const disk = (c: Ctx, usedBytes: number) => c.agent.emit('samples', { samples: [sample(++c.seq, Date.now(), {
    disks: [{ mount: '/', device: '/dev/sda1', fsType: 'ext4', sizeBytes: 1000, usedBytes, availBytes: 1000 - usedBytes }],
  })] });

  s('should deliver firing and resolved after failed attempts, and show the last outcome', async (c) => {
    assert.is((await c.h.admin.req('PUT', '/api/alert-rules/disk_full', { webhookUrl: c.flaky.url })).status, 200);
    disk(c, 950);
    await until(() => c.flaky.got.length === 1, 5000, 'the firing webhook');
    assert.is(c.flaky.attempts, 3, 'two failures, then success');
    const fired = c.flaky.got[0];
    assert.equal([fired.event, fired.alert.kind, fired.alert.state, fired.alert.subject, fired.alert.hostId], ['firing', 'disk_full', 'firing', '/', c.hostId]);
    disk(c, 100);
    await until(() => c.flaky.got.length === 2, 5000, 'the resolved webhook');
    assert.equal([c.flaky.got[1].event, c.flaky.got[1].alert.id, c.flaky.got[1].alert.state], ['resolved', fired.alert.id, 'resolved']);
    const rule = (await c.h.admin.get('/api/alert-rules')).body.rules.find((r: any) => r.kind === 'disk_full' && r.hostId === null);
    assert.equal([rule.webhook.lastStatus, rule.webhook.lastError, rule.webhook.failures], ['ok', null, 0]);
  });

  s('a host override\'s webhook should be used, retried 5 times when it always fails, and counted', async (c) => {
    assert.is((await c.h.admin.req('PUT', `/api/hosts/${c.hostId}/alert-rules/disk_full`, { webhookUrl: c.dead.url })).status, 200);
    disk(c, 990);
    const rule = await until(async () => {
      const r = (await c.h.admin.get('/api/alert-rules')).body.rules.find((x: any) => x.kind === 'disk_full' && x.hostId === c.hostId);
      return r.webhook?.failures === 5 ? r : null;
    }, 8000, 'five failed attempts');
    assert.equal([rule.webhook.lastStatus, rule.webhook.lastError], ['failed', 'HTTP 500']);
    assert.is(c.dead.attempts, 5);
    assert.is(c.flaky.got.length, 2, 'the default\'s webhook was not used for this host');
    const m = /rackpulse_alert_webhook_failures_total (\d+)/.exec((await c.h.admin.get('/metrics')).body);
    assert.is(Number(m?.[1]), 7, 'two failures of the flaky hook and five of the dead one');
    // Evaluation went on meanwhile: the alert is listed firing.
    const alerts = (await c.h.admin.get('/api/alerts?state=firing')).body.alerts;
    assert.ok(alerts.some((a: any) => a.kind === 'disk_full' && a.value === 99));
  });

  return s;
}

webhookSuite('sqlite').run();
webhookSuite('mysql').run();
