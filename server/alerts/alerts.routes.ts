/**
 * Alerts over REST:
 * - `GET /api/alerts?state=pending|firing|resolved|active&limit=` (default active, limit 100, at most 500),
 *   newest first → {alerts, firing}. Admins and kiosks see every alert; a customer only the alerts of
 *   their own accounts (quota_over, service_down of an account's service).
 * - `POST /api/alerts/:id/ack` (an admin, or a kiosk with canAck) → {alert}; records who and when; audit-logged.
 * - `GET /api/alert-rules` (admin) → {rules}: the default of every kind, then every host override, with webhook status.
 * - `PUT /api/alert-rules/:kind`, `PUT /api/hosts/:id/alert-rules/:kind` (admin) {AlertRuleUpdate} → {rule};
 *   `DELETE /api/hosts/:id/alert-rules/:kind` → 204.
 */
import Router from '@koa/router';
import { z } from 'zod';
import { alertKindSchema, alertRuleUpdateSchema, type AlertKind } from '../../protocol/index.js';
import { AccountSchema } from '../db/entities.js';
import { idParam, kioskOf, requireAdmin, requireUser, type HubDeps } from '../http/context.js';
import { badRequest, forbidden, notFound } from '../http/errors.js';
import type { AlertsService } from './alerts.service.js';

export const MAX_LIMIT = 500;

const listSchema = z.object({
  state: z.enum(['pending', 'firing', 'resolved', 'active']).default('active'),
  limit: z.coerce.number().int().min(1).max(MAX_LIMIT).default(100),
});

function kindParam(raw: unknown): AlertKind {
  const r = alertKindSchema.safeParse(raw);
  if (!r.success) throw notFound('alert kind');
  return r.data;
}

export function alertRoutes(d: HubDeps, alerts: AlertsService): Router {
  const r = new Router({ prefix: '/api' });

  r.get('/alerts', async (ctx) => {
    const kiosk = kioskOf(ctx);
    const user = kiosk ? null : requireUser(ctx);
    const q = listSchema.safeParse(ctx.query);
    if (!q.success) { const i = q.error.issues[0]; throw badRequest(`${i.path.join('.')}: ${i.message}`, String(i.path[0] ?? '')); }
    let accountIds: Set<number> | null = null;
    if (user && user.role !== 'admin') {
      const own = await d.orm.em.fork().find(AccountSchema, { ownerId: user.id }, { fields: ['id'] as never });
      accountIds = new Set(own.map((a) => a.id));
    }
    const list = await alerts.list(q.data.state, q.data.limit, accountIds);
    const firing = accountIds ? (await alerts.list('firing', MAX_LIMIT, accountIds)).length : alerts.firing;
    ctx.body = { alerts: list, firing };
  });

  r.post('/alerts/:id/ack', async (ctx) => {
    const kiosk = kioskOf(ctx);
    let by: string;
    if (kiosk) {
      if (!kiosk.canAck) throw forbidden();
      by = `kiosk:${kiosk.name}`;
    } else by = requireAdmin(ctx).email;
    const id = idParam(ctx, 'id', 'alert');
    const alert = await alerts.ack(id, by);
    if (!alert) throw notFound('alert');
    await d.audit.record({
      actor: kiosk ? { kind: 'kiosk', name: kiosk.name } : requireAdmin(ctx), action: 'alert.ack',
      target: `alert:${id} (${alert.kind} on host:${alert.hostId}${alert.subject ? ` ${alert.subject}` : ''})`, outcome: 'succeeded',
    });
    ctx.body = { alert };
  });

  r.get('/alert-rules', (ctx) => {
    requireAdmin(ctx);
    ctx.body = { rules: alerts.rules.list() };
  });

  const update = async (ctx: any, hostId: number | null) => {
    const admin = requireAdmin(ctx);
    const kind = kindParam(ctx.params.kind);
    if (hostId !== null && !d.fleet.hosts.has(hostId)) throw notFound('host');
    const u = alertRuleUpdateSchema.parse(ctx.request.body ?? {});
    const res = await alerts.updateRule(kind, hostId, u);
    if ('error' in res) throw badRequest(res.error, res.field);
    await d.audit.record({ actor: admin, action: 'alert_rule.update', target: `alert_rule:${kind}${hostId === null ? '' : ` host:${hostId}`}`, outcome: 'succeeded', detail: u });
    ctx.body = { rule: res };
  };
  r.put('/alert-rules/:kind', (ctx) => update(ctx, null));
  r.put('/hosts/:id/alert-rules/:kind', (ctx) => update(ctx, idParam(ctx, 'id', 'host')));
  r.delete('/hosts/:id/alert-rules/:kind', async (ctx) => {
    const admin = requireAdmin(ctx);
    const hostId = idParam(ctx, 'id', 'host');
    const kind = kindParam(ctx.params.kind);
    if (!(await alerts.deleteOverride(kind, hostId))) throw notFound('alert rule');
    await d.audit.record({ actor: admin, action: 'alert_rule.delete', target: `alert_rule:${kind} host:${hostId}`, outcome: 'succeeded' });
    ctx.status = 204;
  });

  return r;
}
