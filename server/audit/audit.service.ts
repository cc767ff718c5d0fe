/** The audit log: who did what, when, and how it ended. Writing never fails the action it records. */
import { AuditEntrySchema, type AuditEntry, type User } from '../db/entities.js';
import type { Orm } from '../db/orm.js';
import type { Logger } from '../logger.js';

export interface AuditRecord {
  actor: User | null | { kind: 'agent' | 'kiosk'; name: string };
  action: string;
  target: string;
  outcome: string;
  detail?: Record<string, unknown>;
}

export class AuditService {
  constructor(private orm: Orm, private log: Logger) {}

  async record(r: AuditRecord): Promise<void> {
    const actorUserId = r.actor && 'id' in r.actor ? r.actor.id : null;
    const actor = !r.actor ? 'anonymous' : 'email' in r.actor ? r.actor.email : `${r.actor.kind}:${r.actor.name}`;
    const entry = { at: Date.now(), actorUserId, actor, action: r.action, target: r.target.slice(0, 200), outcome: r.outcome, detail: r.detail ? JSON.stringify(r.detail).slice(0, 60000) : null };
    this.log.info({ audit: entry }, 'audit');
    try {
      const em = this.orm.em.fork();
      em.create(AuditEntrySchema, entry);
      await em.flush();
    } catch (err: any) {
      this.log.error({ err: err?.message, audit: entry }, 'audit entry not stored (it is in this log line)');
    }
  }

  async list(limit = 200): Promise<AuditEntry[]> {
    return this.orm.em.fork().find(AuditEntrySchema, {}, { orderBy: { id: 'desc' }, limit });
  }
}
