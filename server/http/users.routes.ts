/** Users and plans — admin only. */
import Router from '@koa/router';
import { z } from 'zod';
import { isSafeText, text } from '../../protocol/index.js';
import type { PlanDto } from '../../protocol/index.js';
import { PlanSchema, UserSchema, type Plan } from '../db/entities.js';
import { hashPassword } from '../auth/secrets.js';
import { requireAdmin, type HubDeps } from './context.js';
import { conflict } from './errors.js';
import { userDto } from './session.routes.js';

const userSchema = z.object({
  email: z.string().email().max(254).refine(isSafeText, 'must not contain control characters'),
  password: z.string().min(8).max(1024),
  name: z.optional(text(120, 1)),
  role: z.enum(['admin', 'customer']).default('customer'),
}).strict();

const planSchema = z.object({
  name: z.string().trim().min(1).max(120).refine(isSafeText, 'must not contain control characters or invalid Unicode'),
  quotaBytes: z.number().int().positive().max(Number.MAX_SAFE_INTEGER),
  priceCents: z.number().int().nonnegative().max(1e9),
  public: z.boolean().default(true),
}).strict();

export const planDto = (p: Plan): PlanDto => ({ id: p.id, name: p.name, quotaBytes: p.quotaBytes, priceCents: p.priceCents, public: p.public });

export function userRoutes(d: HubDeps): Router {
  const r = new Router({ prefix: '/api' });
  r.get('/users', async (ctx) => {
    requireAdmin(ctx);
    ctx.body = { users: (await d.orm.em.fork().find(UserSchema, {}, { orderBy: { id: 'asc' } })).map(userDto) };
  });
  r.post('/users', async (ctx) => {
    const admin = requireAdmin(ctx);
    const b = userSchema.parse(ctx.request.body);
    const em = d.orm.em.fork();
    const email = b.email.toLowerCase();
    if (await em.count(UserSchema, { email })) throw conflict('a user with this email exists', 'email');
    const u = em.create(UserSchema, { email, passwordHash: await hashPassword(b.password), name: b.name ?? null, role: b.role, createdAt: Date.now() });
    await em.flush();
    await d.audit.record({ actor: admin, action: 'user.create', target: `user:${u.id} (${u.email}, ${u.role})`, outcome: 'succeeded' });
    ctx.status = 201;
    ctx.body = { user: userDto(u) };
  });
  r.get('/plans', async (ctx) => {
    requireAdmin(ctx);
    ctx.body = { plans: (await d.orm.em.fork().find(PlanSchema, {}, { orderBy: { id: 'asc' } })).map(planDto) };
  });
  r.post('/plans', async (ctx) => {
    const admin = requireAdmin(ctx);
    const b = planSchema.parse(ctx.request.body);
    const em = d.orm.em.fork();
    if (await em.count(PlanSchema, { name: b.name })) throw conflict('a plan with this name exists', 'name');
    const p = em.create(PlanSchema, b);
    await em.flush();
    await d.audit.record({ actor: admin, action: 'plan.create', target: `plan:${p.id} (${p.name})`, outcome: 'succeeded' });
    ctx.status = 201;
    ctx.body = { plan: planDto(p) };
  });
  r.get('/audit', async (ctx) => {
    requireAdmin(ctx);
    const limit = Math.min(1000, Math.max(1, Number(ctx.query.limit) || 200));
    ctx.body = { entries: (await d.audit.list(limit)).map((e) => ({ ...e, detail: e.detail ? JSON.parse(e.detail) : null })) };
  });
  return r;
}
