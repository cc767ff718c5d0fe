/** Hosts (admin): register (token shown once), list, show, delete; history series. Kiosks may list, show and read series. */
import Router from '@koa/router';
import { z } from 'zod';
import type { HostDto, LivePoint, SeriesDto, SeriesPoint } from '../../protocol/index.js';
import { HostSchema, type Host, type RollupMetric } from '../db/entities.js';
import { hashToken, newToken } from '../auth/secrets.js';
import { tierFor } from '../ingest/rollups.js';
import { idParam, requireAdmin, requireFleetReader, type HubDeps } from './context.js';
import { badRequest, conflict, notFound } from './errors.js';

const createSchema = z.object({
  name: z.string().trim().min(1).max(120).regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'letters, digits, dot, dash and underscore'),
  monthlyCostCents: z.number().int().nonnegative().max(1e9).optional(),
}).strict();

/** Query names of the series metrics (DESIGN: `metric=`). */
export const SERIES_METRICS: Record<string, RollupMetric> = {
  load: 'load1', cpu: 'cpuPct', mem: 'memUsedBytes', netRx: 'netRxBps', netTx: 'netTxBps', diskRead: 'diskReadBps', diskWrite: 'diskWriteBps',
};

const seriesSchema = z.object({
  metric: z.enum(Object.keys(SERIES_METRICS) as [string, ...string[]]),
  from: z.coerce.number().int().nonnegative().optional(),
  to: z.coerce.number().int().nonnegative().optional(),
});

export function hostDto(d: HubDeps, h: Host): HostDto {
  const rt = d.fleet.hosts.get(h.id);
  return {
    id: h.id, name: h.name, hostname: h.hostname, monthlyCostCents: h.monthlyCostCents, createdAt: h.createdAt,
    lastSeenAt: rt?.lastSeenAt ?? null, agentVersion: h.agentVersion, online: rt ? d.fleet.online(rt) : false,
    hasToken: h.tokenRevokedAt == null,
  };
}

export function hostRoutes(d: HubDeps): Router {
  const r = new Router({ prefix: '/api/hosts' });
  r.get('/', async (ctx) => {
    requireFleetReader(ctx);
    ctx.body = { hosts: (await d.hosts.list()).map((h) => hostDto(d, h)) };
  });
  r.post('/', async (ctx) => {
    const admin = requireAdmin(ctx);
    const b = createSchema.parse(ctx.request.body);
    if (await d.hosts.nameTaken(b.name)) throw conflict('a host with this name exists', 'name');
    const { host, token } = await d.hosts.create(b.name, b.monthlyCostCents ?? null);
    d.fleet.upsertHost({ id: host.id, name: host.name, monthlyCostCents: host.monthlyCostCents });
    await d.audit.record({ actor: admin, action: 'host.create', target: `host:${host.id} (${host.name})`, outcome: 'succeeded' });
    ctx.status = 201;
    ctx.body = { host: hostDto(d, host), token };
  });
  r.get('/:id', async (ctx) => {
    requireFleetReader(ctx);
    const h = await d.hosts.byId(idParam(ctx, 'id', 'host'));
    if (!h) throw notFound('host');
    const rt = d.fleet.hosts.get(h.id);
    ctx.body = { host: hostDto(d, h), summary: rt ? d.fleet.summary(rt) : null };
  });
  r.delete('/:id', async (ctx) => {
    const admin = requireAdmin(ctx);
    const id = idParam(ctx, 'id', 'host');
    if (!(await d.hosts.delete(id))) throw notFound('host');
    d.agents.disconnectHost(id);
    d.ingest.forgetHost(id);
    d.accounts.unindexHost(id);
    d.fleet.removeHost(id);
    await d.ingest.deleteHostData(id);
    await d.audit.record({ actor: admin, action: 'host.delete', target: `host:${id}`, outcome: 'succeeded' });
    ctx.status = 204;
  });
  // A new agent token (shown once) or none: either way the old one stops working at once and its agent is disconnected.
  const replaceToken = async (ctx: any, issue: boolean) => {
    const admin = requireAdmin(ctx);
    const id = idParam(ctx, 'id', 'host');
    const token = newToken('rpa_');
    // Revoked: the stored hash is of a token nobody was given, so nothing can match it either.
    const n = await d.orm.em.fork().nativeUpdate(HostSchema, { id }, { tokenHash: hashToken(token), tokenRevokedAt: issue ? null : Date.now() });
    if (!n) throw notFound('host');
    d.agents.disconnectHost(id);
    await d.audit.record({ actor: admin, action: issue ? 'host.token.issue' : 'host.token.revoke', target: `host:${id}`, outcome: 'succeeded' });
    const host = await d.hosts.byId(id);
    if (!host) throw notFound('host');
    return { host: hostDto(d, host), token };
  };
  r.post('/:id/token', async (ctx) => {
    const { host, token } = await replaceToken(ctx, true);
    ctx.status = 201;
    ctx.body = { host, token };
  });
  r.delete('/:id/token', async (ctx) => {
    const { host } = await replaceToken(ctx, false);
    ctx.body = { host };
  });
  r.get('/:id/series', async (ctx) => {
    requireFleetReader(ctx);
    const id = idParam(ctx, 'id', 'host');
    const q = seriesSchema.safeParse(ctx.query);
    if (!q.success) { const i = q.error.issues[0]; throw badRequest(`${i.path.join('.')}: ${i.message}`, String(i.path[0] ?? '')); }
    const now = Date.now();
    const to = q.data.to ?? now, from = q.data.from ?? to - 15 * 60 * 1000;
    if (from > to) throw badRequest('from must not be after to', 'from');
    const rt = d.fleet.hosts.get(id);
    if (!rt) throw notFound('host');
    const metric = SERIES_METRICS[q.data.metric];
    const step = tierFor(from, now);
    let points: SeriesPoint[];
    if (step === 1) {
      points = rt.ring.toArray().filter((p) => p.t >= from && p.t <= to)
        .map((p: LivePoint) => ({ t: p.t, count: 1, avg: p[metric], min: p[metric], max: p[metric] }));
    } else {
      points = await d.ingest.series(id, step, metric, from, to);
    }
    const body: SeriesDto = { metric: q.data.metric, step, points };
    ctx.body = body;
  });
  return r;
}

