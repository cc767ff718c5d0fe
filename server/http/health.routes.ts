/** Liveness, readiness (database reachable and commits going through) and Prometheus metrics. */
import Router from '@koa/router';
import type { HubDeps } from './context.js';

export function healthRoutes(d: HubDeps): Router {
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
    const ready = db && d.ingest.dbHealthy;
    ctx.status = ready ? 200 : 503;
    ctx.body = { ready, database: db ? 'reachable' : 'unreachable', commits: d.ingest.dbHealthy ? 'ok' : 'failing' };
  });
  r.get('/metrics', async (ctx) => {
    ctx.type = d.metrics.registry.contentType;
    ctx.body = await d.metrics.registry.metrics();
  });
  return r;
}
