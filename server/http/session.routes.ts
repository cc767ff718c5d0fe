/** Sign-in and sign-out with an HttpOnly, SameSite=Strict cookie; `GET /api/me`. */
import Router from '@koa/router';
import { z } from 'zod';
import type { UserDto } from '../../protocol/index.js';
import type { User } from '../db/entities.js';
import { SESSION_COOKIE, SESSION_TTL_MS } from '../auth/session.service.js';
import { requireUser, type HubDeps } from './context.js';
import { HttpError } from './errors.js';

const signInSchema = z.object({ email: z.string().min(1).max(254), password: z.string().min(1).max(1024) }).strict();

export const userDto = (u: User): UserDto => ({ id: u.id, email: u.email, name: u.name, role: u.role, createdAt: u.createdAt });

export function sessionRoutes(d: HubDeps): Router {
  const r = new Router({ prefix: '/api' });
  r.post('/session', async (ctx) => {
    const body = signInSchema.parse(ctx.request.body);
    const res = await d.sessions.signIn(body.email, body.password);
    if (!res) {
      d.metrics.authFailures.inc({ surface: 'session' });
      throw new HttpError(401, 'invalid_credentials', 'wrong email or password');
    }
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
