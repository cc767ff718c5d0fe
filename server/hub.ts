/**
 * Builds a hub: Koa + socket.io on one HTTP server, the database, ingest and
 * live fan-out. `createHub(config)` → `{ url, close() }`; tests start it on port 0.
 */
import { createServer, type IncomingMessage, type Server as HttpServer, type ServerResponse } from "node:http";
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import Koa from 'koa';
import { bodyParser } from '@koa/bodyparser';
import serve from 'koa-static';
import { Server } from 'socket.io';
import { MAX_MESSAGE_BYTES } from '../protocol/index.js';
import type { Config } from './config.js';
import { createLogger, type Logger } from './logger.js';
import { createMetrics, registerCollectedGauges } from './metrics.js';
import { dialectOf, openDatabase } from './db/orm.js';
import { HostSchema, HostStatusSchema, DiskSchema } from './db/entities.js';
import { loadLatestState } from './ingest/latest.loader.js';
import { LocalAgentCalls } from './ingest/agent.calls.js';
import { SessionService, SESSION_COOKIE } from './auth/session.service.js';
import { HostsRepository } from './hosts/hosts.repository.js';
import { FleetState } from './ingest/fleet.state.js';
import { IngestRepository } from './ingest/ingest.repository.js';
import { IngestService } from './ingest/ingest.service.js';
import { useTiers } from './ingest/rollups.js';
import { RollupPartitions } from './ingest/rollup.partitions.js';
import { Cluster } from './cluster/cluster.js';
import { AgentGateway } from './ingest/agent.socket.js';
import { AccountsService } from './accounts/accounts.service.js';
import { LiveGateway } from './live/live.socket.js';
import { errorMiddleware, forbidden, HttpError } from './http/errors.js';
import { sameOrigin, sameOriginWrites } from './http/same-origin.js';
import { apiRateLimit } from './http/rate-limit.js';
import { clientFileHeaders } from './http/static-cache.js';
import type { AppState, HubDeps } from './http/context.js';
import { healthRoutes } from './http/health.routes.js';
import { sessionRoutes } from './http/session.routes.js';
import { userRoutes } from './http/users.routes.js';
import { hostRoutes } from './http/hosts.routes.js';
import { accountRoutes } from './http/accounts.routes.js';
import { capacityRoutes } from './http/capacity.routes.js';
import { actionRoutes } from './http/actions.routes.js';
import { AuditService } from './audit/audit.service.js';
import { QueueService } from './queue/queue.service.js';
import { LocalQueueWaker, type QueueWaker } from './queue/queue.waker.js';
import { connectRedisWaker } from './queue/queue.waker.redis.js';
import { queueRoutes } from './queue/queue.routes.js';
import { messengerRoutes } from './queue/queue.messenger.js';
import { usageRoutes } from './usage/usage.routes.js';
import { KioskService } from './kiosk/kiosk.service.js';
import { kioskRoutes } from './kiosk/kiosk.routes.js';
import { bearerToken, kioskMayRequest } from './kiosk/kiosk.access.js';
import { AlertsService } from './alerts/alerts.service.js';
import { alertRoutes } from './alerts/alerts.routes.js';

export interface Hub {
  url: string;
  port: number;
  deps: HubDeps;
  http: HttpServer;
  io: Server;
  /** Set when an admin was created with a generated password (printed once). */
  firstAdmin: { email: string; password?: string } | null;
  close(): Promise<void>;
}

export async function createHub(config: Config, opts: { log?: Logger } = {}): Promise<Hub> {
  const log = opts.log ?? createLogger(config.LOG_LEVEL);
  const metrics = createMetrics();
  const orm = await openDatabase(config.DATABASE_URL);
  const dialect = dialectOf(config.DATABASE_URL);
  const sessions = new SessionService(orm);
  const firstAdmin = await sessions.ensureAdmin(config.ADMIN_EMAIL, config.ADMIN_PASSWORD);

  // Load the latest known state so a restarted hub serves it at once, with its age.
  const fleet = new FleetState(config.OFFLINE_AFTER_MS);
  const em = orm.em.fork();
  const [hostRows, statusRows, diskRows, latest] = await Promise.all([
    em.find(HostSchema, {}), em.find(HostStatusSchema, {}), em.find(DiskSchema, {}), loadLatestState((orm.em as any).getKnex(), dialect),
  ]);
  for (const h of hostRows) fleet.upsertHost({ id: h.id, name: h.name, monthlyCostCents: h.monthlyCostCents, hostname: h.hostname, agentVersion: h.agentVersion, cpus: h.cpus });
  for (const s of statusRows) {
    const rt = fleet.hosts.get(s.hostId);
    if (rt) { rt.lastSeenAt = s.lastSeenAt; try { rt.latest = JSON.parse(s.latest); } catch { /* unreadable: no latest */ } }
  }
  for (const dk of diskRows) {
    fleet.hosts.get(dk.hostId)?.disks.push({ mount: dk.mount, device: dk.device, fsType: dk.fsType, sizeBytes: dk.sizeBytes, usedBytes: dk.usedBytes, availBytes: dk.availBytes });
  }

  useTiers(config.ROLLUP_TIERS);
  const ingest = new IngestService(new IngestRepository(orm, dialect), fleet, log, metrics, config.FLUSH_INTERVAL_MS);
  ingest.pruneBatch = config.PRUNE_BATCH;
  if (config.ROLLUP_PARTITIONS && dialect === 'mysql') {
    const parts = new RollupPartitions((orm.em as any).getKnex(), config.ROLLUP_TIERS[0], log);
    if (await parts.supported()) { await parts.maintain(Math.floor(Date.now() / 1000)); ingest.partitions = parts; }
    else log.warn('ROLLUP_PARTITIONS: this server cannot partition tables; pruning in batches instead');
  } else if (config.ROLLUP_PARTITIONS) log.warn('ROLLUP_PARTITIONS applies to MySQL/MariaDB only; pruning in batches');
  await ingest.load(latest.usage, latest.services);
  const accounts = new AccountsService(orm, fleet, dialect);
  await accounts.load(ingest);
  const hosts = new HostsRepository(orm);
  // Several hubs: socket.io over the Redis streams adapter, a lease per host, the fleet mirrored (server/cluster).
  const cluster = config.REDIS_URL ? await Cluster.connect(config.REDIS_URL, config.CLUSTER_NAME, log) : null;
  const waker: QueueWaker = config.REDIS_URL ? await connectRedisWaker(config.REDIS_URL, { log }) : new LocalQueueWaker();
  // Without Redis this hub is the only one serving the queues: they are also held in memory.
  const queues = new QueueService(orm, dialect, waker, { exclusive: !config.REDIS_URL }, log, metrics.registry);

  const app = new Koa<AppState>({ proxy: config.TRUST_PROXY });
  // Koa composes its middleware when callback() is called: take it once everything is registered.
  let handler: (req: IncomingMessage, res: ServerResponse) => unknown = (_req, res) => { res.statusCode = 503; res.end(); };
  const http = createServer((req, res) => handler(req, res));
  const io = new Server(http, {
    // Above the per-message limit so an oversized message gets a clear refusal instead of a dropped connection.
    maxHttpBufferSize: 2 * MAX_MESSAGE_BYTES,
    serveClient: false,
    cors: { origin: false },
    // A page of another site may not open a dashboard's live feed with the viewer's cookie.
    allowRequest: (req, cb) => cb(null, sameOrigin(req.headers)),
    ...(cluster ? { adapter: cluster.adapter } : {}),
  });
  const agents = new AgentGateway(io, hosts, ingest, fleet, log, metrics, { rate: config.AGENT_MSG_RATE, burst: config.AGENT_MSG_BURST });
  const audit = new AuditService(orm, log);
  agents.audit = audit;
  const kiosks = new KioskService(orm, audit, log);
  const live = new LiveGateway(io, sessions, fleet, accounts, log, metrics, config.LIVE_INTERVAL_MS, kiosks);
  const alerts = new AlertsService(orm, fleet, ingest, log, metrics, { offlineAfterMs: config.OFFLINE_AFTER_MS, webhookRetryMs: config.ALERT_WEBHOOK_RETRY_MS, dialect });
  await alerts.load();
  live.attachAlerts(alerts);
  cluster?.attach({ io, orm, agents, ingest, fleet, hosts, sessions, kiosks, accounts, live, metrics, leaseMs: config.HOST_LEASE_MS, alerts });
  const calls = cluster?.calls ?? new LocalAgentCalls(agents);
  const deps: HubDeps = { config, orm, dialect, log, metrics, sessions, hosts, fleet, ingest, agents, calls, accounts, audit, kiosks };
  registerCollectedGauges(metrics, {
    fleet, liveSockets: () => live.nsp.sockets.values() as Iterable<any>, ingestPending: () => ingest.pendingRows,
    queueDepth: () => orm.em.getConnection().execute('select count(*) as n from queue_messages').then((r: any[]) => Number(r[0]?.n ?? 0), () => null),
  });

  app.use(errorMiddleware(log, metrics.registry));
  app.use(async (ctx, next) => {
    ctx.set('X-Content-Type-Options', 'nosniff');
    ctx.set('Referrer-Policy', 'same-origin');
    ctx.set('X-Frame-Options', 'DENY');
    // The dashboard loads only its own scripts and styles and talks only to this origin.
    ctx.set('Content-Security-Policy', "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self' ws: wss:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'");
    ctx.state.user = null;
    ctx.state.kiosk = null;
    if (ctx.path.startsWith('/api/')) {
      // A kiosk token (Authorization: Bearer) or else the session cookie; never both.
      const bearer = bearerToken(ctx.get('authorization') || undefined);
      try {
        if (bearer !== undefined) ctx.state.kiosk = await kiosks.authenticate(bearer);
        else ctx.state.user = await sessions.userOf(ctx.cookies.get(SESSION_COOKIE));
      } catch {
        throw new HttpError(503, 'unavailable', 'the database is unreachable; try again shortly');
      }
      if (bearer !== undefined) {
        const kiosk = ctx.state.kiosk;
        if (!kiosk) { metrics.authFailures.inc({ surface: 'kiosk' }); throw new HttpError(401, 'invalid_token', 'unknown or revoked kiosk token'); }
        if (!kioskMayRequest(ctx.method, ctx.path)) throw forbidden();
        const watch = kiosks.watch(kiosk.id);
        ctx.state.kioskGone = watch.signal;
        try { await next(); } finally { watch.release(); }
        // Revoked while the request ran (a long-poll): it gets no answer of the kiosk's.
        if (kiosk.revokedAt !== null) throw new HttpError(401, 'invalid_token', 'unknown or revoked kiosk token');
        return;
      }
    }
    await next();
  });
  app.use(sameOriginWrites());
  app.use(apiRateLimit(config.API_RATE_LIMIT, config.API_RATE_BURST, metrics.registry));
  app.use(bodyParser({ enableTypes: ['json'], jsonLimit: '64kb', encoding: 'utf-8' }));
  // The kiosk queue's routes first: its long-polls and pushes are the busiest requests, and no other router serves /api/queues.
  for (const router of [queueRoutes(queues), healthRoutes(deps, cluster ? { redis: (ms) => cluster.redisReachable(ms) } : {}), sessionRoutes(deps), userRoutes(deps), hostRoutes(deps), accountRoutes(deps), actionRoutes(deps, deps.audit), capacityRoutes(deps), usageRoutes(deps),
    kioskRoutes(kiosks), alertRoutes(deps, alerts), messengerRoutes(queues, { enabled: config.QUEUE_MESSENGER, log })]) {
    app.use(router.routes()).use(router.allowedMethods());
  }
  // The NOC kiosk: the wall at /kiosk/, the touchscreen controller at /kiosk/touch (before the dashboard's SPA fallback).
  const kioskDir = resolve(config.KIOSK_DIR);
  if (existsSync(kioskDir)) {
    const kioskFiles = serve(kioskDir, { index: 'index.html', maxage: 0 });
    app.use(async (ctx, next) => {
      if (ctx.path === '/kiosk') return ctx.redirect('/kiosk/' + ctx.search);
      if (!ctx.path.startsWith('/kiosk/')) return next();
      const rest = ctx.path.slice('/kiosk'.length);
      ctx.path = rest === '/touch' || rest === '/touch/' ? '/touch.html' : rest;
      await kioskFiles(ctx, async () => {}); // not found stays a 404
    });
  } else log.warn({ kioskDir }, 'kiosk not built; run `npm run build` to serve the NOC kiosk');
  const clientDir = resolve(config.CLIENT_DIR);
  if (existsSync(clientDir)) {
    app.use(serve(clientDir, { index: 'index.html', maxage: 0, setHeaders: clientFileHeaders(clientDir) }));
    // SPA fallback: any other GET outside /api serves the app.
    app.use(async (ctx, next) => {
      if (ctx.method === 'GET' && !ctx.path.startsWith('/api/') && ctx.status === 404 && ctx.body === undefined) {
        ctx.path = '/index.html';
        await serve(clientDir)(ctx, next);
      } else await next();
    });
  } else log.warn({ clientDir }, 'client not built; run `npm run build` to serve the dashboard');

  handler = app.callback();
  ingest.start();
  live.start();
  alerts.start();
  queues.start();
  const pruneTimer = setInterval(() => { ingest.prune().catch((err) => log.warn({ err: err?.message }, 'prune failed')); }, config.PRUNE_INTERVAL_MS);
  pruneTimer.unref();

  await new Promise<void>((res, rej) => { http.once('error', rej); http.listen(config.PORT, config.HOST, () => res()); });
  const addr = http.address();
  const port = typeof addr === 'object' && addr ? addr.port : config.PORT;
  const url = `http://${config.HOST === '0.0.0.0' ? '127.0.0.1' : config.HOST}:${port}`;
  log.info({ url, database: dialect }, 'hub listening');

  let closed = false;
  return {
    url, port, deps, http, io, firstAdmin,
    async close() {
      if (closed) return;
      closed = true;
      clearInterval(pruneTimer);
      // From now on every request is turned away and its connection closed, so a client that polls again
      // at once cannot keep the server from closing.
      handler = (_req, res) => { res.writeHead(503, { connection: 'close', 'retry-after': '1' }); res.end(); };
      // Answers waiting long-polls; otherwise closing the HTTP server would wait for them.
      await queues.stop();
      await waker.close();
      live.stop();
      await alerts.stop().catch((err) => log.error({ err: err?.message }, 'final alerts write failed'));
      io.disconnectSockets(true);
      await new Promise<void>((res) => io.close(() => res()));
      await ingest.stop().catch((err) => log.error({ err: err?.message }, 'final commit failed'));
      await cluster?.close();
      await orm.close(true);
    },
  };
}
