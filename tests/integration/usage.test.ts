// GET /api/usage on a real hub (SQLite and MariaDB): totals kept incrementally stay equal to a
// recomputation while usage changes and hosts come and go; keyset pages; filters; CSV; who sees what.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Api, startHub, type RawAgent, type TestHub } from '../helpers/hub.js';
import { assertError, connectAgent, createAccount, createHost, createPlan, createUser, nextEvent } from '../helpers/rest.js';
import type { UsagePageDto, UsageRowDto } from '../../protocol/index.js';

type Model = Map<number, Map<string, number>>; // host id → account → bytes

/** Totals recomputed from the ingest's own latest-usage table, and the incrementally kept ones, side by side. */
async function storedTotals(h: TestHub) {
  const knex = (h.hub.deps.orm.em as any).getKnex();
  const rows = async (sql: string) => { const r = await knex.raw(sql); return (Array.isArray(r) && Array.isArray(r[0]) ? r[0] : r) as any[]; };
  const norm = (r: any[], k: string[]) => r.map((x) => k.map((c) => (c === 'account' ? x[c] : Number(x[c])))).sort((a, b) => String(a).localeCompare(String(b)));
  return {
    recomputed: {
      accounts: norm(await rows('select account, sum(used_bytes) as b, count(*) as n from account_usage group by account'), ['account', 'b', 'n']),
      hosts: norm(await rows('select host_id, sum(used_bytes) as b, count(*) as n from account_usage group by host_id'), ['host_id', 'b', 'n']),
      fleet: norm(await rows('select coalesce(sum(used_bytes), 0) as b, count(distinct account) as n from account_usage'), ['b', 'n']),
    },
    kept: {
      accounts: norm(await rows('select account, total_bytes as b, hosts as n from usage_totals'), ['account', 'b', 'n']),
      hosts: norm(await rows('select host_id, bytes as b, accounts as n from host_usage_totals where host_id <> 0 and accounts > 0'), ['host_id', 'b', 'n']),
      fleet: norm(await rows('select bytes as b, accounts as n from host_usage_totals where host_id = 0'), ['b', 'n']),
    },
  };
}

function expectedRows(m: Model): Map<string, number> {
  const out = new Map<string, number>();
  for (const accounts of m.values()) for (const [a, b] of accounts) out.set(a, (out.get(a) ?? 0) + b);
  return out;
}

async function allPages(api: Api, query: string): Promise<{ rows: UsageRowDto[]; pages: number }> {
  const rows: UsageRowDto[] = [];
  let after: string | null = null, pages = 0;
  do {
    const res = await api.get(`/api/usage?${query}${after ? `&after=${after}` : ''}`);
    assert.is(res.status, 200, JSON.stringify(res.body));
    const body = res.body as UsagePageDto;
    rows.push(...body.rows);
    after = body.next;
    pages++;
  } while (after && pages < 1000);
  return { rows, pages };
}

function parseCsv(text: string): string[][] {
  const out: string[][] = [];
  let row: string[] = [], cell = '', quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { cell += '"'; i++; } else if (c === '"') quoted = false; else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') { row.push(cell); cell = ''; }
    else if (c === '\r' && text[i + 1] === '\n') { row.push(cell); out.push(row); row = []; cell = ''; i++; }
    else cell += c;
  }
  return out;
}

for (const kind of ['sqlite', 'mysql'] as const) {
  const ctx = {
    h: undefined as unknown as TestHub, agents: new Map<number, RawAgent>(), seq: new Map<number, number>(), model: new Map() as Model,
    hosts: {} as Record<string, number>, cust: undefined as unknown as { id: number; api: Api },
  };
  const test = suite(`GET /api/usage (${kind})`, ctx);

  /** Send a quota snapshot from a host's agent and wait until it is committed (acked). */
  const report = async (c: typeof ctx, hostId: number, figures: Record<string, number>) => {
    const agent = c.agents.get(hostId)!;
    const seq = (c.seq.get(hostId) ?? 0) + 1;
    c.seq.set(hostId, seq);
    const acked = nextEvent(agent, 'ack', (m: any) => m.stream === 'quota' && m.seq >= seq);
    const now = Date.now();
    agent.emit('quota', { seq, t: now, accounts: Object.entries(figures).map(([account, usedBytes]) => ({ account, usedBytes, source: 'walk', measuredAt: now })) });
    await acked;
    const m = c.model.get(hostId) ?? new Map<string, number>();
    for (const [a, b] of Object.entries(figures)) m.set(a, b);
    c.model.set(hostId, m);
  };

  /** The kept totals equal the recomputation, and the API's totals equal the test's own model. */
  const checkTotals = async (c: typeof ctx) => {
    const t = await storedTotals(c.h);
    assert.equal(t.kept, t.recomputed);
    const res = await c.h.admin.get('/api/usage?limit=1');
    const want = expectedRows(c.model);
    assert.is(res.body.totals.accounts, want.size);
    assert.is(res.body.totals.bytes, [...want.values()].reduce((a, b) => a + b, 0));
    for (const [hostId, accounts] of c.model) {
      const ph = res.body.totals.perHost.find((x: any) => x.hostId === hostId);
      assert.equal([ph?.bytes, ph?.accounts], [[...accounts.values()].reduce((a, b) => a + b, 0), accounts.size], `host ${hostId}`);
    }
  };

  test.before(async (c) => {
    c.h = await startHub(kind);
    const plan = await createPlan(c.h.admin, 'basic', 1e12);
    c.cust = await createUser(c.h.admin, 'cust@example.com');
    const other = await createUser(c.h.admin, 'other@example.com');
    for (const name of ['web-a', 'web-b', 'web-c']) {
      const host = await createHost(c.h.admin, name);
      c.hosts[name] = host.id;
      c.agents.set(host.id, await connectAgent(c.h.url, host.token));
    }
    // alice on web-a is the customer's, alice on web-b is nobody's; dave on web-b the customer's; bob someone else's.
    await createAccount(c.h.admin, { hostId: c.hosts['web-a'], name: 'alice', ownerId: c.cust.id, planId: plan });
    await createAccount(c.h.admin, { hostId: c.hosts['web-b'], name: 'dave', ownerId: c.cust.id, planId: plan });
    await createAccount(c.h.admin, { hostId: c.hosts['web-a'], name: 'bob', ownerId: other.id, planId: plan });
  });
  test.after(async (c) => { for (const a of c.agents.values()) a.close(); await c.h?.stop(); });

  test('should keep totals exact as usage arrives, changes and repeats', async (c) => {
    const { 'web-a': a, 'web-b': b, 'web-c': hc } = c.hosts;
    await report(c, a, { alice: 100, bob: 200, carol: 0, '=evil,"x"': 5 });
    await report(c, b, { alice: 50, dave: 300 });
    await report(c, hc, { bob: 200, erin: 400, frank: 400 });
    await checkTotals(c);
    await report(c, a, { alice: 150, bob: 200 }); // one change, one repeat
    await report(c, b, { alice: 0, gina: 7 });
    await checkTotals(c);
    const res = await c.h.admin.get('/api/usage?account=alice');
    assert.equal(res.body.rows.map((r: UsageRowDto) => [r.account, r.totalBytes, r.hosts.map((x) => [x.hostName, x.bytes])]),
      [['alice', 150, [['web-a', 150], ['web-b', 0]]]]);
    assert.is(res.body.rows[0].ownerId, c.cust.id);
    assert.is(res.body.rows[0].ownerName, 'cust@example.com');
  });

  test('should visit every account exactly once by name and by total (ties by name)', async (c) => {
    // 40 more accounts in 4 groups of equal totals, on two hosts.
    const figures: Record<string, number> = {};
    for (let i = 0; i < 40; i++) figures[`u${String(i).padStart(2, '0')}`] = 1000 * (i % 4);
    await report(c, c.hosts['web-a'], figures);
    const want = expectedRows(c.model);
    const byName = await allPages(c.h.admin, 'limit=7&sort=account');
    assert.equal(byName.rows.map((r) => r.account), [...want.keys()].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0)));
    assert.ok(byName.pages > 2);
    const byTotal = await allPages(c.h.admin, 'limit=6&sort=total');
    const order = [...want].sort((x, y) => y[1] - x[1] || (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0));
    assert.equal(byTotal.rows.map((r) => [r.account, r.totalBytes]), order);
    await checkTotals(c);
  });

  test('should filter by name prefix and by host, also together and while paging', async (c) => {
    const prefix = await allPages(c.h.admin, 'account=u1&limit=3&sort=total');
    assert.equal(prefix.rows.map((r) => r.account).sort(), Array.from({ length: 10 }, (_, i) => `u1${i}`));
    const literal = await c.h.admin.get(`/api/usage?account=${encodeURIComponent('=evil,"')}`);
    assert.equal(literal.body.rows.map((r: UsageRowDto) => r.account), ['=evil,"x"']);
    const none = await c.h.admin.get('/api/usage?account=u_');
    assert.equal(none.body.rows, [], '_ is not a wildcard');
    for (const sort of ['account', 'total']) {
      const onC = await allPages(c.h.admin, `host=${c.hosts['web-c']}&limit=2&sort=${sort}`);
      assert.equal(onC.rows.map((r) => r.account).sort(), ['bob', 'erin', 'frank']);
      const both = await allPages(c.h.admin, `host=${c.hosts['web-b']}&account=a&sort=${sort}`);
      assert.equal(both.rows.map((r) => r.account), ['alice']);
    }
  });

  test('should show a customer only the (host, account) pairs registered to them', async (c) => {
    const res = await c.cust.api.get('/api/usage?sort=total');
    assert.is(res.status, 200);
    assert.equal(res.body.rows.map((r: UsageRowDto) => [r.account, r.totalBytes, r.hosts.map((x) => x.hostName), r.ownerId]),
      [['dave', 300, ['web-b'], c.cust.id], ['alice', 150, ['web-a'], c.cust.id]]);
    assert.equal([res.body.totals.bytes, res.body.totals.accounts], [450, 2]);
    const filtered = await c.cust.api.get(`/api/usage?host=${c.hosts['web-c']}`);
    assert.equal(filtered.body.rows, []);
    const paged = await allPages(c.cust.api, 'limit=1&sort=total');
    assert.equal(paged.rows.map((r) => r.account), ['dave', 'alice']);
    const csv = await fetch(`${c.h.url}/api/usage?format=csv`, { headers: { cookie: c.cust.api.cookie } });
    assert.equal(parseCsv(await csv.text()).map((r) => r[0]), ['account', 'alice', 'dave']);
  });

  test('should name the owner of the earliest registered (host, login) by display name, in pages by name and by total and in CSV', async (c) => {
    const { 'web-a': a, 'web-b': b } = c.hosts;
    const plan = await createPlan(c.h.admin, 'owners', 1e12);
    const named = (await c.h.admin.post('/api/users', { email: 'named@example.com', password: 'customer-pass-1', role: 'customer', name: 'Named Owner' })).body.user.id as number;
    // henry is registered on web-b to the named user first, then on web-a to the customer: web-b's is the earliest.
    await createAccount(c.h.admin, { hostId: b, name: 'henry', ownerId: named, planId: plan });
    await createAccount(c.h.admin, { hostId: a, name: 'henry', ownerId: c.cust.id, planId: plan });
    await report(c, a, { henry: 10 });
    await report(c, b, { henry: 20 });
    const want = [['henry', 30, [['web-a', 10], ['web-b', 20]], named, 'Named Owner']];
    const shape = (rows: UsageRowDto[]) => rows.filter((r) => r.account === 'henry').map((r) => [r.account, r.totalBytes, r.hosts.map((x) => [x.hostName, x.bytes]), r.ownerId, r.ownerName]);
    for (const q of ['account=henry', 'account=henry&sort=total', `host=${a}&sort=total&limit=5000`, 'sort=total&limit=5000', 'limit=5000']) {
      const res = await c.h.admin.get(`/api/usage?${q}`);
      assert.equal(shape(res.body.rows), want, q);
    }
    // The customer sees the one (host, login) registered to them, and themselves as its owner.
    for (const q of ['account=henry', 'sort=total']) {
      const mine = await c.cust.api.get(`/api/usage?${q}`);
      assert.equal(shape(mine.body.rows), [['henry', 10, [['web-a', 10]], c.cust.id, 'cust@example.com']], q);
    }
    const csv = parseCsv(await (await fetch(`${c.h.url}/api/usage?format=csv&sort=total`, { headers: { cookie: c.h.admin.cookie } })).text());
    assert.equal(csv.find((r) => r[0] === 'henry')?.slice(0, 5), ['henry', 'Named Owner', '30', '10', '20']);
    await checkTotals(c);
  });

  test('should answer 401 to anonymous callers and 400 to bad parameters', async (c) => {
    assertError(await new Api(c.h.url).get('/api/usage'), 401);
    const first = await c.h.admin.get('/api/usage?sort=total&limit=1');
    for (const [q, field] of [['limit=-1', 'limit'], ['limit=5001', 'limit'], ['limit=abc', 'limit'], ['limit=1&limit=2', 'limit'], ['sort=size', 'sort'],
      ['format=xml', 'format'], ['host=abc', 'host'], ['after=not-a-cursor!', 'after'], ['after=eyJ4Ijox', 'after'],
      [`after=${first.body.next}&sort=account`, 'after'], [`account=${'x'.repeat(65)}`, 'account']]) {
      assertError(await c.h.admin.get(`/api/usage?${q}`), 400, 'bad_request', field);
    }
    assert.is((await c.h.admin.get('/api/usage?limit=5000')).status, 200);
    const totalsOnly = await c.h.admin.get('/api/usage?limit=0');
    assert.equal([totalsOnly.body.rows, totalsOnly.body.next], [[], null], 'limit=0: the totals alone');
    assert.equal(totalsOnly.body.totals, first.body.totals);
    assert.is((await c.h.admin.get('/api/usage')).body.rows.length, Math.min(100, expectedRows(c.model).size));
  });

  test('should export every matching row as escaped CSV, one column per host', async (c) => {
    const res = await fetch(`${c.h.url}/api/usage?format=csv&sort=total`, { headers: { cookie: c.h.admin.cookie } });
    assert.is(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/csv/);
    assert.match(res.headers.get('content-disposition') ?? '', /^attachment; filename="usage-[0-9-]+\.csv"$/);
    const text = await res.text();
    assert.ok(text.includes(`"'=evil,""x""",,5,5,,\r\n`), 'formula neutralised, quotes doubled, empty cells where no usage');
    const rows = parseCsv(text);
    assert.equal(rows[0], ['account', 'owner', 'total_bytes', 'web-a', 'web-b', 'web-c']);
    const want = expectedRows(c.model);
    assert.is(rows.length - 1, want.size);
    for (const r of rows.slice(1)) {
      const account = r[0].startsWith("'") ? r[0].slice(1) : r[0];
      assert.is(Number(r[2]), want.get(account), account);
    }
    assert.equal(rows.find((r) => r[0] === 'alice'), ['alice', 'cust@example.com', '150', '150', '0', '']);
  });

  test('should take a deleted host out of every total', async (c) => {
    assert.is((await c.h.admin.del(`/api/hosts/${c.hosts['web-c']}`)).status, 204);
    c.agents.get(c.hosts['web-c'])!.close();
    c.model.delete(c.hosts['web-c']);
    await checkTotals(c);
    const res = await c.h.admin.get('/api/usage?account=bob');
    assert.equal(res.body.rows.map((r: UsageRowDto) => [r.account, r.totalBytes, r.hosts.length]), [['bob', 200, 1]]);
    assert.equal((await c.h.admin.get('/api/usage?account=erin')).body.rows, []);
    assert.not.ok(res.body.totals.perHost.some((x: any) => x.hostId === c.hosts['web-c']));
  });

  test.run();
}
