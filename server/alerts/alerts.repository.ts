/** Alerts and rules in the database: load at start, write on transitions (batched), query history. */
import type { AlertDto, AlertKind, AlertState } from '../../protocol/index.js';
import type { Orm } from '../db/orm.js';
import type { RuleSettings, WebhookStatus } from './alert.rules.js';
import { AlertRuleSchema, AlertSchema } from './alerts.entities.js';

export class AlertsRepository {
  constructor(private orm: Orm) {}
  private em() { return this.orm.em.fork(); }

  /** Open alerts and those resolved since `since`. */
  async load(since: number): Promise<{ alerts: AlertDto[] }> {
    const alerts = await this.em().find(AlertSchema, { $or: [{ state: { $in: ['pending', 'firing'] } }, { resolvedAt: { $gte: since } }] }, { orderBy: { id: 'asc' } });
    return { alerts: alerts.map((a) => ({ ...a })) };
  }

  /** Insert or update alerts (their latest state). */
  async save(alerts: AlertDto[]): Promise<void> {
    if (!alerts.length) return;
    await this.em().upsertMany(AlertSchema, alerts.map((a) => ({ ...a })));
  }

  /** Alerts in `states`, newest first, optionally only those of `accountIds`. */
  async list(states: AlertState[], limit: number, accountIds: number[] | null): Promise<AlertDto[]> {
    const where: Record<string, unknown> = { state: { $in: states } };
    if (accountIds) where.accountId = { $in: accountIds.length ? accountIds : [-1] };
    return (await this.em().find(AlertSchema, where as never, { orderBy: { id: 'desc' }, limit })).map((a) => ({ ...a }));
  }

  /** A host's open alerts and the stored state of the alerts `ids`. */
  async ofHost(hostId: number, ids: number[]): Promise<AlertDto[]> {
    const where = { hostId, $or: [{ state: { $in: ['pending', 'firing'] } }, ...(ids.length ? [{ id: { $in: ids } }] : [])] };
    return (await this.em().find(AlertSchema, where as never, { orderBy: { id: 'asc' } })).map((a) => ({ ...a }));
  }

  async byId(id: number): Promise<AlertDto | null> {
    const a = await this.em().findOne(AlertSchema, { id });
    return a ? { ...a } : null;
  }

  async loadRules(): Promise<{ kind: AlertKind; hostId: number | null; settings: RuleSettings; webhook: WebhookStatus | null }[]> {
    const rows = await this.em().find(AlertRuleSchema, {});
    return rows.map((r) => ({
      kind: r.kind as AlertKind, hostId: r.hostId === 0 ? null : r.hostId,
      settings: { enabled: r.enabled, threshold: r.threshold, forSeconds: r.forSeconds, webhookUrl: r.webhookUrl },
      webhook: r.webhookLastStatus === null && r.webhookFailures === 0 ? null
        : { lastStatus: r.webhookLastStatus as 'ok' | 'failed' | null, lastError: r.webhookLastError, lastAttemptAt: r.webhookLastAttemptAt, failures: r.webhookFailures },
    }));
  }

  async saveRule(kind: AlertKind, hostId: number | null, s: RuleSettings, w: WebhookStatus | null): Promise<void> {
    await this.em().upsert(AlertRuleSchema, {
      kind, hostId: hostId ?? 0, enabled: s.enabled, threshold: s.threshold, forSeconds: s.forSeconds, webhookUrl: s.webhookUrl,
      webhookLastStatus: w?.lastStatus ?? null, webhookLastError: w?.lastError ?? null, webhookLastAttemptAt: w?.lastAttemptAt ?? null,
      webhookFailures: w?.failures ?? 0, updatedAt: Date.now(),
    });
  }

  async deleteRule(kind: AlertKind, hostId: number): Promise<void> { await this.em().nativeDelete(AlertRuleSchema, { kind, hostId }); }
  async deleteHostRules(hostId: number): Promise<void> { await this.em().nativeDelete(AlertRuleSchema, { hostId }); }

  async saveWebhookStatus(kind: AlertKind, hostId: number | null, w: WebhookStatus): Promise<void> {
    await this.em().nativeUpdate(AlertRuleSchema, { kind, hostId: hostId ?? 0 }, {
      webhookLastStatus: w.lastStatus, webhookLastError: w.lastError?.slice(0, 500) ?? null, webhookLastAttemptAt: w.lastAttemptAt, webhookFailures: w.failures,
    });
  }
}
