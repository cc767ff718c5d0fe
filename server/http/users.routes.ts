/** Users and plans — admin only. */
import Router from '@koa/router';
import { z } from 'zod';
import type { PlanDto } from '../../protocol/index.js';
import { PlanSchema, UserSchema, type Plan } from '../db/entities.js';
import { hashPassword } from '../auth/secrets.js';
import { requireAdmin, type HubDeps } from './context.js';
import { conflict } from './errors.js';
import { userDto } from './session.routes.js';

const userSchema = z.object({
  email: z.string().email().max(254),
  password: z.string().min(8).max(1024),
  name: z.string().min(1).max(120).optional(),
  role: z.enum(['admin', 'customer']).default('customer'),
}).strict();

const planSchema = z.object({
  name: z.string().trim().min(1).max(120),
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
    requireAdmin(ctx);
    const b = userSchema.parse(ctx.request.body);
    const em = d.orm.em.fork();
    const email = b.email.toLowerCase();
    if (await em.count(UserSchema, { email })) throw conflict('a user with this email exists', 'email');
    const u = em.create(UserSchema, { email, passwordHash: await hashPassword(b.password), name: b.name ?? null, role: b.role, createdAt: Date.now() });
    await em.flush();
    ctx.status = 201;
    ctx.body = { user: userDto(u) };
  });
  r.get('/plans', async (ctx) => {
    requireAdmin(ctx);
    ctx.body = { plans: (await d.orm.em.fork().find(PlanSchema, {}, { orderBy: { id: 'asc' } })).map(planDto) };
  });
  r.post('/plans', async (ctx) => {
    requireAdmin(ctx);
    const b = planSchema.parse(ctx.request.body);
    const em = d.orm.em.fork();
    if (await em.count(PlanSchema, { name: b.name })) throw conflict('a plan with this name exists', 'name');
    const p = em.create(PlanSchema, b);
    await em.flush();
    ctx.status = 201;
    ctx.body = { plan: planDto(p) };
  });
  return r;
}
