/**
 * The queue benchmark's ceiling: the kiosk queue's REST surface on bare Koa with
 * the same router and body parser, the messages in memory (no database, no
 * sign-in, no limits). Per-consumer cursors and long-polls behave as the hub's.
 * PORT and HOST from the environment; `GET /healthz` answers when ready.
 */
import { createServer } from 'node:http';
import Koa from 'koa';
import Router from '@koa/router';
import { bodyParser } from '@koa/bodyparser';

interface Msg { id: number; body: string; at: number }
interface Queue { msgs: Msg[]; cursors: Map<string, number>; waiters: Set<() => void> }

const queues = new Map<string, Queue>();
let nextId = 1;
const queueOf = (name: string): Queue => {
  let q = queues.get(name);
  if (!q) queues.set(name, (q = { msgs: [], cursors: new Map(), waiters: new Set() }));
  return q;
};
const pending = (q: Queue, after: number) => {
  const out: Msg[] = [];
  for (let i = q.msgs.length - 1; i >= 0 && q.msgs[i].id > after; i--) out.push(q.msgs[i]);
  return out.reverse().slice(0, 100);
};

const app = new Koa();
const r = new Router();
r.get('/healthz', (ctx) => { ctx.body = { ok: true }; });
r.post('/api/queues/:queue/messages', (ctx) => {
  const q = queueOf(ctx.params.queue);
  const id = nextId++;
  q.msgs.push({ id, body: JSON.stringify((ctx.request.body as { body: unknown }).body), at: Date.now() });
  if (q.msgs.length > 1000) q.msgs.shift();
  for (const w of q.waiters) w();
  ctx.status = 201;
  ctx.body = { id };
});
r.get('/api/queues/:queue/messages', async (ctx) => {
  const q = queueOf(ctx.params.queue);
  const consumer = String(ctx.query.consumer);
  if (!q.cursors.has(consumer)) q.cursors.set(consumer, nextId - 1);
  let rows = pending(q, q.cursors.get(consumer)!);
  if (!rows.length) {
    const waitMs = Number(ctx.query.wait ?? 30) * 1000;
    await new Promise<void>((resolve) => {
      const done = () => { clearTimeout(timer); q.waiters.delete(done); resolve(); };
      const timer = setTimeout(done, waitMs);
      q.waiters.add(done);
    });
    rows = pending(q, q.cursors.get(consumer)!);
  }
  if (!rows.length) { ctx.status = 204; return; }
  q.cursors.set(consumer, rows[rows.length - 1].id);
  ctx.type = 'application/json';
  ctx.body = `{"messages":[${rows.map((m) => `{"id":${m.id},"body":${m.body},"at":${m.at}}`).join(',')}]}`;
});
app.use(bodyParser({ enableTypes: ['json'], jsonLimit: '64kb' }));
app.use(r.routes()).use(r.allowedMethods());

const port = Number(process.env.PORT ?? 0);
createServer(app.callback()).listen(port, process.env.HOST ?? '127.0.0.1');
// A clean exit on SIGTERM, so a --cpu-prof profile is written.
process.on('SIGTERM', () => process.exit(0));
