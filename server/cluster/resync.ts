/**
 * What a hub may have missed while it was cut off from Redis. Hubs tell each other about sign-outs,
 * kiosk revocations and agent tokens revoked or hosts deleted over Redis PUB/SUB, which keeps nothing
 * for a subscriber that is away; what a hub publishes while it is away itself is queued by its client.
 * So when Redis is back, a hub checks the live sockets and agent connections it holds against the
 * database and ends those that are no longer valid.
 */
import type { Namespace } from 'socket.io';
import type { SessionService } from '../auth/session.service.js';
import type { KioskService } from '../kiosk/kiosk.service.js';
import type { AgentGateway } from '../ingest/agent.socket.js';
import type { HostsRepository } from '../hosts/hosts.repository.js';
import type { Logger } from '../logger.js';

export interface ResyncParts { live: Namespace; sessions: SessionService; kiosks: KioskService; agents: AgentGateway; hosts: HostsRepository }

/** End what is no longer valid; returns how many connections were ended. */
export async function endInvalidConnections(p: ResyncParts): Promise<number> {
  let ended = 0;
  const sockets = [...p.live.sockets.values()];
  const sessionIds = [...new Set(sockets.map((s) => s.data?.sessionId).filter((x): x is string => typeof x === 'string' && x !== ''))];
  const kioskIds = [...new Set(sockets.map((s) => s.data?.kiosk?.id).filter((x): x is number => typeof x === 'number'))];
  const [sessions, kiosks] = await Promise.all([p.sessions.activeOf(sessionIds), p.kiosks.activeOf(kioskIds)]);
  for (const s of sockets) {
    const d = s.data ?? {};
    const valid = d.kiosk ? kiosks.has(d.kiosk.id) : typeof d.sessionId === 'string' && sessions.has(d.sessionId);
    if (!valid) { s.disconnect(true); ended++; }
  }
  const agents = [...p.agents.connections()];
  const current = await p.hosts.tokenHashesOf(agents.map((a) => a.hostId));
  for (const { hostId, tokenHash } of agents) {
    if (current.get(hostId) !== tokenHash) { p.agents.disconnectHost(hostId, true); ended++; }
  }
  return ended;
}

/** Run `endInvalidConnections` each time Redis is ready again after an outage. */
export function resyncOnReconnect(redis: { on(ev: 'ready', fn: () => void): unknown }, p: ResyncParts, log: Logger): void {
  redis.on('ready', () => {
    endInvalidConnections(p).then(
      (ended) => log.warn({ ended }, 'cluster: connections checked against the database after the Redis outage'),
      (err) => log.warn({ err: err?.message }, 'cluster: could not check connections after the Redis outage'),
    );
  });
}
