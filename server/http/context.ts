/** What route modules get from the hub, and helpers they share. */
import type { Context } from 'koa';
import type { Config } from '../config.js';
import type { Orm, Dialect } from '../db/orm.js';
import type { User } from '../db/entities.js';
import type { Logger } from '../logger.js';
import type { HubMetrics } from '../metrics.js';
import type { SessionService } from '../auth/session.service.js';
import type { HostsRepository } from '../hosts/hosts.repository.js';
import type { FleetState } from '../ingest/fleet.state.js';
import type { IngestService } from '../ingest/ingest.service.js';
import type { AgentGateway } from '../ingest/agent.socket.js';
import type { AgentCalls } from '../ingest/agent.calls.js';
import type { AccountsService } from '../accounts/accounts.service.js';
import type { AuditService } from '../audit/audit.service.js';
import type { Kiosk } from '../kiosk/kiosk.entities.js';
import type { KioskService } from '../kiosk/kiosk.service.js';
import { forbidden, notFound, unauthorized } from './errors.js';

export interface HubDeps {
  config: Config;
  orm: Orm;
  dialect: Dialect;
  log: Logger;
  metrics: HubMetrics;
  sessions: SessionService;
  hosts: HostsRepository;
  fleet: FleetState;
  ingest: IngestService;
  agents: AgentGateway;
  /** Live calls to a host's agent, on this hub or through the one that has it. */
  calls: AgentCalls;
  accounts: AccountsService;
  audit: AuditService;
  kiosks: KioskService;
}

/**
 * Who is asking: a signed-in user (session cookie) or a NOC kiosk (`Authorization: Bearer <kiosk token>`),
 * never both. `kioskGone` aborts when the kiosk is revoked while the request runs (long-polls end).
 */
export interface AppState { user: User | null; kiosk?: Kiosk | null; kioskGone?: AbortSignal }

/** The caller's kiosk; 401 when the request carries no valid kiosk token. */
export function requireKiosk(ctx: Context): Kiosk {
  const k = (ctx.state as AppState).kiosk;
  if (!k || k.revokedAt !== null) throw unauthorized();
  return k;
}

/** The caller's kiosk, if it is one (and not revoked meanwhile). */
export function kioskOf(ctx: Context): Kiosk | null {
  const k = (ctx.state as AppState).kiosk;
  return k && k.revokedAt === null ? k : null;
}

/** Read-only fleet views: an admin or a kiosk; a customer 403, anonymous 401. */
export function requireFleetReader(ctx: Context): User | Kiosk {
  return kioskOf(ctx) ?? requireAdmin(ctx);
}

export function requireUser(ctx: Context): User {
  const u = (ctx.state as AppState).user;
  if (!u) throw unauthorized();
  return u;
}

export function requireAdmin(ctx: Context): User {
  const u = requireUser(ctx);
  if (u.role !== 'admin') throw forbidden();
  return u;
}

/** A numeric id from the path; anything else is a 404 (never a 500). */
export function idParam(ctx: Context, name = 'id', what = 'resource'): number {
  const raw = (ctx as any).params?.[name];
  if (typeof raw !== 'string' || !/^[1-9][0-9]{0,9}$/.test(raw)) throw notFound(what);
  return Number(raw);
}
