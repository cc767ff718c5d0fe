/** The audit log records agent token use: the first connection of a host's agent in an hour, not every reconnect. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { agentAuth, connectRawAgent, hello, startHub, until } from '../helpers/hub.js';

test('should record an agent token\'s use once per hour of reconnects, with the host and agent version', async () => {
  const t = await startHub('sqlite');
  try {
    const created = await t.admin.post('/api/hosts', { name: 'audited' });
    const id = created.body.host.id;
    for (let i = 0; i < 3; i++) {
      const a = await connectRawAgent(t.url, agentAuth(created.body.token));
      await a.timeout(3000).emitWithAck('hello', hello);
      a.close();
    }
    const entries = await until(async () => {
      const e = (await t.admin.get('/api/audit')).body.entries.filter((x: any) => x.action === 'agent.connect' && x.target === `host:${id}`);
      return e.length ? e : null;
    }, 3000, 'the agent.connect entry');
    await new Promise((r) => setTimeout(r, 200));
    const again = (await t.admin.get('/api/audit')).body.entries.filter((x: any) => x.action === 'agent.connect' && x.target === `host:${id}`);
    assert.is(again.length, 1, 'one entry for three connections');
    assert.is(entries[0].actor, `agent:host:${id}`);
    assert.is(entries[0].detail.agentVersion, 'test');
    assert.ok((await t.admin.get('/api/audit')).body.entries.some((x: any) => x.action === 'host.create' && x.target.startsWith(`host:${id}`)), 'the admin action is there too');
  } finally {
    await t.stop();
  }
});

test.run();
