/**
 * `GET /api/usage?host=&account=&after=&limit=&sort=account|total&format=json|csv`: per account,
 * bytes per host and the total across hosts, plus the totals; keyset pages through the opaque
 * `after` cursor (`limit` 1–5000, default 100; `limit=0`: the totals alone). `account` is a prefix of the name, `host` keeps
 * accounts with usage on that host. `format=csv` streams every matching row (not one page) as
 * an attachment. An admin sees the fleet; a customer only accounts registered to them.
 */
import { Readable } from 'node:stream';
import Router from '@koa/router';
import { z } from 'zod';
import { text } from '../../protocol/index.js';
import { requireUser, type HubDeps } from '../http/context.js';
import { badRequest } from '../http/errors.js';
import { decodeCursor } from './usage.cursor.js';
import { UsageService, type UsageViewer } from './usage.service.js';

export const USAGE_MAX_LIMIT = 5000;

const querySchema = z.object({
  host: z.string().regex(/^[1-9][0-9]{0,9}$/, 'a host id').transform(Number).optional(),
  account: z.optional(text(64, 1)),
  after: z.string().min(1).max(400).optional(),
  limit: z.string().regex(/^[0-9]{1,6}$/, 'a whole number').transform(Number)
    .pipe(z.number().int().min(0).max(USAGE_MAX_LIMIT)).optional(),
  sort: z.enum(['account', 'total']).default('account'),
  format: z.enum(['json', 'csv']).default('json'),
});

export function usageRoutes(d: HubDeps): Router {
  const usage = new UsageService(d.orm, d.dialect, d.fleet, () => d.ingest.usageVersion);
  const r = new Router({ prefix: '/api/usage' });
  r.get('/', async (ctx) => {
    const user = requireUser(ctx);
    const p = querySchema.safeParse(ctx.query);
    if (!p.success) { const i = p.error.issues[0]; throw badRequest(`${i.path.join('.')}: ${i.message}`, String(i.path[0] ?? '')); }
    const q = p.data;
    const after = q.after === undefined ? null : decodeCursor(q.after, q.sort);
    if (q.after !== undefined && !after) throw badRequest(`after: not a cursor of sort=${q.sort}`, 'after');
    const viewer: UsageViewer = { userId: user.id, admin: user.role === 'admin' };
    const filter = { sort: q.sort, after, limit: q.limit ?? 100, prefix: q.account, hostId: q.host };
    if (q.format === 'csv') {
      ctx.set('Content-Disposition', `attachment; filename="usage-${new Date().toISOString().slice(0, 10)}.csv"`);
      ctx.set('Cache-Control', 'no-store');
      ctx.type = 'text/csv; charset=utf-8';
      ctx.body = Readable.from(usage.csv(viewer, filter), { objectMode: false });
      return;
    }
    ctx.set('Cache-Control', 'no-store');
    ctx.body = await usage.page(viewer, filter);
  });
  return r;
}
