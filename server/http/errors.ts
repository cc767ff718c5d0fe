/**
 * The one error handler for HTTP. Routes only throw; this turns errors into
 * `{ error: { code, message, field? } }` with a fitting status. Anything
 * unexpected becomes an opaque 500 with a correlation id that is logged.
 */
import { Counter, type Registry } from 'prom-client';
import { randomUUID } from 'node:crypto';
import type { Context, Next } from 'koa';
import { ZodError } from 'zod';
import type { Logger } from '../logger.js';

export class HttpError extends Error {
  constructor(readonly status: number, readonly code: string, message: string, readonly field?: string) {
    super(message);
  }
}

export const badRequest = (message: string, field?: string) => new HttpError(400, 'bad_request', message, field);
export const notFound = (what = 'resource') => new HttpError(404, 'not_found', `${what} not found`);
export const unauthorized = () => new HttpError(401, 'unauthorized', 'sign in first');
export const forbidden = () => new HttpError(403, 'forbidden', 'not allowed');
export const conflict = (message: string, field?: string) => new HttpError(409, 'conflict', message, field);

export function errorMiddleware(log: Logger, registry?: Registry) {
  // Every refused or failed request is counted, by status and code (the fuzz test checks the sums).
  const refused = new Counter({ name: 'rackpulse_api_errors_total', help: 'Requests answered with an error, by status and code', labelNames: ['status', 'code'] as const, registers: registry ? [registry] : [] });
  return async (ctx: Context, next: Next) => {
    try {
      await next();
      if (ctx.status === 404 && ctx.body === undefined && ctx.path.startsWith('/api/')) throw notFound('endpoint');
      if (ctx.status === 405 && ctx.path.startsWith('/api/')) throw new HttpError(405, 'method_not_allowed', `allowed: ${ctx.response.get('Allow')}`);
    } catch (err: any) {
      let status = 500, code = 'internal', message = 'internal error', field: string | undefined;
      if (err instanceof HttpError) {
        ({ status, code, message, field } = err);
      } else if (err instanceof ZodError) {
        const issue = err.issues[0];
        status = 400; code = 'bad_request';
        field = issue.path.join('.') || undefined;
        message = field ? `${field}: ${issue.message}` : issue.message;
      } else if (typeof err?.status === 'number' && err.status >= 400 && err.status < 500 && (err.expose || err instanceof SyntaxError)) {
        // koa/body-parser errors: malformed JSON, body too large, wrong content type.
        status = err.status; code = status === 413 ? 'too_large' : status === 415 ? 'unsupported_media_type' : 'bad_request';
        message = status === 400 ? 'malformed request body' : err.message;
      } else {
        const id = randomUUID();
        log.error({ err, id, path: ctx.path, method: ctx.method }, 'request failed');
        message = `internal error (id ${id})`;
      }
      refused.inc({ status: String(status), code });
      ctx.status = status;
      ctx.body = { error: field ? { code, message, field } : { code, message } };
    }
  };
}
