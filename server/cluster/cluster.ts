/**
 * Several hubs behind a load balancer, sharing the database and Redis (REDIS_URL). socket.io runs
 * on the official Redis streams adapter; each host's rollups are written by the one hub holding the
 * host's lease (host.lease.ts), which follows the host's agent: a hub answers an agent's `hello` and
 * handles its messages only once it holds the lease and has loaded the host's watermarks from the
 * database, so the agent resends from its spool exactly what is not yet durable. The live state of
 * the whole fleet is mirrored on every hub (fleet.mirror.ts), and so are alerts, each host's being
 * evaluated by one hub (alerts.owner.ts). Without REDIS_URL none of this runs.
 *
 * Redis unreachable: the hubs stay up and serve what they have; /readyz says `redis: unreachable`
 * and one line is logged when it goes and when it comes back. Cross-hub delivery pauses (what the
 * hubs publish meanwhile is queued by the Redis client and sent when it is back), leases are kept until their ttl and then given up
 * (host.lease.ts): agents keep their spools until a hub can take their lease again.
 */
import { fromPeers, toPeers } from './peers.js';
import { randomBytes } from 'node:crypto';
import { Gauge } from 'prom-client';
import type { Namespace, Server } from 'socket.io';
import { createAdapter } from '@socket.io/redis-streams-adapter';
import type { RefreshReply, RefreshRequest, Watermarks } from '../../protocol/index.js';
import type { Logger } from '../logger.js';
import type { HubMetrics } from '../metrics.js';
import type { FleetState } from '../ingest/fleet.state.js';
import type { AgentGateway, HostGate } from '../ingest/agent.socket.js';
import type { IngestService } from '../ingest/ingest.service.js';
import type { HostsRepository } from '../hosts/hosts.repository.js';
import type { SessionService } from '../auth/session.service.js';
import type { KioskService } from '../kiosk/kiosk.service.js';
import type { AccountsService } from '../accounts/accounts.service.js';
import type { LiveGateway } from '../live/live.socket.js';
import type { Orm } from '../db/orm.js';
import { HostLeases, type LeaseRedis } from './host.lease.js';
import { FleetMirror } from './fleet.mirror.js';
import { AgentRelay } from './agent.relay.js';
import { mirrorLatest } from './latest.mirror.js';
import { resyncOnReconnect } from './resync.js';
import { LocalAgentCalls, refreshFigures, type AgentCalls } from '../ingest/agent.calls.js';
import { AlertsOwnership, type OwnerRedis } from './alerts.owner.js';
import type { AlertsService } from '../alerts/alerts.service.js';

const CONNECT_TIMEOUT_MS = 5000;
/** How often a hub waiting for a host's lease tries again, ms. */
const CLAIM_RETRY_MS = 200;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface ClusterParts {
  io: Server; orm: Orm; agents: AgentGateway; ingest: IngestService; fleet: FleetState; hosts: HostsRepository;
  sessions: SessionService; kiosks: KioskService; accounts: AccountsService; live: LiveGateway; metrics: HubMetrics; leaseMs: number;
  alerts?: AlertsService;
}

export class Cluster implements HostGate {
  readonly hubId = randomBytes(6).toString('hex');
  private leases: HostLeases | null = null;
  private mirror: FleetMirror | null = null;
  private parts: ClusterParts | null = null;
  private owner: AlertsOwnership | null = null;
  /** "Refresh now" and named actions for a host whose agent may be on any hub (set by `attach`). */
  calls: AgentCalls | null = null;

  private constructor(private redis: any, readonly adapter: ReturnType<typeof createAdapter>, private name: string, private log: Logger) {}

  /** Connect to Redis (rejects after 5 s); pass `adapter` to the socket.io Server, then `attach` the hub's parts. */
  static async connect(url: string, name: string, log: Logger): Promise<Cluster> {
    const specifier = 'ioredis';
    const mod: any = await import(specifier);
    const Redis = mod.Redis ?? mod.default;
    // RESP2: the adapter reads XREAD replies in that shape (ioredis 6 defaults to RESP3). Commands issued while
    // Redis is briefly away are queued and sent on reconnect (and subscriptions renewed).
    const redis = new Redis(url, { connectTimeout: CONNECT_TIMEOUT_MS, protocol: 2, maxRetriesPerRequest: null });
    // One line when Redis goes away and one when it is back (the client retries, and would say so on every attempt).
    let away = false;
    redis.on('error', (err: Error) => log.debug({ err: err?.message }, 'cluster: redis error'));
    redis.on('close', () => { if (!away && redis.status !== 'end') { away = true; log.error({ redis: redactUrl(url) }, 'cluster: Redis unreachable; cross-hub delivery paused, host leases held until their ttl'); } });
    redis.on('ready', () => { if (away) { away = false; log.warn({ redis: redactUrl(url) }, 'cluster: Redis reachable again'); } });
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        redis.status === 'ready' ? undefined : new Promise<void>((res) => redis.once('ready', res)),
        new Promise((_, rej) => { timer = setTimeout(() => rej(new Error(`redis at ${url} not reachable within ${CONNECT_TIMEOUT_MS} ms`)), CONNECT_TIMEOUT_MS); }),
      ]);
    } catch (err) { redis.disconnect(); throw err; } finally { clearTimeout(timer); }
    return new Cluster(redis, createAdapter(redis, { streamName: `${name}:socket.io`, maxLen: 100_000 }), name, log);
  }

  /** Whether Redis answers a PING within `ms` (readiness). */
  async redisReachable(ms = 1000): Promise<boolean> {
    if (this.redis.status !== 'ready') return false;
    let timer: NodeJS.Timeout | undefined;
    try {
      return (await Promise.race([this.redis.ping(), new Promise((res) => { timer = setTimeout(() => res(null), ms); })])) === 'PONG';
    } catch { return false; } finally { clearTimeout(timer); }
  }

  attach(p: ClusterParts): void {
    this.parts = p;
    const leasePrefix = `${this.name}:lease:host:`;
    this.leases = new HostLeases(this.redis as LeaseRedis, this.hubId, p.leaseMs, this.log, leasePrefix);
    new Gauge({ name: 'rackpulse_cluster_redis_up', help: 'Several hubs: whether this hub is connected to Redis (1) or not (0)', registers: [p.metrics.registry], collect() { this.set(redisUp()); } });
    const redisUp = () => (this.redis.status === 'ready' ? 1 : 0);
    if (p.alerts) {
      this.owner = new AlertsOwnership(this.redis as OwnerRedis, this.hubId, this.leases, leasePrefix, this.name, p.leaseMs, p.io, p.alerts, p.fleet, this.log);
      this.owner.start();
    }
    this.mirror = new FleetMirror(p.io, p.fleet, p.agents, p.ingest, p.hosts, this.log, (ids) => p.live.pushHosts(ids));
    // The owner publishes its hosts' changes on its live tick; the other hubs push them on arrival.
    const mirror = this.mirror;
    p.live.onTick((now) => mirror.flush(now));
    this.calls = new AgentRelay(p.io, new LocalAgentCalls(p.agents), p.fleet, this.hubId, (hostId, event, payload, reply) => {
      if (event !== 'refresh' || !reply.ok) return;
      const { quota, services } = refreshFigures(reply as RefreshReply, (payload as RefreshRequest).account);
      p.ingest.applyRefresh(hostId, quota, services, Date.now());
    });
    mirrorLatest(p.io, p.agents, p.ingest);
    p.accounts.onCreated((a) => toPeers(p.io, 'rp:account', a));
    fromPeers(p.io, 'rp:account', (a) => p.accounts.index(a, false));
    p.agents.gate = this;
    this.leases.onLost((hostId) => {
      p.ingest.relinquish(hostId);
      p.agents.agentOf(hostId)?.disconnect(true);
      p.metrics.leases.set(this.leases!.count);
    });
    // The agent connected to another hub: an older connection here (half-open, or a hub-side view lagging) gives way.
    fromPeers(p.io, 'rp:agent-moved', (hostId) => p.agents.agentOf(hostId)?.disconnect(true));
    // Signing out and revoking a kiosk end live sockets on every hub.
    p.sessions.onEnd((sid) => toPeers(p.io, 'rp:session-end', sid));
    p.kiosks.onRevoke((id) => toPeers(p.io, 'rp:kiosk-revoked', id));
    fromPeers(p.io, 'rp:session-end', (sid) => { for (const s of [...p.live.nsp.sockets.values()] as any[]) if (s.data?.sessionId === sid) s.disconnect(true); });
    fromPeers(p.io, 'rp:kiosk-revoked', (id) => { for (const s of [...p.live.nsp.sockets.values()] as any[]) if (s.data?.kiosk?.id === id) s.disconnect(true); });
    // Those messages are not kept for a hub that is away from Redis: when it is back, it checks what it holds.
    resyncOnReconnect(this.redis, { live: p.live.nsp as unknown as Namespace, sessions: p.sessions, kiosks: p.kiosks, agents: p.agents, hosts: p.hosts }, this.log);
  }

  /** Wait until this hub may write `hostId`: its lease, then the watermarks its last writer committed. */
  async claim(hostId: number, socket: { connected: boolean }): Promise<void> {
    const p = this.parts!, leases = this.leases!;
    await this.mirror!.ensureHost(hostId);
    let asked = false;
    while (!(await leases.acquire(hostId))) {
      if (!socket.connected) throw new Error('agent left before the lease was free');
      if (!asked) { toPeers(p.io, 'rp:agent-moved', hostId); asked = true; }
      await sleep(CLAIM_RETRY_MS);
    }
    p.metrics.leases.set(leases.count);
    if (!socket.connected) {
      // It left while the claim waited (Redis away, say): give the lease back unless another connection of the host is here.
      if (!p.agents.agentOf(hostId)) this.released(hostId);
      throw new Error('agent left before the lease was taken');
    }
    this.owner?.taken(hostId);
    // What this hub itself still had for the host is committed first, so the stored watermarks cover it.
    await p.ingest.flush();
    const rows = await p.orm.em.getConnection().execute('select stream, seq from watermarks where host_id = ?', [hostId]);
    const stored: Watermarks = { samples: 0, quota: 0, services: 0 };
    for (const r of rows as { stream: keyof Watermarks; seq: number }[]) if (r.stream in stored) stored[r.stream] = Number(r.seq);
    p.ingest.adopt(hostId, stored);
  }

  /** The host's agent left this hub: commit what it sent, then give the lease up (unless it came back meanwhile). */
  released(hostId: number): void {
    const p = this.parts!, leases = this.leases!;
    this.mirror!.markDirty(hostId);
    if (!leases.holds(hostId)) return;
    void (async () => {
      for (;;) {
        await p.ingest.flush().catch(() => {});
        if (p.agents.agentOf(hostId) || !leases.holds(hostId)) return;
        if (p.ingest.settled(hostId)) {
          // The host's alert changes are stored before the next hub can take it over.
          await this.owner?.handOver(hostId);
          if (!p.agents.agentOf(hostId)) await leases.release(hostId);
          this.owner?.handedOver(hostId);
          p.metrics.leases.set(leases.count);
          return;
        }
        await sleep(1000); // the database is away: keep the lease (renewed) until the data is committed
      }
    })();
  }

  /** After the hub's final commit: release every lease, stop mirroring, disconnect from Redis. */
  async close(): Promise<void> {
    this.mirror?.stop();
    await this.owner?.close();
    await this.leases?.close();
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}

/** A Redis URL for logs, without its password. */
function redactUrl(url: string): string {
  try { const u = new URL(url); u.password = ''; return u.toString(); } catch { return '(bad url)'; }
}
