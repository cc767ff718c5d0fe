/**
 * `POST /api/accounts/:id/actions/:name`: run one of the actions the host's
 * agent config defines for that account (e.g. restart-services). Allowed to the
 * account's owner and admins, rate-limited per account and per user, and
 * written to the audit log with who, when and the outcome. Only the action's
 * name and the account go to the agent: nothing from the request is executed.
 */
import Router from '@koa/router';
import { RateLimiterMemory } from 'rate-limiter-flexible';
import { actionRequestSchema } from '../../protocol/index.js';
import { AccountSchema } from '../db/entities.js';
import { idParam, requireUser, type HubDeps } from './context.js';
import { HttpError, notFound } from './errors.js';
import type { AuditService } from '../audit/audit.service.js';

/** How long the hub waits for an action's result, ms (the agent enforces each action's own timeout). */
export const ACTION_WAIT_MS = 120_000;

export function actionRoutes(d: HubDeps, audit: AuditService): Router {
  const perAccount = new RateLimiterMemory({ points: 3, duration: 60 });
  const perUser = new RateLimiterMemory({ points: 20, duration: 60 });
  const r = new Router({ prefix: '/api/accounts' });

  r.post('/:id/actions/:name', async (ctx) => {
    const user = requireUser(ctx);
    const a = await d.orm.em.fork().findOne(AccountSchema, { id: idParam(ctx, 'id', 'account') });
    if (!a || (user.role !== 'admin' && a.ownerId !== user.id)) throw notFound('account');
    const req = actionRequestSchema.safeParse({ account: a.name, action: ctx.params.name });
    if (!req.success || !d.accounts.actionsFor(a.hostId, a.name).some((x) => x.name === ctx.params.name)) {
      throw notFound('action');
    }
    const target = `account:${a.id} (${a.name}) action:${req.data.action}`;
    try {
      await perAccount.consume(String(a.id));
      await perUser.consume(String(user.id));
    } catch (rl: any) {
      d.metrics.actions.inc({ outcome: 'rate_limited' });
      await audit.record({ actor: user, action: 'account.action', target, outcome: 'rate_limited' });
      ctx.set('Retry-After', String(Math.ceil((rl?.msBeforeNext ?? 60000) / 1000)));
      throw new HttpError(429, 'rate_limited', 'too many actions; try again shortly');
    }
    const got = await d.calls.call(a.hostId, 'action', req.data, ACTION_WAIT_MS);
    if (got.status === 'offline') {
      d.metrics.actions.inc({ outcome: 'offline' });
      await audit.record({ actor: user, action: 'account.action', target, outcome: 'offline' });
      throw new HttpError(503, 'host_offline', 'the server is not connected');
    }
    if (got.status === 'timeout') {
      d.metrics.actions.inc({ outcome: 'no_answer' });
      await audit.record({ actor: user, action: 'account.action', target, outcome: 'no_answer' });
      throw new HttpError(504, 'no_answer', 'the server did not answer in time');
    }
    const reply = got.reply;
    const result = {
      ok: reply?.ok === true,
      error: typeof reply?.error === 'string' ? reply.error.slice(0, 200) : undefined,
      exitCode: typeof reply?.exitCode === 'number' ? reply.exitCode : null,
      signal: typeof reply?.signal === 'string' ? reply.signal.slice(0, 20) : null,
      timedOut: reply?.timedOut === true,
      durationMs: typeof reply?.durationMs === 'number' ? reply.durationMs : null,
      output: typeof reply?.output === 'string' ? reply.output.slice(-8192) : '',
    };
    // `error` means the agent did not run it; otherwise `ok` is "exited 0 within its timeout".
    const outcome = result.error ? 'refused' : result.timedOut ? 'timed_out' : result.ok && result.exitCode === 0 ? 'succeeded' : 'failed';
    d.metrics.actions.inc({ outcome });
    await audit.record({ actor: user, action: 'account.action', target, outcome, detail: { exitCode: result.exitCode, signal: result.signal, durationMs: result.durationMs, error: result.error } });
    ctx.body = { outcome, ...result };
  });
  return r;
}
