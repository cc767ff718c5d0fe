/** Helpers for integration tests: admin set-up through the REST API, agents that said hello, waiting for socket events. */
import * as assert from 'uvu/assert';
import type { Socket } from 'socket.io-client';
import { Api, agentAuth, connectRawAgent, hello, type RawAgent } from './hub.js';

/** Assert an error response: status, `error.code` (if given) and `error.field` (if given; `null` = no field). */
export function assertError(res: { status: number; body: any }, status: number, code?: string, field?: string | null): void {
  assert.is(res.status, status, `expected ${status}, got ${res.status}: ${JSON.stringify(res.body)}`);
  assert.type(res.body?.error?.message, 'string', `error body: ${JSON.stringify(res.body)}`);
  if (code !== undefined) assert.is(res.body.error.code, code);
  if (field !== undefined) assert.is(res.body.error.field, field ?? undefined);
}

function created<T = any>(res: { status: number; body: any }, what: string): T {
  if (res.status !== 201) throw new Error(`creating ${what} failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

/** Create a user as admin and sign it in; returns its id and a signed-in client. */
export async function createUser(admin: Api, email: string, role: 'customer' | 'admin' = 'customer', password = 'customer-pass-1'): Promise<{ id: number; api: Api }> {
  const body = created(await admin.post('/api/users', { email, password, role }), `user ${email}`);
  return { id: body.user.id, api: await new Api(admin.base).login(email, password) };
}

export async function createPlan(admin: Api, name: string, quotaBytes: number, isPublic = true): Promise<number> {
  return created(await admin.post('/api/plans', { name, quotaBytes, priceCents: 500, public: isPublic }), `plan ${name}`).plan.id;
}

export async function createHost(admin: Api, name: string): Promise<{ id: number; token: string }> {
  const body = created(await admin.post('/api/hosts', { name }), `host ${name}`);
  return { id: body.host.id, token: body.token };
}

export async function createAccount(admin: Api, a: { hostId: number; name: string; ownerId: number; planId: number; mount?: string }): Promise<number> {
  return created(await admin.post('/api/accounts', a), `account ${a.name}`).account.id;
}

/** A raw agent connected with `token` that has sent `hello` (and got its reply). */
export async function connectAgent(url: string, token: string): Promise<RawAgent> {
  const agent = await connectRawAgent(url, agentAuth(token));
  const reply = await agent.timeout(2000).emitWithAck('hello', hello);
  if ('error' in reply) throw new Error(`hello refused: ${reply.error}`);
  return agent;
}

/**
 * The next `event` on `socket` whose payload satisfies `pred`; rejects after `ms`.
 * Register it before doing what triggers the event.
 */
export function nextEvent<T = any>(socket: Socket<any, any>, event: string, pred: (m: T) => boolean = () => true, ms = 3000): Promise<T> {
  return new Promise((resolve, reject) => {
    const onEvent = (m: T) => { if (pred(m)) { cleanup(); resolve(m); } };
    const timer = setTimeout(() => { cleanup(); reject(new Error(`no matching '${event}' within ${ms} ms`)); }, ms);
    const cleanup = () => { clearTimeout(timer); socket.off(event, onEvent); };
    socket.on(event, onEvent);
  });
}

/** Every payload of `event` received on `socket` from now on (for asserting that something did not arrive). */
export function record<T = any>(socket: Socket<any, any>, event: string): T[] {
  const got: T[] = [];
  socket.on(event, (m: T) => got.push(m));
  return got;
}

/** The `connect_error` a connection attempt ends with (fails the test if it connects). */
export async function refusal(attempt: Promise<{ close(): unknown }>): Promise<Error & { data?: any }> {
  try {
    const s = await attempt;
    s.close();
  } catch (err: any) {
    return err;
  }
  throw assert.unreachable('the connection should have been refused');
}
