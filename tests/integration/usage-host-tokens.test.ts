// POST|DELETE /api/hosts/:id/token on a real hub: the old token stops at once (its agent is
// disconnected and cannot come back), a reissued one works, everything is audited, admins only.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { agentAuth, connectRawAgent, startHub, until, type TestHub } from '../helpers/hub.js';
import { assertError, connectAgent, createHost, createUser, refusal } from '../helpers/rest.js';

for (const kind of ['sqlite', 'mysql'] as const) {
  const test = suite(`POST|DELETE /api/hosts/:id/token (${kind})`, { h: undefined as unknown as TestHub });
  test.before(async (c) => { c.h = await startHub(kind); });
  test.after(async (c) => { await c.h?.stop(); });

  test('should disconnect the revoked token\'s agent, refuse it with invalid_token and show hasToken false', async ({ h }) => {
    const host = await createHost(h.admin, 'revoke-me');
    const agent = await connectAgent(h.url, host.token);
    const gone = new Promise((r) => agent.once('disconnect', r));
    const res = await h.admin.del(`/api/hosts/${host.id}/token`);
    assert.is(res.status, 200);
    assert.is(res.body.host.hasToken, false);
    assert.not.ok('token' in res.body);
    await gone;
    const err = await refusal(connectRawAgent(h.url, agentAuth(host.token)));
    assert.is(err.data?.code, 'invalid_token');
    assert.is((await h.admin.get(`/api/hosts/${host.id}`)).body.host.hasToken, false);
    const audit = await h.admin.get('/api/audit');
    assert.ok(JSON.stringify(audit.body).includes('host.token.revoke'), 'revoke is audited');
  });

  test('should issue a new token once: the old one is refused at once, the new one connects', async ({ h }) => {
    const host = await createHost(h.admin, 'reissue-me');
    const agent = await connectAgent(h.url, host.token);
    const gone = new Promise((r) => agent.once('disconnect', r));
    const res = await h.admin.post(`/api/hosts/${host.id}/token`);
    assert.is(res.status, 201);
    assert.match(res.body.token, /^rpa_/);
    assert.is.not(res.body.token, host.token);
    assert.is(res.body.host.hasToken, true);
    await gone;
    assert.is((await refusal(connectRawAgent(h.url, agentAuth(host.token)))).data?.code, 'invalid_token');
    const fresh = await connectAgent(h.url, res.body.token);
    await until(() => h.hub.deps.agents.agentOf(host.id), 2000, 'the new agent');
    fresh.close();
    // A revoked host gets a working token back the same way.
    await h.admin.del(`/api/hosts/${host.id}/token`);
    const again = await h.admin.post(`/api/hosts/${host.id}/token`);
    (await connectAgent(h.url, again.body.token)).close();
    const audit = JSON.stringify((await h.admin.get('/api/audit')).body);
    assert.ok(audit.includes('host.token.issue'), 'issue is audited');
    assert.not.ok(audit.includes(res.body.token), 'the token itself is never logged');
  });

  test('should answer 401 anonymous, 403 to a customer and 404 for an unknown host, changing nothing', async ({ h }) => {
    const host = await createHost(h.admin, 'keep-me');
    const cust = await createUser(h.admin, `c-${kind}@example.com`);
    assertError(await cust.api.post(`/api/hosts/${host.id}/token`), 403);
    assertError(await cust.api.del(`/api/hosts/${host.id}/token`), 403);
    const anon = await fetch(`${h.url}/api/hosts/${host.id}/token`, { method: 'DELETE' });
    assert.is(anon.status, 401);
    assertError(await h.admin.post('/api/hosts/999999/token'), 404);
    assertError(await h.admin.del('/api/hosts/abc/token'), 404);
    (await connectAgent(h.url, host.token)).close();
  });

  test.run();
}
