/** Liveness, readiness (database reachable, commits going through, and Redis answering when REDIS_URL is set) and Prometheus metrics. */
import Router from '@koa/router';
import { timingSafeEqual } from 'node:crypto';
import type { HubDeps } from './context.js';
import { HttpError } from './errors.js';
import { hashToken } from '../auth/secrets.js';
import { bearerToken } from '../kiosk/kiosk.access.js';

/** Several hubs: whether Redis answers within `ms`. */
export interface HealthChecks { redis?: (ms: number) => Promise<boolean> }

export function healthRoutes(d: HubDeps, checks: HealthChecks = {}): Router {
  const r = new Router();
  r.get('/healthz', (ctx) => { ctx.body = { ok: true }; });
  r.get('/readyz', async (ctx) => {
    let db = true;
    try {
      await Promise.race([
        d.orm.em.getConnection().execute('select 1'),
        new Promise((_, rej) => setTimeout(() => rej(new Error('timeout')), 2000).unref()),
      ]);
    } catch { db = false; }
    const redis = checks.redis ? await checks.redis(1000) : null;
    const ready = db && d.ingest.dbHealthy && redis !== false;
    ctx.status = ready ? 200 : 503;
    ctx.body = {
      ready, database: db ? 'reachable' : 'unreachable', commits: d.ingest.dbHealthy ? 'ok' : 'failing',
      ...(redis === null ? {} : { redis: redis ? 'reachable' : 'unreachable' }),
    };
  });
  r.get('/metrics', async (ctx) => {
    // With METRICS_TOKEN set, a scraper sends `Authorization: Bearer <token>`.
    const want = d.config.METRICS_TOKEN;
    if (want !== undefined) {
      const got = bearerToken(ctx.get('authorization') || undefined) ?? '';
      const a = hashToken(got), b = hashToken(want);
      if (!timingSafeEqual(Buffer.from(a), Buffer.from(b))) {
        ctx.set('WWW-Authenticate', 'Bearer realm="metrics"');
        throw new HttpError(401, 'unauthorized', 'a bearer token is required for /metrics');
      }
    }
    ctx.type = d.metrics.registry.contentType;
    ctx.body = await d.metrics.registry.metrics();
  });
  return r;
}
