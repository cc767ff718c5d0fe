/** Sign-in (throttled per account and address) and sign-out with an HttpOnly, SameSite=Strict cookie; `GET /api/me`. */
import Router from '@koa/router';
import { z } from 'zod';
import { text } from '../../protocol/index.js';
import type { UserDto } from '../../protocol/index.js';
import type { User } from '../db/entities.js';
import { SESSION_COOKIE, SESSION_TTL_MS } from '../auth/session.service.js';
import { requireUser, type HubDeps } from './context.js';
import { HttpError } from './errors.js';
import { LoginThrottle } from '../auth/login-throttle.js';

const signInSchema = z.object({ email: text(254, 1), password: z.string().min(1).max(1024) }).strict();

export const userDto = (u: User): UserDto => ({ id: u.id, email: u.email, name: u.name, role: u.role, createdAt: u.createdAt });

export function sessionRoutes(d: HubDeps, throttle = new LoginThrottle()): Router {
  const r = new Router({ prefix: '/api' });
  r.post('/session', async (ctx) => {
    const body = signInSchema.parse(ctx.request.body);
    const wait = await throttle.blockedFor(body.email, ctx.ip);
    if (wait > 0) {
      d.metrics.authFailures.inc({ surface: 'session_throttled' });
      d.log.warn({ email: body.email, ip: ctx.ip }, 'sign-in refused: too many failed attempts');
      ctx.set('Retry-After', String(wait));
      throw new HttpError(429, 'too_many_attempts', `too many failed sign-ins; try again in ${wait} s`);
    }
    const res = await d.sessions.signIn(body.email, body.password);
    if (!res) {
      await throttle.failed(body.email, ctx.ip);
      d.metrics.authFailures.inc({ surface: 'session' });
      throw new HttpError(401, 'invalid_credentials', 'wrong email or password');
    }
    await throttle.succeeded(body.email);
    ctx.cookies.set(SESSION_COOKIE, res.token, {
      httpOnly: true, sameSite: 'strict', secure: ctx.secure, maxAge: SESSION_TTL_MS, path: '/', overwrite: true,
    });
    ctx.body = { user: userDto(res.user) };
  });
  r.delete('/session', async (ctx) => {
    const token = ctx.cookies.get(SESSION_COOKIE);
    if (token) await d.sessions.signOut(token);
    ctx.cookies.set(SESSION_COOKIE, '', { httpOnly: true, sameSite: 'strict', maxAge: 0, path: '/' });
    ctx.status = 204;
  });
  r.get('/me', (ctx) => { ctx.body = { user: userDto(requireUser(ctx)) }; });
  return r;
}
