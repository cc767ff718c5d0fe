/**
 * Kiosk tokens over REST. Admin: `POST /api/kiosks` {name, canAck?} → 201 {kiosk, token}
 * (the token is shown once), `GET /api/kiosks`, `DELETE /api/kiosks/:id` (revoke: its live
 * sockets and long-polls end at once). A kiosk: `GET /api/kiosk` → its own KioskDto (not wrapped).
 */
import Router from '@koa/router';
import { z } from 'zod';
import { isSafeText } from '../../protocol/index.js';
import type { KioskCreated } from '../../protocol/index.js';
import { idParam, requireAdmin, requireKiosk } from '../http/context.js';
import { notFound } from '../http/errors.js';
import { kioskDto, type KioskService } from './kiosk.service.js';

const createSchema = z.object({
  name: z.string().trim().min(1).max(120).refine(isSafeText, 'must not contain control characters or invalid Unicode'),
  canAck: z.boolean().optional(),
}).strict();

export function kioskRoutes(kiosks: KioskService): Router {
  const r = new Router({ prefix: '/api' });

  r.get('/kiosk', (ctx) => { ctx.body = kioskDto(requireKiosk(ctx)); });

  r.get('/kiosks', async (ctx) => {
    requireAdmin(ctx);
    ctx.body = { kiosks: (await kiosks.list()).map(kioskDto) };
  });

  r.post('/kiosks', async (ctx) => {
    const admin = requireAdmin(ctx);
    const b = createSchema.parse(ctx.request.body);
    const { kiosk, token } = await kiosks.create(b.name, b.canAck ?? false, admin);
    const body: KioskCreated = { kiosk: kioskDto(kiosk), token };
    ctx.status = 201;
    ctx.body = body;
  });

  r.delete('/kiosks/:id', async (ctx) => {
    const admin = requireAdmin(ctx);
    const k = await kiosks.revoke(idParam(ctx, 'id', 'kiosk'), admin);
    if (!k) throw notFound('kiosk');
    ctx.status = 204;
  });

  return r;
}
