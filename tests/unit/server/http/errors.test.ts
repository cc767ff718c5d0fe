import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { Context } from 'koa';
import { pino } from 'pino';
import { z } from 'zod';
import { badRequest, conflict, errorMiddleware, forbidden, HttpError, notFound, unauthorized } from '../../../../server/http/errors.js';

interface FakeCtx { status: number; body: unknown; path: string; method: string; response: { get(h: string): string } }

/** A plain object with what the middleware reads and writes of a Koa context. */
function fakeCtx(over: Partial<FakeCtx> = {}): FakeCtx {
  return { status: 404, body: undefined, path: '/api/hosts', method: 'POST', response: { get: (h) => (h === 'Allow' ? 'GET, POST' : '') }, ...over };
}

const silent = pino({ level: 'silent' });

/** Runs the middleware around a `next` that throws `err` (or does `route`), returns the context. */
async function run(err: unknown, ctx = fakeCtx(), log = silent): Promise<FakeCtx> {
  await errorMiddleware(log)(ctx as unknown as Context, async () => { throw err; });
  return ctx;
}
async function route(fn: (ctx: FakeCtx) => void, ctx = fakeCtx()): Promise<FakeCtx> {
  await errorMiddleware(silent)(ctx as unknown as Context, async () => { fn(ctx); });
  return ctx;
}

// ---------------------------------------------------------------------------
const he = suite('HttpError');

he('should carry status, code, message and field', () => {
  const e = new HttpError(422, 'unprocessable', 'bad plan', 'planId');
  assert.instance(e, Error);
  assert.equal([e.status, e.code, e.message, e.field], [422, 'unprocessable', 'bad plan', 'planId']);
});

const fields = (e: HttpError) => [e.status, e.code, e.message, e.field];

// ---------------------------------------------------------------------------
const br = suite('badRequest');
br('should make a 400 bad_request with message and field', () => {
  assert.equal(fields(badRequest('name is required', 'name')), [400, 'bad_request', 'name is required', 'name']);
  assert.is(badRequest('x').field, undefined);
});

const nf = suite('notFound');
nf('should make a 404 not_found naming what is missing, "resource" by default', () => {
  assert.equal(fields(notFound('host')), [404, 'not_found', 'host not found', undefined]);
  assert.equal(fields(notFound()), [404, 'not_found', 'resource not found', undefined]);
});

const ua = suite('unauthorized');
ua('should make a 401 unauthorized', () => {
  assert.equal(fields(unauthorized()), [401, 'unauthorized', 'sign in first', undefined]);
});

const fb = suite('forbidden');
fb('should make a 403 forbidden', () => {
  assert.equal(fields(forbidden()), [403, 'forbidden', 'not allowed', undefined]);
});

const cf = suite('conflict');
cf('should make a 409 conflict with message and field', () => {
  assert.equal(fields(conflict('email taken', 'email')), [409, 'conflict', 'email taken', 'email']);
});

// ---------------------------------------------------------------------------
const mw = suite('errorMiddleware');

mw('should leave a successful response alone', async () => {
  const ctx = await route((c) => { c.status = 200; c.body = { ok: true }; });
  assert.is(ctx.status, 200);
  assert.equal(ctx.body, { ok: true });
});

mw('should keep status, code, message and field of an HttpError', async () => {
  const ctx = await run(conflict('name already taken', 'name'));
  assert.is(ctx.status, 409);
  assert.equal(ctx.body, { error: { code: 'conflict', message: 'name already taken', field: 'name' } });
});

mw('should leave field out of the body when an HttpError has none', async () => {
  const ctx = await run(notFound('host'));
  assert.is(ctx.status, 404);
  assert.equal(ctx.body, { error: { code: 'not_found', message: 'host not found' } });
  assert.not.ok('field' in (ctx.body as any).error);
});

mw('should keep a 404 thrown inside a route a 404 (no catch-all rewriting)', async () => {
  const ctx = await run(notFound('account'), fakeCtx({ status: 200 }));
  assert.is(ctx.status, 404);
  assert.is((ctx.body as any).error.code, 'not_found');
});

mw('should turn a ZodError into 400 with the dotted field path', async () => {
  const schema = z.object({ plan: z.object({ quotaBytes: z.number() }) });
  const parsed = schema.safeParse({ plan: { quotaBytes: 'lots' } });
  assert.not.ok(parsed.success);
  const ctx = await run(parsed.error);
  assert.is(ctx.status, 400);
  const e = (ctx.body as any).error;
  assert.is(e.code, 'bad_request');
  assert.is(e.field, 'plan.quotaBytes');
  assert.ok(e.message.startsWith('plan.quotaBytes: '), e.message);
  assert.ok(e.message.length > 'plan.quotaBytes: '.length, 'with the problem after the path');
});

mw('should report an array index in the field path of a ZodError', async () => {
  const r = z.object({ items: z.array(z.string()) }).safeParse({ items: ['a', 2] });
  const ctx = await run(r.error);
  assert.is((ctx.body as any).error.field, 'items.1');
});

mw('should report a ZodError on the whole body without a field', async () => {
  const r = z.object({ a: z.string() }).safeParse('not an object');
  const ctx = await run(r.error);
  assert.is(ctx.status, 400);
  const e = (ctx.body as any).error;
  assert.not.ok('field' in e);
  assert.is(e.message, r.error!.issues[0].message);
});

mw('should report the first issue of a ZodError with several', async () => {
  const r = z.object({ a: z.string(), b: z.string() }).strict().safeParse({ a: 1, b: 2 });
  assert.is(r.error!.issues.length, 2);
  const ctx = await run(r.error);
  assert.is((ctx.body as any).error.field, 'a');
});

mw('should turn a body-parser SyntaxError with status 400 into 400 "malformed request body"', async () => {
  const err = Object.assign(new SyntaxError('Unexpected token } in JSON at position 7'), { status: 400, expose: true });
  const ctx = await run(err);
  assert.is(ctx.status, 400);
  assert.equal(ctx.body, { error: { code: 'bad_request', message: 'malformed request body' } });
});

mw('should treat a SyntaxError with status 400 as a client error even if not marked expose', async () => {
  const err = Object.assign(new SyntaxError('Unexpected end of JSON input'), { status: 400 });
  const ctx = await run(err);
  assert.is(ctx.status, 400);
  assert.is((ctx.body as any).error.message, 'malformed request body');
});

mw('should keep 413 and 415 from the body parser with their own codes', async () => {
  const big = await run(Object.assign(new Error('request entity too large'), { status: 413, expose: true }));
  assert.is(big.status, 413);
  assert.equal(big.body, { error: { code: 'too_large', message: 'request entity too large' } });
  const type = await run(Object.assign(new Error('Unsupported Media Type'), { status: 415, expose: true }));
  assert.is(type.status, 415);
  assert.is((type.body as any).error.code, 'unsupported_media_type');
});

mw('should not trust a status on an error that is neither exposed nor a SyntaxError', async () => {
  const err = Object.assign(new Error('ER_DUP_ENTRY: Duplicate entry for key users.email'), { status: 400 });
  const ctx = await run(err);
  assert.is(ctx.status, 500);
  assert.not.ok(JSON.stringify(ctx.body).includes('ER_DUP_ENTRY'));
});

mw('should not pass a 5xx status of an exposed error through as a client error', async () => {
  const ctx = await run(Object.assign(new Error('upstream exploded'), { status: 502, expose: true }));
  assert.is(ctx.status, 500);
  assert.not.ok(JSON.stringify(ctx.body).includes('upstream'));
});

mw('should turn an unknown Error into an opaque 500 with a correlation id', async () => {
  const ctx = await run(new Error('connect ECONNREFUSED 10.0.0.5:3306 password=hunter2'));
  assert.is(ctx.status, 500);
  const e = (ctx.body as any).error;
  assert.is(e.code, 'internal');
  assert.match(e.message, /^internal error \(id [0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\)$/);
  assert.not.ok(JSON.stringify(ctx.body).includes('ECONNREFUSED'));
  assert.not.ok(JSON.stringify(ctx.body).includes('hunter2'));
  assert.not.ok('field' in e);
});

mw('should give every unknown failure a different id', async () => {
  const a = await run(new Error('x'));
  const b = await run(new Error('x'));
  assert.is.not((a.body as any).error.message, (b.body as any).error.message);
});

mw('should log the unknown error with the id it sent, the path and the method', async () => {
  const lines: any[] = [];
  const log = pino({ level: 'error' }, { write: (s: string) => { lines.push(JSON.parse(s)); } });
  const ctx = await run(new TypeError('cannot read properties of undefined'), fakeCtx({ path: '/api/hosts/3', method: 'DELETE' }), log);
  assert.is(lines.length, 1);
  const id = /id ([0-9a-f-]{36})/.exec((ctx.body as any).error.message)![1];
  assert.is(lines[0].id, id);
  assert.is(lines[0].path, '/api/hosts/3');
  assert.is(lines[0].method, 'DELETE');
  assert.ok(JSON.stringify(lines[0]).includes('cannot read properties of undefined'), 'the log keeps the original message');
});

mw('should not log client errors as failures', async () => {
  const lines: string[] = [];
  const log = pino({ level: 'error' }, { write: (s: string) => { lines.push(s); } });
  await run(badRequest('nope'), fakeCtx(), log);
  await run(Object.assign(new SyntaxError('bad json'), { status: 400 }), fakeCtx(), log);
  assert.equal(lines, []);
});

mw('should turn thrown non-errors into an opaque 500', async () => {
  for (const thrown of ['boom', null, undefined, 42, { status: 400 }]) {
    const ctx = await run(thrown);
    assert.is(ctx.status, 500, String(thrown));
    assert.is((ctx.body as any).error.code, 'internal');
  }
});

mw('should answer an unmatched /api/ path with 404 not_found', async () => {
  const ctx = await route(() => {}, fakeCtx({ path: '/api/nope' }));
  assert.is(ctx.status, 404);
  assert.equal(ctx.body, { error: { code: 'not_found', message: 'endpoint not found' } });
});

mw('should leave an unmatched path outside /api/ to the static files', async () => {
  const ctx = await route(() => {}, fakeCtx({ path: '/dashboard' }));
  assert.is(ctx.status, 404);
  assert.is(ctx.body, undefined);
});

mw('should answer 405 on /api/ with the allowed methods', async () => {
  const ctx = await route((c) => { c.status = 405; }, fakeCtx({ path: '/api/hosts' }));
  assert.is(ctx.status, 405);
  assert.equal(ctx.body, { error: { code: 'method_not_allowed', message: 'allowed: GET, POST' } });
});

he.run();
br.run();
nf.run();
ua.run();
fb.run();
cf.run();
mw.run();
