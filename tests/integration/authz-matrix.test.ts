// Authorization matrix against the real hub on SQLite and MariaDB: every REST endpoint the routers
// register and every `/live` topic, asked by every kind of caller (anonymous, two customers, an admin,
// a kiosk, a revoked kiosk, an agent token and a revoked one used as a Bearer, a cookie or a live
// handshake), each cell with its expected answer. A customer reaching another customer's account,
// host, series, usage or alerts gets what a missing id gets; a refused write changes nothing; a
// customer's answers never name the other customer's host, account or email. A route without a row
// here fails the test. `/agent`: revoked and kiosk tokens are refused, an agent speaks for its own host only.
import { readFileSync } from 'node:fs';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { io as ioc } from 'socket.io-client';
import type Router from '@koa/router';
import type { AlertDto, KioskCreated, SubscribeReply } from '../../protocol/index.js';
import { PROTOCOL_VERSION } from '../../protocol/index.js';
import {
  Api, KioskApi, agentAuth, connectRawAgent, hello, sample, startHub, until, type LiveClient, type RawAgent, type TestHub,
} from '../helpers/hub.js';
import { createAccount, createHost, createPlan, createUser, nextEvent, record, refusal } from '../helpers/rest.js';
import { healthRoutes } from '../../server/http/health.routes.js';
import { sessionRoutes } from '../../server/http/session.routes.js';
import { userRoutes } from '../../server/http/users.routes.js';
import { hostRoutes } from '../../server/http/hosts.routes.js';
import { accountRoutes } from '../../server/http/accounts.routes.js';
import { actionRoutes } from '../../server/http/actions.routes.js';
import { capacityRoutes } from '../../server/http/capacity.routes.js';
import { usageRoutes } from '../../server/usage/usage.routes.js';
import { queueRoutes } from '../../server/queue/queue.routes.js';
import { kioskRoutes } from '../../server/kiosk/kiosk.routes.js';
import { alertRoutes } from '../../server/alerts/alerts.routes.js';
import { messengerRoutes } from '../../server/queue/queue.messenger.js';

const METRICS_TOKEN = 'metrics-scrape-token-1';

// ---- callers ------------------------------------------------------------------------------------

/** REST callers, in the order of the matrix columns. */
const CALLERS = ['anon', 'custA', 'custB', 'admin', 'kiosk', 'kioskRevoked', 'agentBearer', 'agentRevokedBearer', 'agentCookie', 'agentRevokedCookie'] as const;
type Caller = (typeof CALLERS)[number];

/** `/live` callers: how each one shakes hands. */
const LIVE_CALLERS = ['anon', 'custA', 'custB', 'admin', 'kiosk', 'kioskRevoked', 'agentAsKiosk', 'agentAsToken', 'agentRevokedAsKiosk', 'agentRevokedAsToken'] as const;
type LiveCaller = (typeof LIVE_CALLERS)[number];

// ---- the REST matrix ----------------------------------------------------------------------------

/**
 * One cell per caller, in CALLERS order. `route` is the router's method and path template (checked
 * against the routers); `path` uses {a1} {b1} {accMissing} {h1} {h2} {h3} {hSpare} {hMissing} {kq}
 * {kqOther} {kSpare} {alertA} {alertMissing}. `state` (read as admin) must not change when refused.
 */
interface Row { route: string; path: string; body?: unknown; expect: number[]; state?: (c: Ctx) => Promise<unknown> }

const list = (path: string) => async (c: Ctx) => (await c.admin.get(path)).body;
const usersState = list('/api/users'), plansState = list('/api/plans'), hostsState = list('/api/hosts'), accountsState = list('/api/accounts');
const kiosksState = list('/api/kiosks'), rulesState = list('/api/alert-rules');
const alertState = async (c: Ctx) => (await c.admin.get('/api/alerts?state=active&limit=500')).body.alerts.find((a: AlertDto) => a.id === c.ids.alertA);
const queueState = (q: 'kq' | 'kqOther') => async (c: Ctx) => { const s = (await c.admin.get(`/api/queues/${c.ids[q]}`)).body; return [s.messages, s.consumers]; };

//                                                                                       anon  A    B  admin kiosk kRev agB agRB agC agRC
const ROWS: Row[] = [
  // health (outside /api: a Bearer is not looked at; /metrics wants METRICS_TOKEN, set here)
  { route: 'GET /healthz', path: '/healthz', expect:                                     [200, 200, 200, 200, 200, 200, 200, 200, 200, 200] },
  { route: 'GET /readyz', path: '/readyz', expect:                                       [200, 200, 200, 200, 200, 200, 200, 200, 200, 200] },
  { route: 'GET /metrics', path: '/metrics', expect:                                     [401, 401, 401, 401, 401, 401, 401, 401, 401, 401] },
  // the Touchscreen messenger is off unless QUEUE_MESSENGER=1
  { route: 'GET /messenger', path: '/messenger?c=0&q=q&u=u', expect:                     [404, 404, 404, 404, 404, 404, 404, 404, 404, 404] },
  { route: 'POST /messenger', path: '/messenger?c=1&q=q&u=u&m=x', expect:                [404, 404, 404, 404, 404, 404, 404, 404, 404, 404] },
  // session
  { route: 'POST /api/session', path: '/api/session', body: { email: 'c@example.com', password: 'customer-pass-1' },
    expect:                                                                              [200, 200, 200, 200, 403, 401, 401, 401, 200, 200] },
  { route: 'GET /api/me', path: '/api/me', expect:                                       [401, 200, 200, 200, 403, 401, 401, 401, 401, 401] },
  // users, plans, audit
  { route: 'GET /api/users', path: '/api/users', expect:                                 [401, 403, 403, 200, 403, 401, 401, 401, 401, 401] },
  { route: 'POST /api/users', path: '/api/users', body: { email: 'new@example.com', password: 'new-password-1' }, state: usersState,
    expect:                                                                              [401, 403, 403, 201, 403, 401, 401, 401, 401, 401] },
  { route: 'GET /api/plans', path: '/api/plans', expect:                                 [401, 403, 403, 200, 403, 401, 401, 401, 401, 401] },
  { route: 'POST /api/plans', path: '/api/plans', body: { name: 'Matrix', quotaBytes: 5000, priceCents: 1 }, state: plansState,
    expect:                                                                              [401, 403, 403, 201, 403, 401, 401, 401, 401, 401] },
  { route: 'GET /api/audit', path: '/api/audit', expect:                                 [401, 403, 403, 200, 403, 401, 401, 401, 401, 401] },
  // hosts: admins and kiosks read; customers see no host at all (403 whatever the id)
  { route: 'GET /api/hosts', path: '/api/hosts', expect:                                 [401, 403, 403, 200, 200, 401, 401, 401, 401, 401] },
  { route: 'POST /api/hosts', path: '/api/hosts', body: { name: 'matrix-new' }, state: hostsState,
    expect:                                                                              [401, 403, 403, 201, 403, 401, 401, 401, 401, 401] },
  { route: 'GET /api/hosts/:id', path: '/api/hosts/{h1}', expect:                        [401, 403, 403, 200, 200, 401, 401, 401, 401, 401] },
  { route: 'GET /api/hosts/:id', path: '/api/hosts/{h2}', expect:                        [401, 403, 403, 200, 200, 401, 401, 401, 401, 401] },
  { route: 'GET /api/hosts/:id', path: '/api/hosts/{hMissing}', expect:                  [401, 403, 403, 404, 404, 401, 401, 401, 401, 401] },
  { route: 'GET /api/hosts/:id/series', path: '/api/hosts/{h1}/series?metric=load', expect: [401, 403, 403, 200, 200, 401, 401, 401, 401, 401] },
  { route: 'GET /api/hosts/:id/series', path: '/api/hosts/{h2}/series?metric=load', expect: [401, 403, 403, 200, 200, 401, 401, 401, 401, 401] },
  { route: 'GET /api/hosts/:id/series', path: '/api/hosts/{hMissing}/series?metric=load', expect: [401, 403, 403, 404, 404, 401, 401, 401, 401, 401] },
  { route: 'POST /api/hosts/:id/token', path: '/api/hosts/{hSpare}/token', state: hostsState,
    expect:                                                                              [401, 403, 403, 201, 403, 401, 401, 401, 401, 401] },
  { route: 'DELETE /api/hosts/:id/token', path: '/api/hosts/{hSpare}/token', state: hostsState,
    expect:                                                                              [401, 403, 403, 200, 403, 401, 401, 401, 401, 401] },
  { route: 'DELETE /api/hosts/:id', path: '/api/hosts/{hSpare}', state: hostsState,
    expect:                                                                              [401, 403, 403, 204, 403, 401, 401, 401, 401, 401] },
  { route: 'DELETE /api/hosts/:id', path: '/api/hosts/{hMissing}', expect:               [401, 403, 403, 404, 403, 401, 401, 401, 401, 401] },
  // accounts: a customer gets their own; another customer's is the same 404 as a missing one
  { route: 'GET /api/accounts', path: '/api/accounts', expect:                           [401, 200, 200, 200, 403, 401, 401, 401, 401, 401] },
  { route: 'POST /api/accounts', path: '/api/accounts', body: { hostId: '{h1}', name: 'matrix', ownerId: '{custA}', planId: '{plan}' }, state: accountsState,
    expect:                                                                              [401, 403, 403, 201, 403, 401, 401, 401, 401, 401] },
  { route: 'GET /api/accounts/:id', path: '/api/accounts/{a1}', expect:                  [401, 200, 404, 200, 403, 401, 401, 401, 401, 401] },
  { route: 'GET /api/accounts/:id', path: '/api/accounts/{b1}', expect:                  [401, 404, 200, 200, 403, 401, 401, 401, 401, 401] },
  { route: 'GET /api/accounts/:id', path: '/api/accounts/{accMissing}', expect:          [401, 404, 404, 404, 403, 401, 401, 401, 401, 401] },
  { route: 'POST /api/accounts/:id/refresh', path: '/api/accounts/{a1}/refresh', expect: [401, 200, 404, 200, 403, 401, 401, 401, 401, 401] },
  { route: 'POST /api/accounts/:id/refresh', path: '/api/accounts/{b1}/refresh', expect: [401, 404, 200, 200, 403, 401, 401, 401, 401, 401] },
  { route: 'POST /api/accounts/:id/refresh', path: '/api/accounts/{accMissing}/refresh', expect: [401, 404, 404, 404, 403, 401, 401, 401, 401, 401] },
  { route: 'POST /api/accounts/:id/actions/:name', path: '/api/accounts/{a1}/actions/restart', expect: [401, 200, 404, 200, 403, 401, 401, 401, 401, 401] },
  { route: 'POST /api/accounts/:id/actions/:name', path: '/api/accounts/{b1}/actions/restart', expect: [401, 404, 200, 200, 403, 401, 401, 401, 401, 401] },
  { route: 'POST /api/accounts/:id/actions/:name', path: '/api/accounts/{accMissing}/actions/restart', expect: [401, 404, 404, 404, 403, 401, 401, 401, 401, 401] },
  // capacity, usage
  { route: 'GET /api/capacity', path: '/api/capacity', expect:                           [401, 403, 403, 200, 403, 401, 401, 401, 401, 401] },
  { route: 'GET /api/usage', path: '/api/usage', expect:                                 [401, 200, 200, 200, 403, 401, 401, 401, 401, 401] },
  { route: 'GET /api/usage', path: '/api/usage?host={h2}', expect:                       [401, 200, 200, 200, 403, 401, 401, 401, 401, 401] },
  { route: 'GET /api/usage', path: '/api/usage?format=csv', expect:                      [401, 200, 200, 200, 403, 401, 401, 401, 401, 401] },
  // queues: admins any, a kiosk its own (another's is a 404), customers none
  { route: 'POST /api/queues/:queue/messages', path: '/api/queues/{kq}/messages', body: { body: 'matrix' }, state: queueState('kq'),
    expect:                                                                              [401, 403, 403, 201, 201, 401, 401, 401, 401, 401] },
  { route: 'POST /api/queues/:queue/messages', path: '/api/queues/{kqOther}/messages', body: { body: 'matrix' }, state: queueState('kqOther'),
    expect:                                                                              [401, 403, 403, 201, 404, 401, 401, 401, 401, 401] },
  { route: 'GET /api/queues/:queue/messages', path: '/api/queues/{kq}/messages?consumer=matrix&wait=0', expect: [401, 403, 403, 204, 204, 401, 401, 401, 401, 401] },
  { route: 'GET /api/queues/:queue/messages', path: '/api/queues/{kqOther}/messages?consumer=matrix&wait=0', expect: [401, 403, 403, 204, 404, 401, 401, 401, 401, 401] },
  { route: 'GET /api/queues/:queue', path: '/api/queues/{kq}', expect:                   [401, 403, 403, 200, 200, 401, 401, 401, 401, 401] },
  { route: 'GET /api/queues/:queue', path: '/api/queues/{kqOther}', expect:              [401, 403, 403, 200, 404, 401, 401, 401, 401, 401] },
  { route: 'DELETE /api/queues/:queue/consumers/:consumer', path: '/api/queues/{kq}/consumers/matrix', state: queueState('kq'),
    expect:                                                                              [401, 403, 403, 204, 204, 401, 401, 401, 401, 401] },
  { route: 'DELETE /api/queues/:queue/consumers/:consumer', path: '/api/queues/{kqOther}/consumers/matrix', state: queueState('kqOther'),
    expect:                                                                              [401, 403, 403, 204, 404, 401, 401, 401, 401, 401] },
  // kiosks. GET /api/kiosk is "who am I" for a kiosk: a session (any role) is not a kiosk credential, 401.
  { route: 'GET /api/kiosk', path: '/api/kiosk', expect:                                 [401, 401, 401, 401, 200, 401, 401, 401, 401, 401] },
  { route: 'GET /api/kiosks', path: '/api/kiosks', expect:                               [401, 403, 403, 200, 403, 401, 401, 401, 401, 401] },
  { route: 'POST /api/kiosks', path: '/api/kiosks', body: { name: 'matrix-kiosk' }, state: kiosksState,
    expect:                                                                              [401, 403, 403, 201, 403, 401, 401, 401, 401, 401] },
  { route: 'DELETE /api/kiosks/:id', path: '/api/kiosks/{kSpare}', state: kiosksState,
    expect:                                                                              [401, 403, 403, 204, 403, 401, 401, 401, 401, 401] },
  // alerts: everyone signed in reads (filtered); admins and kiosks with canAck acknowledge; rules for admins
  { route: 'GET /api/alerts', path: '/api/alerts', expect:                               [401, 200, 200, 200, 200, 401, 401, 401, 401, 401] },
  { route: 'POST /api/alerts/:id/ack', path: '/api/alerts/{alertA}/ack', state: alertState,
    expect:                                                                              [401, 403, 403, 200, 200, 401, 401, 401, 401, 401] },
  { route: 'POST /api/alerts/:id/ack', path: '/api/alerts/{alertMissing}/ack', expect:   [401, 403, 403, 404, 404, 401, 401, 401, 401, 401] },
  { route: 'GET /api/alert-rules', path: '/api/alert-rules', expect:                     [401, 403, 403, 200, 403, 401, 401, 401, 401, 401] },
  { route: 'PUT /api/alert-rules/:kind', path: '/api/alert-rules/load_high', body: { threshold: 3 }, state: rulesState,
    expect:                                                                              [401, 403, 403, 200, 403, 401, 401, 401, 401, 401] },
  { route: 'PUT /api/hosts/:id/alert-rules/:kind', path: '/api/hosts/{h1}/alert-rules/cpu_high', body: { forSeconds: 60 }, state: rulesState,
    expect:                                                                              [401, 403, 403, 200, 403, 401, 401, 401, 401, 401] },
  { route: 'PUT /api/hosts/:id/alert-rules/:kind', path: '/api/hosts/{hMissing}/alert-rules/cpu_high', body: { forSeconds: 60 },
    expect:                                                                              [401, 403, 403, 404, 403, 401, 401, 401, 401, 401] },
  { route: 'DELETE /api/hosts/:id/alert-rules/:kind', path: '/api/hosts/{h1}/alert-rules/cpu_high', state: rulesState,
    expect:                                                                              [401, 403, 403, 204, 403, 401, 401, 401, 401, 401] },
  // last: signing out ends the caller's session (anonymous and unknown cookies just get the cookie cleared)
  { route: 'DELETE /api/session', path: '/api/session', expect:                          [204, 204, 204, 204, 403, 401, 401, 401, 204, 204] },
];

/** A cookie write from another site, one per router that has writes: 403 cross_site, nothing changed. */
const CSRF: { caller: Caller; method: string; path: string; body?: unknown; state: (c: Ctx) => Promise<unknown> }[] = [
  { caller: 'custA', method: 'DELETE', path: '/api/session', state: async (c) => (await c.api.custA.get('/api/me')).status },
  { caller: 'admin', method: 'POST', path: '/api/users', body: { email: 'evil@example.com', password: 'evil-password-1' }, state: usersState },
  { caller: 'admin', method: 'POST', path: '/api/hosts', body: { name: 'evil' }, state: hostsState },
  { caller: 'admin', method: 'POST', path: '/api/accounts', body: { hostId: '{h1}', name: 'evil', ownerId: '{custA}', planId: '{plan}' }, state: accountsState },
  { caller: 'custA', method: 'POST', path: '/api/accounts/{a1}/actions/restart', state: async (c) => c.actionsRun },
  { caller: 'admin', method: 'POST', path: '/api/queues/{kq}/messages', body: { body: 'evil' }, state: queueState('kq') },
  { caller: 'admin', method: 'POST', path: '/api/kiosks', body: { name: 'evil' }, state: kiosksState },
  { caller: 'admin', method: 'PUT', path: '/api/alert-rules/disk_full', body: { threshold: 50 }, state: rulesState },
];

// ---- the /live matrix ---------------------------------------------------------------------------

/** `-` connection refused, `no` subscribe refused (not_found, as for a missing topic), `ok` snapshot sent. */
type LiveCell = '-' | 'no' | 'ok';
//                                        anon  A     B     admin kiosk kRev agK  agT  agRK agRT
const LIVE: [string, LiveCell[]][] = [
  ['fleet',                              ['-', 'no', 'no', 'ok', 'ok', '-', '-', '-', '-', '-']],
  ['alerts',                             ['-', 'ok', 'ok', 'ok', 'ok', '-', '-', '-', '-', '-']],
  ['host:{h1}',                          ['-', 'no', 'no', 'ok', 'ok', '-', '-', '-', '-', '-']],
  ['host:{h2}',                          ['-', 'no', 'no', 'ok', 'ok', '-', '-', '-', '-', '-']],
  ['host:{h3}',                          ['-', 'no', 'no', 'ok', 'ok', '-', '-', '-', '-', '-']],
  ['host:{hMissing}',                    ['-', 'no', 'no', 'no', 'no', '-', '-', '-', '-', '-']],
  ['account:{a1}',                       ['-', 'ok', 'no', 'ok', 'no', '-', '-', '-', '-', '-']],
  ['account:{b1}',                       ['-', 'no', 'ok', 'ok', 'no', '-', '-', '-', '-', '-']],
  ['account:{accMissing}',               ['-', 'no', 'no', 'no', 'no', '-', '-', '-', '-', '-']],
];

// ---- set-up -------------------------------------------------------------------------------------

/** What customer A may never see, and what customer B may never see. */
const SECRET_OF_B = ['node-two', 'bravo', 'b@example.com'];
const SECRET_OF_A = ['node-one', 'alpha', 'a@example.com'];

interface Ctx {
  h: TestHub; admin: Api; api: Record<Caller, Api>;
  ids: Record<string, number | string>;
  agents: RawAgent[]; closers: { close(): unknown }[]; seq: Map<RawAgent, Record<string, number>>;
  tokens: { agent: string; agentRevoked: string; agentReplaced: string; kiosk: string; kioskRevoked: string };
  /** Every response body per caller, for the leak scan. */
  seen: Map<Caller, string[]>;
  answers: Map<string, { status: number; body: any }>;
  actionsRun: number;
  /** What each agent measures (its answer to a refresh), bytes per login. */
  quota1: Record<string, number>; quota2: Record<string, number>;
  live: Partial<Record<LiveCaller, LiveClient>>;
}

const fill = (c: Ctx, s: string) => s.replace(/\{(\w+)\}/g, (_, k) => { if (!(k in c.ids)) throw new Error(`no id {${k}}`); return String(c.ids[k]); });
const fillBody = (c: Ctx, b: unknown): unknown => b === undefined ? undefined
  : JSON.parse(JSON.stringify(b), (_k, v) => typeof v === 'string' && /^\{\w+\}$/.test(v) ? Number(fill(c, v)) : v);

async function emitAcked(c: Ctx, agent: RawAgent, stream: 'samples' | 'quota' | 'services', payload: (seq: number) => any): Promise<void> {
  const next = c.seq.get(agent) ?? {};
  const seq = (next[stream] = (next[stream] ?? 0) + 1);
  c.seq.set(agent, next);
  const acked = nextEvent(agent, 'ack', (m: any) => m.stream === stream && m.seq >= seq);
  const rejected = nextEvent(agent, 'reject', (m: any) => m.event === stream).then((m) => { throw new Error(`${stream} refused: ${JSON.stringify(m)}`); }, () => {});
  agent.emit(stream, payload(seq));
  await Promise.race([acked, rejected]);
}

/** An agent that answers refresh and action requests the way a real one would. */
function answering(agent: RawAgent, c: Ctx, quota: Record<string, number>): RawAgent {
  agent.on('refresh', (req, reply) => {
    const now = Date.now();
    reply({ ok: true, quota: Object.entries(quota).filter(([a]) => !req.account || a === req.account).map(([account, usedBytes]) => ({ account, usedBytes, source: 'walk', measuredAt: now })), services: [] });
  });
  agent.on('action', (_req, reply) => { c.actionsRun++; reply({ ok: true, exitCode: 0, signal: null, timedOut: false, durationMs: 1, output: 'done' }); });
  return agent;
}

/** A raw agent that said hello offering the action `restart` for every account. */
async function connectWithActions(url: string, token: string): Promise<RawAgent> {
  const agent = await connectRawAgent(url, agentAuth(token));
  const reply = await agent.timeout(2000).emitWithAck('hello', { ...hello, actions: [{ name: 'restart', description: 'Restart the services' }] });
  if ('error' in reply) throw new Error(`hello refused: ${reply.error}`);
  return agent;
}

async function setUp(c: Ctx, kind: 'sqlite' | 'mysql'): Promise<Ctx> {
  Object.assign(c, { agents: [], closers: [], seq: new Map(), seen: new Map(), answers: new Map(), actionsRun: 0, ids: {}, live: {}, quota1: { alpha: 1500 }, quota2: { bravo: 2000 } });
  c.h = await startHub(kind, { METRICS_TOKEN });
  c.admin = c.h.admin;
  const plan = await createPlan(c.admin, 'Tiny', 1000);
  const a = await createUser(c.admin, 'a@example.com');
  const b = await createUser(c.admin, 'b@example.com');
  await createUser(c.admin, 'c@example.com'); // signed in by the POST /api/session row
  const h1 = await createHost(c.admin, 'node-one');
  const h2 = await createHost(c.admin, 'node-two');
  const h3 = await createHost(c.admin, 'node-three');
  const spare = await createHost(c.admin, 'spare');
  const a1 = await createAccount(c.admin, { hostId: h1.id, name: 'alpha', ownerId: a.id, planId: plan });
  const b1 = await createAccount(c.admin, { hostId: h2.id, name: 'bravo', ownerId: b.id, planId: plan });
  // Agent tokens through the API: a fresh one for hosts 1 and 2 (the first ones stop working), host 3's revoked.
  const issue = async (id: number) => { const r = await c.admin.post(`/api/hosts/${id}/token`); assert.is(r.status, 201); return r.body.token as string; };
  const t1 = await issue(h1.id), t2 = await issue(h2.id);
  assert.is((await c.admin.del(`/api/hosts/${h3.id}/token`)).status, 200);
  const kiosk: KioskCreated = (await c.admin.post('/api/kiosks', { name: 'wall', canAck: true })).body;
  const gone: KioskCreated = (await c.admin.post('/api/kiosks', { name: 'gone' })).body;
  const kSpare: KioskCreated = (await c.admin.post('/api/kiosks', { name: 'spare' })).body;
  assert.is((await c.admin.del(`/api/kiosks/${gone.kiosk.id}`)).status, 204);
  c.tokens = { agent: t1, agentRevoked: h3.token, agentReplaced: h1.token, kiosk: kiosk.token, kioskRevoked: gone.token };

  // Agents with data: samples (host 2 with a full disk: a host alert), quota over plan for both accounts,
  // each login also reported, unregistered, on the other host; services (host 2's ssh down).
  const ag1 = answering(await connectWithActions(c.h.url, t1), c, c.quota1);
  const ag2 = answering(await connectWithActions(c.h.url, t2), c, c.quota2);
  c.agents.push(ag1, ag2); c.closers.push(ag1, ag2);
  const now = Date.now();
  await emitAcked(c, ag1, 'samples', (seq) => ({ samples: [sample(seq, now, { load1: 1.25 })] }));
  await emitAcked(c, ag2, 'samples', (seq) => ({ samples: [sample(seq, now, { load1: 2.5, disks: [{ mount: '/', device: '/dev/sda1', fsType: 'ext4', sizeBytes: 1e9, usedBytes: 9.5e8, availBytes: 5e7 }] })] }));
  const q = (accounts: Record<string, number>) => (seq: number) => ({ seq, t: now, accounts: Object.entries(accounts).map(([account, usedBytes]) => ({ account, usedBytes, source: 'walk', measuredAt: now })) });
  await emitAcked(c, ag1, 'quota', q({ ...c.quota1, bravo: 333 }));
  await emitAcked(c, ag2, 'quota', q({ ...c.quota2, alpha: 777 }));
  await emitAcked(c, ag1, 'services', (seq) => ({ seq, t: now, services: [{ name: 'ssh', status: 'up', checkedAt: now }, { name: 'alpha:web', account: 'alpha', status: 'up', checkedAt: now }] }));
  await emitAcked(c, ag2, 'services', (seq) => ({ seq, t: now, services: [{ name: 'ssh', status: 'down', checkedAt: now }, { name: 'bravo:web', account: 'bravo', status: 'up', checkedAt: now }] }));
  const alerts = await until(async () => {
    const all: AlertDto[] = (await c.admin.get('/api/alerts')).body.alerts;
    const quotaA = all.find((x) => x.kind === 'quota_over' && x.accountId === a1);
    return quotaA && all.some((x) => x.kind === 'quota_over' && x.accountId === b1) && all.some((x) => x.kind === 'disk_full' && x.hostId === h2.id)
      && all.some((x) => x.kind === 'service_down' && x.hostId === h2.id) ? { quotaA } : null;
  }, 5000, 'quota_over of a1 and b1, disk_full and service_down on host 2');

  c.ids = {
    a1, b1, accMissing: 999_999, h1: h1.id, h2: h2.id, h3: h3.id, hSpare: spare.id, hMissing: 999_999, plan, custA: a.id,
    kq: kiosk.kiosk.queue, kqOther: gone.kiosk.queue, kSpare: kSpare.kiosk.id, alertA: alerts.quotaA.id, alertMissing: 999_999,
  };
  const cookieApi = (cookie: string) => { const x = new Api(c.h.url); x.cookie = cookie; return x; };
  c.api = {
    anon: new Api(c.h.url), custA: a.api, custB: b.api, admin: c.admin,
    kiosk: new KioskApi(c.h.url, c.tokens.kiosk), kioskRevoked: new KioskApi(c.h.url, c.tokens.kioskRevoked),
    agentBearer: new KioskApi(c.h.url, c.tokens.agent), agentRevokedBearer: new KioskApi(c.h.url, c.tokens.agentRevoked),
    agentCookie: cookieApi(`rp_session=${c.tokens.agent}`), agentRevokedCookie: cookieApi(`rp_session=${c.tokens.agentRevoked}`),
  };
  for (const k of CALLERS) c.seen.set(k, []);
  return c;
}

/** The factories behind every router the hub mounts, built against the running hub to read their routes. */
function registeredRoutes(c: Ctx): Set<string> {
  const d = c.h.hub.deps, none = {} as any;
  const routers: Record<string, Router> = {
    healthRoutes: healthRoutes(d), sessionRoutes: sessionRoutes(d), userRoutes: userRoutes(d), hostRoutes: hostRoutes(d),
    accountRoutes: accountRoutes(d), actionRoutes: actionRoutes(d, d.audit), capacityRoutes: capacityRoutes(d), usageRoutes: usageRoutes(d),
    queueRoutes: queueRoutes(none), kioskRoutes: kioskRoutes(d.kiosks), alertRoutes: alertRoutes(d, none), messengerRoutes: messengerRoutes(none, { enabled: false }),
  };
  // The hub mounts exactly these factories (a new router file must be added above, and so get its rows).
  const src = readFileSync(new URL('../../server/hub.ts', import.meta.url), 'utf8');
  const mounted = /for \(const router of \[([\s\S]*?)\]\)/.exec(src)?.[1] ?? '';
  assert.equal([...mounted.matchAll(/(\w+Routes)\(/g)].map((m) => m[1]).sort(), Object.keys(routers).sort(), 'routers mounted by server/hub.ts');
  const out = new Set<string>();
  for (const r of Object.values(routers)) {
    for (const layer of r.stack) for (const m of layer.methods) if (m !== 'HEAD') out.add(`${m} ${layer.path}`);
  }
  return out;
}

/**
 * Runs callers expected to be refused first (checking `state` is unchanged), then the allowed ones;
 * every cell that answers otherwise is added to `problems`.
 */
async function runRow(c: Ctx, row: Row, problems: string[]): Promise<void> {
  const [method, ...rest] = row.route.split(' ');
  assert.ok(rest.length === 1, row.route);
  const path = fill(c, row.path), body = fillBody(c, row.body);
  const order = CALLERS.map((k, i) => ({ k, want: row.expect[i] })).sort((x, y) => Number(x.want < 400) - Number(y.want < 400));
  const before = row.state ? await row.state(c) : undefined;
  let checked = !row.state;
  for (const { k, want } of order) {
    if (!checked && want < 400) { await sameState(c, row, before, problems); checked = true; }
    const res = await c.api[k].req(method, path, body);
    const text = typeof res.body === 'string' ? res.body : JSON.stringify(res.body);
    c.seen.get(k)!.push(`${method} ${path}: ${text}`);
    c.answers.set(`${k} ${method} ${row.path}`, res);
    if (res.status !== want) problems.push(`${k} ${method} ${path}: expected ${want}, got ${res.status} ${text.slice(0, 200)}`);
    else if (want >= 400 && path.startsWith('/api/') && typeof res.body?.error?.code !== 'string') problems.push(`${k} ${method} ${path}: error body ${text}`);
  }
  if (!checked) await sameState(c, row, before, problems);
}

async function sameState(c: Ctx, row: Row, before: unknown, problems: string[]): Promise<void> {
  const after = await row.state!(c);
  if (JSON.stringify(after) !== JSON.stringify(before)) problems.push(`${row.route} ${row.path}: a refused caller changed ${JSON.stringify(before)} to ${JSON.stringify(after)}`);
}

// ---- /live --------------------------------------------------------------------------------------

function openLive(c: Ctx, who: LiveCaller): Promise<LiveClient> {
  const opts: Record<LiveCaller, { cookie?: string; auth?: Record<string, unknown> }> = {
    anon: {}, custA: { cookie: c.api.custA.cookie }, custB: { cookie: c.api.custB.cookie }, admin: { cookie: c.admin.cookie },
    kiosk: { auth: { kioskToken: c.tokens.kiosk } }, kioskRevoked: { auth: { kioskToken: c.tokens.kioskRevoked } },
    agentAsKiosk: { auth: { kioskToken: c.tokens.agent } }, agentAsToken: { auth: agentAuth(c.tokens.agent) },
    agentRevokedAsKiosk: { auth: { kioskToken: c.tokens.agentRevoked } }, agentRevokedAsToken: { auth: agentAuth(c.tokens.agentRevoked) },
  };
  const o = opts[who];
  const s: LiveClient = ioc(`${c.h.url}/live`, { transports: ['websocket'], reconnection: false, forceNew: true, auth: o.auth ?? {}, extraHeaders: o.cookie ? { cookie: o.cookie } : {} });
  return new Promise((resolve, reject) => {
    s.once('connect', () => resolve(s));
    s.once('connect_error', (err) => { s.close(); reject(err); });
  });
}

const subscribe = (s: LiveClient, topic: string): Promise<SubscribeReply> => s.timeout(2000).emitWithAck('subscribe', { topic } as any);

function leakCheck(text: string, secrets: string[], who: string): void {
  for (const x of secrets) {
    const at = text.indexOf(x);
    assert.ok(at < 0, `${who} got "${x}": …${text.slice(Math.max(0, text.lastIndexOf('\n', at) + 1), at + 200)}`);
  }
}

// ---- the suites ---------------------------------------------------------------------------------

function matrixSuite(kind: 'sqlite' | 'mysql') {
  const s = suite<Ctx>(`authorization matrix (${kind})`, {} as Ctx);
  s.before(async (c) => {
    try {
      Object.assign(c, await setUp(c, kind));
    } catch (err) {
      // uvu swallows errors of `before` hooks (and its `after` would not run): say it and clean up here.
      console.error(`\n  authorization matrix set-up failed on ${kind}: ${(err as Error)?.stack ?? err}\n`);
      for (const x of c.closers ?? []) x.close();
      await c.h?.stop();
      throw err;
    }
  });
  s.after(async (c) => { for (const x of c.closers ?? []) x.close(); await c.h?.stop(); });

  s('the matrix should have a row for every route the hub registers, and no row for a route it does not', (c) => {
    const registered = registeredRoutes(c);
    const covered = new Set(ROWS.map((r) => r.route));
    assert.equal([...registered].filter((r) => !covered.has(r)).sort(), [], 'routes without a row in the matrix');
    assert.equal([...covered].filter((r) => !registered.has(r)).sort(), [], 'rows for routes that do not exist');
    for (const r of ROWS) assert.is(r.expect.length, CALLERS.length, r.route);
    for (const [t, cells] of LIVE) assert.is(cells.length, LIVE_CALLERS.length, t);
  });

  s('/live: each caller should connect or be refused, and subscribe to each topic or be refused, as the matrix says', async (c) => {
    const got: Record<string, unknown[]> = {};
    for (const [i, who] of LIVE_CALLERS.entries()) {
      let sock: LiveClient;
      try {
        sock = await openLive(c, who);
      } catch (err: any) {
        assert.is(err?.data?.code, 'unauthorized', `${who}: ${err?.message}`);
        for (const [topic, cells] of LIVE) assert.is(cells[i], '-', `${who} ${topic}: the connection was refused`);
        continue;
      }
      c.closers.push(sock);
      c.live[who] = sock;
      const events = (got[who] = [] as unknown[]);
      sock.onAny((ev, m) => events.push({ ev, m }));
      for (const [topic, cells] of LIVE) {
        const t = fill(c, topic);
        assert.ok(cells[i] !== '-', `${who} should have been refused at connect`);
        const snap = cells[i] === 'ok' ? nextEvent(sock, 'snapshot', (m: any) => m.topic === t) : null;
        const reply = await subscribe(sock, t);
        if (cells[i] === 'no') {
          assert.equal(reply, { ok: false, error: { code: 'not_found', message: 'no such topic or not allowed' } }, `${who} ${t}`);
          continue;
        }
        assert.equal(reply, { ok: true }, `${who} ${t}`);
        const data = (await snap!).data;
        if (t === 'alerts') {
          const own = who === 'custA' ? c.ids.a1 : who === 'custB' ? c.ids.b1 : null;
          if (own !== null) assert.equal(data.alerts.map((a: AlertDto) => [a.kind, a.accountId]), [['quota_over', own]], `${who}: only their own alerts`);
          else assert.ok(data.alerts.some((a: AlertDto) => a.kind === 'disk_full' && a.hostId === c.ids.h2), `${who}: every alert`);
        }
        if (t.startsWith('account:')) assert.is(data.account.id, Number(t.slice(8)));
        if (t === 'fleet') assert.ok([c.ids.h1, c.ids.h2, c.ids.h3].every((id) => data.hosts.some((h: any) => h.id === id)));
      }
    }
    // Deltas while both agents send: a customer's feed still never names the other customer's host or account.
    const tick = nextEvent(c.live.kiosk!, 'delta', (m: any) => m.topic === 'fleet' && m.data.hosts.some((h: any) => h.id === c.ids.h2), 3000);
    const now = Date.now();
    await emitAcked(c, c.agents[1], 'samples', (seq) => ({ samples: [sample(seq, now)] }));
    await emitAcked(c, c.agents[1], 'quota', (seq) => ({ seq, t: now, accounts: [{ account: 'bravo', usedBytes: 2100, source: 'walk', measuredAt: now }] }));
    c.quota2.bravo = 2100;
    await emitAcked(c, c.agents[0], 'samples', (seq) => ({ samples: [sample(seq, now)] }));
    await tick;
    await until(() => (got.custB ?? []).some((e: any) => e.ev === 'delta' && e.m.topic === `account:${c.ids.b1}`), 3000, "b1's delta to its owner");
    leakCheck(JSON.stringify(got.custA), SECRET_OF_B, 'customer A (live)');
    leakCheck(JSON.stringify(got.custB), SECRET_OF_A, 'customer B (live)');
  });

  s('/agent: revoked, replaced and kiosk tokens should be refused with invalid_token', async (c) => {
    for (const t of [c.tokens.agentRevoked, c.tokens.agentReplaced, c.tokens.kiosk, c.tokens.kioskRevoked]) {
      const err = await refusal(connectRawAgent(c.h.url, agentAuth(t)));
      assert.is(err.data?.code, 'invalid_token');
    }
    const err = await refusal(connectRawAgent(c.h.url, { kioskToken: c.tokens.kiosk, agentVersion: 'test', protocol: PROTOCOL_VERSION }));
    assert.is(err.data?.code, 'bad_handshake');
  });

  s("/agent: an agent should send for its own host only (a host field is refused, another host's login changes nothing there)", async (c) => {
    const [ag1] = c.agents;
    const rejects = record(ag1, 'reject');
    ag1.emit('samples', { samples: [{ ...sample(c.seq.get(ag1)!.samples + 1), hostId: c.ids.h2 }] } as any);
    await until(() => rejects.length, 3000, 'reject');
    assert.is(rejects[0].event, 'samples');
    await emitAcked(c, ag1, 'samples', (seq) => ({ samples: [sample(seq, Date.now(), { load1: 42.25 })] }));
    const series = async (h: number | string) => (await c.admin.get(`/api/hosts/${h}/series?metric=load`)).body.points.map((p: any) => p.max);
    assert.ok((await series(c.ids.h1)).includes(42.25), 'on host 1');
    assert.not.ok((await series(c.ids.h2)).includes(42.25), 'never on host 2');
    assert.not.ok(c.h.hub.deps.fleet.hosts.get(Number(c.ids.h2))!.ring.toArray().some((p) => p.load1 === 42.25));
    // Host 1's agent reporting the login "bravo" did not touch b1 (on host 2).
    const b1 = (await c.admin.get(`/api/accounts/${c.ids.b1}`)).body.state;
    assert.is(b1.quota.usedBytes, c.quota2.bravo);
    const a1 = (await c.admin.get(`/api/accounts/${c.ids.a1}`)).body.state;
    assert.is(a1.quota.usedBytes, 1500);
  });

  s("customers' reads should hold only their own accounts, usage and alerts", async (c) => {
    const mine = async (api: Api, own: number, login: string, hostId: number, bytes: number) => {
      assert.equal((await api.get('/api/accounts')).body.accounts.map((a: any) => a.id), [own]);
      const u = (await api.get('/api/usage')).body;
      assert.equal(u.rows.map((r: any) => [r.account, r.hosts.map((h: any) => h.hostId), r.totalBytes]), [[login, [hostId], bytes]]);
      assert.equal([u.totals.bytes, u.totals.accounts, u.totals.perHost.map((p: any) => p.hostId)], [bytes, 1, [hostId]]);
      assert.equal((await api.get(`/api/usage?host=${hostId === c.ids.h1 ? c.ids.h2 : c.ids.h1}`)).body.rows, []);
      const al = (await api.get('/api/alerts')).body;
      assert.equal(al.alerts.map((a: AlertDto) => [a.kind, a.accountId]), [['quota_over', own]]);
      assert.is(al.firing, 1);
    };
    await mine(c.api.custA, Number(c.ids.a1), 'alpha', Number(c.ids.h1), 1500);
    await mine(c.api.custB, Number(c.ids.b1), 'bravo', Number(c.ids.h2), c.quota2.bravo);
    // The admin sees the fleet: both logins on both hosts.
    const all = (await c.admin.get('/api/usage')).body.rows.map((r: any) => [r.account, r.totalBytes]);
    assert.equal(all, [['alpha', 1500 + 777], ['bravo', 333 + c.quota2.bravo]]);
  });

  s('every REST cell should answer as the matrix says, and a refused write should change nothing', async (c) => {
    const problems: string[] = [];
    for (const row of ROWS) await runRow(c, row, problems);
    assert.equal(problems, [], `cells answering otherwise than the matrix:\n${problems.join('\n')}`);
    // Signed out by the last row: those cookies are dead now.
    for (const k of ['custA', 'custB', 'admin'] as const) assert.is((await c.api[k].get('/api/me')).status, 401, k);
    // The right scrape token opens /metrics.
    assert.is((await new Api(c.h.url).req('GET', '/metrics', undefined, { authorization: `Bearer ${METRICS_TOKEN}` })).status, 200);
  });

  s("another customer's resource should get the very answer a missing one gets", (c) => {
    const same = (k: Caller, method: string, theirs: string, missing: string) => {
      const x = c.answers.get(`${k} ${method} ${theirs}`), y = c.answers.get(`${k} ${method} ${missing}`);
      assert.ok(x && y, `${k} ${method} ${theirs}`);
      assert.equal([x!.status, x!.body], [y!.status, y!.body], `${k} ${method} ${theirs} vs ${missing}`);
      assert.is(x!.status, 404);
    };
    for (const [k, theirs] of [['custA', 'b1'], ['custB', 'a1']] as const) {
      same(k, 'GET', `/api/accounts/{${theirs}}`, '/api/accounts/{accMissing}');
      same(k, 'POST', `/api/accounts/{${theirs}}/refresh`, '/api/accounts/{accMissing}/refresh');
      same(k, 'POST', `/api/accounts/{${theirs}}/actions/restart`, '/api/accounts/{accMissing}/actions/restart');
    }
    // Hosts: a customer gets the same 403 for an existing host as for a missing one.
    for (const k of ['custA', 'custB'] as const) {
      assert.equal(c.answers.get(`${k} GET /api/hosts/{h2}/series?metric=load`)!.body, c.answers.get(`${k} GET /api/hosts/{hMissing}/series?metric=load`)!.body);
    }
  });

  s("no answer to a customer should name the other customer's host, account or email", (c) => {
    leakCheck(c.seen.get('custA')!.join('\n'), SECRET_OF_B, 'customer A');
    leakCheck(c.seen.get('custB')!.join('\n'), SECRET_OF_A, 'customer B');
    // The scan can fail: the admin's answers do name both.
    const adminSeen = c.seen.get('admin')!.join('\n');
    for (const x of [...SECRET_OF_A, ...SECRET_OF_B]) assert.ok(adminSeen.includes(x), `admin sees ${x}`);
  });

  s('a cookie write from another site should be refused with 403 cross_site and change nothing', async (c) => {
    // The last matrix row signed everyone out: sign in again.
    await c.admin.login('admin@example.com', 'admin-password-1');
    await c.api.custA.login('a@example.com', 'customer-pass-1');
    for (const x of CSRF) {
      const before = await x.state(c);
      const res = await c.api[x.caller].req(x.method, fill(c, x.path), fillBody(c, x.body), { origin: 'http://evil.example' });
      assert.is(res.status, 403, `${x.method} ${x.path}: ${JSON.stringify(res.body)}`);
      assert.is(res.body.error.code, 'cross_site');
      assert.equal(await x.state(c), before, `${x.method} ${x.path} changed nothing`);
    }
    // The same write from the hub's own origin goes through (the refusal is about the origin).
    const host = new URL(c.h.url).host;
    assert.is((await c.admin.req('POST', '/api/kiosks', { name: 'same-site' }, { origin: `http://${host}` })).status, 201);
  });

  return s;
}

matrixSuite('sqlite').run();
matrixSuite('mysql').run();
