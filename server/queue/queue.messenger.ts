/**
 * `/messenger`: the Touchscreen kiosk framework's messaging daemon, over the same store as
 * `/api/queues`, so existing Touchscreen displays and controllers work unchanged.
 *
 * Parameters (query string; a POST may also send them as a form body), every answer plain text
 * with `Access-Control-Allow-Origin: *`:
 * - `c=1&q=QUEUE&m=MESSAGE&u=CLIENT`: send `m` to every client of `q` → `1`
 * - `c=0&q=QUEUE&u=CLIENT`: the client's oldest pending message, waiting up to 30 s → the text, or `0`
 * - `c=2&q=QUEUE&u=CLIENT`: skip the client's pending messages → `1`
 * - `-1`: a parameter missing, `c` not 0/1/2, a name outside `^[A-Za-z0-9._-]{1,64}$`, or `m` too large.
 * A client sees every message sent after it first asked for one; names compare without case (as in the
 * REST API), and a client unseen for 5 minutes is forgotten (the original: 270 s). Messages are stored with the string
 * as their JSON body; a message pushed through the REST API with another JSON value is answered as its JSON text.
 *
 * Like the original it has no authentication, so it answers only when enabled (hub config); otherwise
 * 404 `-1`. A failure of the store answers 503 `-1` (logged), never a JSON error body.
 */
import Router from '@koa/router';
import type { Context } from 'koa';
import { MAX_BODY_BYTES, isName } from './queue.options.js';
import type { Logger } from '../logger.js';
import type { QueueService } from './queue.service.js';
import { clientGone } from './queue.routes.js';

/** How long a receive waits for a message, s (the original answered `0` after its own timeout). */
export const MESSENGER_WAIT_S = 30;

/** Largest form body read from a POST, bytes. */
const MAX_FORM_BYTES = 256 * 1024;

export interface MessengerOptions {
  enabled: boolean;
  /** Receive wait, ms (tests shorten it). */
  waitMs?: number;
  log?: Logger;
}

async function formBody(ctx: Context): Promise<URLSearchParams> {
  if (!ctx.is('application/x-www-form-urlencoded') || ctx.req.readableEnded) return new URLSearchParams();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of ctx.req) {
    size += (chunk as Buffer).length;
    if (size > MAX_FORM_BYTES) return new URLSearchParams();
    chunks.push(chunk as Buffer);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

/** The first value of each parameter, the query string first. */
async function paramsOf(ctx: Context): Promise<(name: string) => string | undefined> {
  const form = ctx.method === 'POST' ? await formBody(ctx) : null;
  return (name) => {
    const v = ctx.query[name];
    const q = Array.isArray(v) ? v[0] : v;
    return q ?? form?.get(name) ?? undefined;
  };
}

/** The text a messenger client gets for a stored JSON body. */
export function messengerText(body: string): string {
  const v: unknown = JSON.parse(body);
  return typeof v === 'string' ? v : body;
}

export function messengerRoutes(queues: QueueService, opts: MessengerOptions): Router {
  const r = new Router();
  const waitMs = opts.waitMs ?? MESSENGER_WAIT_S * 1000;

  const handle = async (ctx: Context) => {
    ctx.set('Access-Control-Allow-Origin', '*');
    ctx.set('Cache-Control', 'no-store');
    ctx.type = 'text/plain; charset=utf-8';
    if (!opts.enabled) { ctx.status = 404; ctx.body = '-1'; return; }
    const p = await paramsOf(ctx);
    const c = p('c'), q = p('q'), u = p('u');
    if (!isName(q) || !isName(u)) { ctx.body = '-1'; return; }
    const queue = q.toLowerCase(), client = u.toLowerCase();
    try {
      ctx.body = await answer(c, queue, client, p('m'), ctx);
    } catch (err: any) {
      opts.log?.warn({ err: err?.message, queue }, 'messenger request failed');
      ctx.status = 503;
      ctx.body = '-1';
    }
  };

  const answer = async (c: string | undefined, queue: string, client: string, m: string | undefined, ctx: Context): Promise<string> => {
    if (c === '1') {
      if (m === undefined) return '-1';
      const json = JSON.stringify(m);
      if (Buffer.byteLength(json) > MAX_BODY_BYTES) return '-1';
      await queues.push(queue, json);
      return '1';
    }
    if (c === '0') {
      const [msg] = await queues.pop(queue, client, { waitMs, limit: 1, signal: clientGone(ctx) });
      return msg ? messengerText(msg.body) : '0';
    }
    if (c === '2') {
      await queues.clear(queue, client);
      return '1';
    }
    return '-1';
  };
  r.get('/messenger', handle);
  r.post('/messenger', handle);
  return r;
}
