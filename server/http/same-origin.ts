/**
 * Cross-site request forgery guard. A browser tells where a request comes from
 * (`Sec-Fetch-Site`, `Origin`); a write to the API, and a `/live` handshake, is
 * refused when it says another site. Clients that are not browsers (agents,
 * scripts, curl) send neither header and are not a forgery risk: they pass.
 * Together with the SameSite=Strict session cookie this needs no token in forms.
 */
import type { IncomingMessage } from 'node:http';
import type { Middleware } from 'koa';
import { HttpError } from './errors.js';

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * True when the request does not come from another site: `Sec-Fetch-Site` is same-origin (or absent),
 * and `Origin` (when sent) names the host the request was sent to. The scheme is not compared, so a hub
 * behind a TLS-terminating proxy works without TRUST_PROXY (the proxy must pass the Host header on).
 */
export function sameOrigin(headers: IncomingMessage['headers']): boolean {
  const site = headers['sec-fetch-site'];
  if (typeof site === 'string' && site !== 'same-origin' && site !== 'none') return false;
  const origin = headers.origin;
  if (typeof origin !== 'string') return true;
  let host: string;
  try { host = new URL(origin).host; } catch { return false; } // "null" (sandboxed, opaque) or garbage: never ours
  return host !== '' && host === headers.host;
}

/** Refuses non-safe `/api` requests from another site with 403 `cross_site`. */
export function sameOriginWrites(): Middleware {
  return async (ctx, next) => {
    if (!SAFE.has(ctx.method) && ctx.path.startsWith('/api/') && !sameOrigin(ctx.headers)) {
      throw new HttpError(403, 'cross_site', 'request from another site refused');
    }
    await next();
  };
}
