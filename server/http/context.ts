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
import type { AccountsService } from '../accounts/accounts.service.js';
import type { AuditService } from '../audit/audit.service.js';
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
  accounts: AccountsService;
  audit: AuditService;
}

export interface AppState { user: User | null }

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
