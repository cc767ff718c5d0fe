/**
 * Accounts: admins create them; a customer lists and reads only their own.
 * `refresh` asks the host's agent live and falls back, within 2 s, to the
 * cached figures marked stale with their age.
 */
import Router from '@koa/router';
import { z } from 'zod';
import { text } from '../../protocol/index.js';
import type { AccountDto } from '../../protocol/index.js';
import { refreshFigures } from '../ingest/agent.calls.js';
import { AccountSchema, HostSchema, PlanSchema, UserSchema, type Account } from '../db/entities.js';
import { idParam, requireAdmin, requireUser, type HubDeps } from './context.js';
import { badRequest, conflict, HttpError, notFound } from './errors.js';

const createSchema = z.object({
  hostId: z.number().int().positive(),
  name: z.string().min(1).max(32).regex(/^[a-z_][a-z0-9_-]*$/, 'a unix user name (lower-case letters, digits, _ and -)'),
  ownerId: z.number().int().positive(),
  planId: z.number().int().positive(),
  mount: z.optional(z.pipe(text(255, 1), z.string().startsWith('/'))),
}).strict();

/** How long a refresh waits for the agent, ms. */
export const REFRESH_TIMEOUT_MS = 2000;

const accountDto = (a: Account): AccountDto => ({ id: a.id, hostId: a.hostId, name: a.name, ownerId: a.ownerId, planId: a.planId, mount: a.mount, createdAt: a.createdAt });

export function accountRoutes(d: HubDeps): Router {
  const r = new Router({ prefix: '/api/accounts' });

  /** The account if the caller may see it; otherwise 404 (a customer cannot tell others' accounts exist). */
  const visible = async (ctx: any): Promise<Account> => {
    const user = requireUser(ctx);
    const a = await d.orm.em.fork().findOne(AccountSchema, { id: idParam(ctx, 'id', 'account') });
    if (!a || (user.role !== 'admin' && a.ownerId !== user.id)) throw notFound('account');
    return a;
  };

  r.get('/', async (ctx) => {
    const user = requireUser(ctx);
    const rows = await d.orm.em.fork().find(AccountSchema, user.role === 'admin' ? {} : { ownerId: user.id }, { orderBy: { id: 'asc' }, limit: 5000 });
    ctx.body = { accounts: rows.map(accountDto) };
  });

  r.post('/', async (ctx) => {
    const admin = requireAdmin(ctx);
    const b = createSchema.parse(ctx.request.body);
    const em = d.orm.em.fork();
    if (!(await em.count(HostSchema, { id: b.hostId }))) throw badRequest('no such host', 'hostId');
    if (!(await em.count(UserSchema, { id: b.ownerId }))) throw badRequest('no such user', 'ownerId');
    const plan = await em.findOne(PlanSchema, { id: b.planId });
    if (!plan) throw badRequest('no such plan', 'planId');
    if (await em.count(AccountSchema, { hostId: b.hostId, name: b.name })) throw conflict('this host already has an account of that name', 'name');
    // Room on the disk, as GET /api/capacity counts it (an account without a mount lives on the largest disk);
    // a host whose agent has not reported its disks yet cannot be checked.
    const disks = d.fleet.hosts.get(b.hostId)?.disks ?? [];
    if (disks.length) {
      const largest = disks.reduce((x, y) => (y.sizeBytes > x.sizeBytes ? y : x));
      const disk = disks.find((x) => x.mount === (b.mount ?? largest.mount));
      if (disk) {
        const onDisk = await em.find(AccountSchema, { hostId: b.hostId });
        const quotaOf = new Map((await em.find(PlanSchema, {})).map((p) => [p.id, p.quotaBytes]));
        const allocated = onDisk.filter((a) => (a.mount ?? largest.mount) === disk.mount)
          .reduce((sum, a) => sum + (a.planId !== null ? quotaOf.get(a.planId) ?? 0 : 0), 0);
        const room = Math.min(Math.max(0, disk.sizeBytes - allocated), disk.availBytes);
        if (room < plan.quotaBytes) {
          throw new HttpError(409, 'no_room', `the disk ${disk.mount} has no room left for this plan (${(room / 2 ** 30).toFixed(1)} GiB left, the plan needs ${(plan.quotaBytes / 2 ** 30).toFixed(1)} GiB)`, 'planId');
        }
      }
    }
    const a = em.create(AccountSchema, { hostId: b.hostId, name: b.name, ownerId: b.ownerId, planId: plan.id, mount: b.mount ?? null, createdAt: Date.now() });
    await em.flush();
    d.accounts.index(a);
    await d.audit.record({ actor: admin, action: 'account.create', target: `account:${a.id} (${a.name} on host:${a.hostId})`, outcome: 'succeeded' });
    ctx.status = 201;
    ctx.body = { account: accountDto(a) };
  });

  r.get('/:id', async (ctx) => {
    const a = await visible(ctx);
    ctx.body = { account: accountDto(a), state: await d.accounts.state(a.id) };
  });

  r.post('/:id/refresh', async (ctx) => {
    const a = await visible(ctx);
    let reason = 'the server is not connected';
    const got = await d.calls.call(a.hostId, 'refresh', { account: a.name }, REFRESH_TIMEOUT_MS);
    if (got.status === 'timeout') reason = 'the server did not respond in time';
    else if (got.status === 'answered') {
      const reply = got.reply;
      const now = Date.now();
      if (reply && reply.ok) {
        const { quota, services } = refreshFigures(reply, a.name);
        // The hub with the agent keeps and writes what it answered (another hub's relay did that there); here it is only remembered.
        if (d.agents.agentOf(a.hostId)) d.ingest.applyRefresh(a.hostId, quota, services, now);
        else d.ingest.rememberLatest(a.hostId, quota, services, now);
        const state = await d.accounts.state(a.id);
        ctx.body = reply.stale
          ? { stale: true, reason: 'the disk figure is still being measured; showing the last complete one', ageMs: state?.quota ? Math.max(0, now - state.quota.measuredAt) : null, state }
          : { stale: false, state };
        return;
      }
      reason = typeof reply?.error === 'string' ? reply.error.slice(0, 200) : 'the agent could not measure';
    }
    const state = await d.accounts.state(a.id);
    ctx.body = { stale: true, reason, ageMs: state?.quota?.ageMs ?? null, state };
  });
  return r;
}
