/**
 * The kiosk queue's REST surface (DESIGN.md, "Surfaces"):
 * - `POST /api/queues/:queue/messages` {body} → 201 {id}
 * - `GET /api/queues/:queue/messages?consumer=&wait=` → {messages: [{id, body, at}]} (oldest first, at most
 *   100), or 204 when `wait` seconds (default 30, at most 60) pass without one
 * - `DELETE /api/queues/:queue/consumers/:consumer` → 204
 * - `GET /api/queues/:queue` → {queue, messages, consumers, dropped, expired} (an addition: where the drops show)
 * Needs the hub's JSON body parser in front (64 KiB limit).
 */
import Router from '@koa/router';
import type { Context } from 'koa';
import { kioskOf, requireAdmin, type AppState } from '../http/context.js';
import { badRequest, HttpError, notFound } from '../http/errors.js';
import { MAX_BODY_BYTES, parseName } from './queue.options.js';
import type { QueueService, StoredMessage } from './queue.service.js';
import type { GiveUp } from './queue.delivery.js';
import { kioskQueue, type QueueMessageDto } from '../../protocol/index.js';


export type QueueAction = 'push' | 'pop';

/**
 * Who may push to, pop from or read the stats of a queue (`queue` is the parsed, lower-case name):
 * an admin any queue; a kiosk token only its own queue `kiosk-<id>` (another kiosk's is a 404, so
 * kiosks cannot probe each other); a customer none (403); anonymous 401.
 */
export function authorizeQueue(ctx: Context, queue: string, _action: QueueAction): void {
  const kiosk = kioskOf(ctx);
  if (kiosk) {
    if (queue !== kioskQueue(kiosk.id)) throw notFound('queue');
    return;
  }
  requireAdmin(ctx);
}

/** Gives up when the client goes away or, for a kiosk, when its token is revoked meanwhile. */
function requestSignal(ctx: Context): GiveUp {
  const client = clientGone(ctx);
  const revoked = (ctx.state as AppState).kioskGone;
  if (!revoked) return client;
  return {
    get aborted() { return client.aborted || revoked.aborted; },
    addEventListener(type, listener, options) {
      client.addEventListener(type, listener, options);
      revoked.addEventListener(type, listener, options);
    },
  };
}

/** Answers built lately, by the list of messages: the ids of one round that got the same messages share the list. */
const answers = new WeakMap<StoredMessage[], string>();

/** `{"messages":[…]}` spliced from the stored JSON texts, which are not parsed again. */
export function messagesJson(rows: StoredMessage[]): string {
  let json = answers.get(rows);
  if (json === undefined) {
    json = `{"messages":[${rows.map((r) => `{"id":${r.id},"body":${r.body},"at":${r.at}}`).join(',')}]}`;
    answers.set(rows, json);
  }
  return json;
}

/** The long-poll wait of a request, s: `wait` (0 … max, whole seconds) or the default. */
export function parseWait(raw: unknown, max: number, dflt: number): number {
  if (raw === undefined) return dflt;
  if (typeof raw !== 'string' || !/^\d{1,3}$/.test(raw) || Number(raw) > max) throw badRequest(`wait: whole seconds from 0 to ${max}`, 'wait');
  return Number(raw);
}

/**
 * Gives up when the client closes the connection before it was answered. A plain object rather than an
 * AbortController: one is made per long-poll, and Node's AbortSignal costs several times more.
 */
export function clientGone(ctx: Context): GiveUp {
  let listeners: (() => void)[] | null = [];
  const gone: GiveUp & { aborted: boolean } = {
    aborted: false,
    addEventListener(_type, listener) {
      if (gone.aborted) queueMicrotask(listener); else listeners?.push(listener);
    },
  };
  ctx.res.once('close', () => {
    const fns = listeners;
    listeners = null;
    if (ctx.res.writableFinished) return;
    gone.aborted = true;
    for (const fn of fns ?? []) fn();
  });
  return gone;
}

export function queueRoutes(queues: QueueService): Router {
  const r = new Router({ prefix: '/api/queues' });

  r.post('/:queue/messages', async (ctx) => {
    const queue = parseName(ctx.params.queue, 'queue');
    authorizeQueue(ctx, queue, 'push');
    const b = ctx.request.body as Record<string, unknown> | undefined;
    if (!b || typeof b !== 'object' || Array.isArray(b) || !('body' in b)) throw badRequest('body: required (any JSON value)', 'body');
    const extra = Object.keys(b).find((k) => k !== 'body');
    if (extra) throw badRequest(`${extra}: unknown field`, extra);
    const json = JSON.stringify(b.body);
    if (Buffer.byteLength(json) > MAX_BODY_BYTES) throw new HttpError(413, 'too_large', `body: at most ${MAX_BODY_BYTES} bytes of JSON`, 'body');
    const { id } = await queues.push(queue, json);
    ctx.status = 201;
    ctx.body = { id };
  });

  r.get('/:queue/messages', async (ctx) => {
    const queue = parseName(ctx.params.queue, 'queue');
    authorizeQueue(ctx, queue, 'pop');
    const consumer = parseName(ctx.query.consumer, 'consumer');
    const { maxWaitS, defaultWaitS } = queues.options;
    const wait = parseWait(ctx.query.wait, maxWaitS, defaultWaitS);
    const rows = queues.popReady(queue, consumer) ?? await queues.pop(queue, consumer, { waitMs: wait * 1000, signal: requestSignal(ctx) });
    ctx.set('Cache-Control', 'no-store');
    if (!rows.length) { ctx.status = 204; return; }
    ctx.type = 'application/json';
    ctx.body = messagesJson(rows);
  });

  r.delete('/:queue/consumers/:consumer', async (ctx) => {
    const queue = parseName(ctx.params.queue, 'queue');
    authorizeQueue(ctx, queue, 'pop');
    const consumer = parseName(ctx.params.consumer, 'consumer');
    await queues.forget(queue, consumer);
    ctx.status = 204;
  });

  r.get('/:queue', async (ctx) => {
    const queue = parseName(ctx.params.queue, 'queue');
    authorizeQueue(ctx, queue, 'pop');
    ctx.body = { queue, ...(await queues.stats(queue)) };
  });

  return r;
}
