/**
 * Alerts on the hub: evaluation wiring (fleet samples, account usage and services, a 1 s timer),
 * persistence (changed alerts written in one batch a second; the state lives in memory), webhooks on
 * firing and on resolved-after-firing (sent once the change is stored, so a hub that dies never leaves
 * a webhook behind that a successor would send again), live change notifications, acknowledgement,
 * listing and rules.
 * Several hubs (server/cluster): `evaluateOnly` limits evaluation to the hosts this hub owns (their
 * lease); a host taken over is first brought up to date from the database (`adopt`), a host given up is
 * stored first (`handOver`). Changes made here are passed on (`onChange` with `local`) and other hubs'
 * changes taken in (`mergePeer`), so every hub lists and pushes the whole fleet's alerts.
 */
import type { AlertDto, AlertKind, AlertRuleDto, AlertRuleUpdate, AlertState } from '../../protocol/index.js';
import { AccountSchema, PlanSchema } from '../db/entities.js';
import type { Dialect, Orm } from '../db/orm.js';
import { num, scanTable } from '../db/scan.js';
import type { FleetState } from '../ingest/fleet.state.js';
import type { IngestService } from '../ingest/ingest.service.js';
import type { Logger } from '../logger.js';
import type { HubMetrics } from '../metrics.js';
import { AlertEngine, RECENT_MS, type AlertChange } from './alert.engine.js';
import { AlertRules, applyUpdate, BUILTIN_RULES } from './alert.rules.js';
import { AlertEvaluator, type AccountInfo } from './alerts.evaluator.js';
import { AlertsRepository } from './alerts.repository.js';
import { AlertIds } from './alert.ids.js';
import { WebhookSender, type WebhookOutcome } from './alerts.webhook.js';

/** How often offline and durations are evaluated and changed alerts written, ms. */
export const TICK_MS = 1000;
/** An unknown (host, account name) is looked up in the database at most this often, ms. */
const MISS_RETRY_MS = 30_000;

export interface AlertsOptions { offlineAfterMs: number; webhookRetryMs: number; dialect: Dialect }

export class AlertsService {
  readonly rules = new AlertRules();
  private repo: AlertsRepository;
  private engine: AlertEngine;
  private evaluator!: AlertEvaluator;
  private webhooks: WebhookSender;
  private ids: AlertIds;
  private dirty = new Map<number, AlertDto>();
  /** Webhooks to send once the batch holding their change is stored. */
  private notes: { alert: AlertDto; event: 'firing' | 'resolved' }[] = [];
  private listeners: ((a: AlertDto, local: boolean) => void)[] = [];
  private rulesListeners: (() => void)[] = [];
  /** Several hubs: whether this hub is to evaluate a host; null: every host (one hub). */
  private ownsFn: ((hostId: number) => boolean) | null = null;
  /** Several hubs: hosts evaluated here (owned, and their stored alerts taken in). */
  private evaluated = new Set<number>();
  private adopting = new Set<number>();
  private accounts = new Map<string, AccountInfo>();
  private owners = new Map<number, number>();
  private plans = new Map<number, { name: string; quotaBytes: number }>();
  private misses = new Map<string, number>();
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> | null = null;

  constructor(private orm: Orm, private fleet: FleetState, private ingest: IngestService, private log: Logger, private metrics: HubMetrics, private opts: AlertsOptions) {
    this.repo = new AlertsRepository(orm);
    this.ids = new AlertIds(orm, log);
    this.engine = new AlertEngine(() => this.ids.next());
    this.webhooks = new WebhookSender((o) => this.onWebhook(o), log, opts.webhookRetryMs);
  }

  /** Called with every alert whose state or acknowledgement changed; `local`: the change was made here, not taken from another hub. */
  onChange(fn: (a: AlertDto, local: boolean) => void): void { this.listeners.push(fn); }

  /** Called after a rule or a webhook status changed here (other hubs reload them: `reloadRules`). */
  onRulesChange(fn: () => void): void { this.rulesListeners.push(fn); }

  /** Several hubs: evaluate only the hosts `owns` says (checked every tick). */
  evaluateOnly(owns: (hostId: number) => boolean): void { this.ownsFn = owns; this.evaluated.clear(); }

  /** Whether this hub evaluates a host now. */
  evaluates(hostId: number): boolean { return this.ownsFn === null || this.evaluated.has(hostId); }

  async load(now = Date.now()): Promise<void> {
    await this.reloadRules();
    const { alerts } = await this.repo.load(now - RECENT_MS);
    await this.ids.load();
    this.engine.restore(alerts, (a) => this.rules.ruleFor(a.kind, a.hostId).forSeconds * 1000);
    const em = this.orm.em.fork();
    for (const p of await em.find(PlanSchema, {})) this.plans.set(p.id, { name: p.name, quotaBytes: p.quotaBytes });
    // Plain rows in batches: a million accounts as ORM entities cost gigabytes (server/db/scan.ts).
    await scanTable<Record<string, unknown>>((this.orm.em as any).getKnex(), this.opts.dialect, 'accounts', ['host_id', 'name', 'owner_id', 'plan_id'], ['id'], (rows) => {
      for (const r of rows) this.indexAccount({ id: Number(r.id), hostId: Number(r.host_id), name: String(r.name), ownerId: Number(r.owner_id), planId: num(r.plan_id) });
    });
    this.metrics.alertsFiring.set(this.engine.firingCount);
    // Agents reconnect after a restart: judge offline only once they had the time to.
    this.evaluator = new AlertEvaluator(this.engine, this.rules, this.fleet, this.ingest, (h, n) => this.accountOf(h, n), (c) => this.changed(c), now + this.opts.offlineAfterMs + TICK_MS);
  }

  start(): void {
    this.fleet.onChange((hostId, points) => {
      if (!points?.length || !this.evaluates(hostId)) return;
      const rt = this.fleet.hosts.get(hostId);
      if (rt) this.evaluator.host(rt, Date.now());
    });
    this.fleet.onRemove((hostId) => {
      // The hub evaluating the host resolves its alerts; the others learn it from that hub.
      if (this.evaluates(hostId)) for (const c of this.engine.resolveHost(hostId, Date.now())) this.changed(c);
      this.evaluated.delete(hostId);
      this.rules.forgetHost(hostId);
      this.repo.deleteHostRules(hostId).catch((err) => this.log.warn({ err: err?.message, hostId }, 'could not delete alert rules of a host'));
    });
    this.ingest.onUsage((hostId, names) => { if (this.evaluates(hostId)) this.evaluator.usage(hostId, names, Date.now()); });
    this.timer = setInterval(() => this.tick(), TICK_MS);
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.webhooks.stop();
    await this.flush();
  }

  /** Offline and durations for every host; changed alerts written. */
  tick(now = Date.now()): void {
    if (this.ownsFn) this.reconcile();
    for (const rt of this.fleet.hosts.values()) if (this.evaluates(rt.id)) this.evaluator.host(rt, now);
    for (const c of this.engine.tick(now, (h) => this.evaluates(h))) this.changed(c);
    void this.flush();
  }

  private changed(c: AlertChange): void {
    const a = c.alert;
    this.dirty.set(a.id, a);
    if (c.to === 'firing' || (c.to === 'resolved' && c.from === 'firing')) { this.notes.push({ alert: { ...a }, event: c.to }); void this.flush(); }
    this.metrics.alertsFiring.set(this.engine.firingCount);
    if (c.to !== 'ack') this.metrics.alertTransitions.inc({ kind: a.kind, to: c.to });
    for (const l of this.listeners) l(a, true);
  }

  // --- several hubs -----------------------------------------------------------------------------

  /** Take over the hosts this hub now owns (after reading their stored alerts); stop evaluating the others. */
  private reconcile(): void {
    for (const id of this.evaluated) if (!this.fleet.hosts.has(id) || !this.ownsFn!(id)) this.evaluated.delete(id);
    for (const id of this.fleet.hosts.keys()) {
      if (this.evaluated.has(id) || this.adopting.has(id) || !this.ownsFn!(id)) continue;
      this.adopting.add(id);
      this.adopt(id).then(() => { if (this.ownsFn!(id)) this.evaluated.add(id); },
        (err) => this.log.warn({ err: err?.message, hostId: id }, 'could not read the alerts of a host taken over; trying again'))
        .finally(() => this.adopting.delete(id));
    }
  }

  /**
   * Bring a host's alerts up to date from the database before evaluating it: its stored open alerts and
   * the stored state of those known here from its previous hub. An open alert known here but never
   * stored (its hub died first) is stored now; its firing webhook was not sent (webhooks follow the write).
   */
  private async adopt(hostId: number, now = Date.now()): Promise<void> {
    await this.flush();
    const known = this.engine.openOf(hostId).map((a) => a.id);
    const stored = await this.repo.ofHost(hostId, known);
    for (const a of stored) this.takeIn(a, now);
    const storedIds = new Set(stored.map((a) => a.id));
    for (const a of this.engine.openOf(hostId)) if (!storedIds.has(a.id)) this.dirty.set(a.id, a);
  }

  /** Several hubs: this hub gives a host up; its alert changes are stored before the host's lease is released. */
  async handOver(hostId: number): Promise<void> {
    this.evaluated.delete(hostId);
    await this.flush();
  }

  /** Several hubs: alerts changed on another hub. */
  mergePeer(alerts: AlertDto[], now = Date.now()): void {
    for (const a of alerts) this.takeIn(a, now);
  }

  private takeIn(a: AlertDto, now: number): void {
    for (const c of this.engine.merge(a, this.rules.ruleFor(a.kind, a.hostId).forSeconds * 1000, now)) {
      // The evaluating hub stores what it learned (an acknowledgement given elsewhere, a duplicate episode resolved) and passes it on.
      const mine = this.evaluates(c.hostId) || this.adopting.has(c.hostId);
      if (mine) this.dirty.set(c.id, c);
      for (const l of this.listeners) l(c, mine);
    }
    this.metrics.alertsFiring.set(this.engine.firingCount);
  }

  /** Read the rules and webhook statuses from the database (at start, and when another hub changed them). */
  async reloadRules(): Promise<void> {
    const rows = await this.repo.loadRules();
    for (const r of this.rules.list()) if (r.hostId !== null && !rows.some((x) => x.kind === r.kind && x.hostId === r.hostId)) this.rules.remove(r.kind, r.hostId);
    for (const k of new Set(this.rules.list().map((r) => r.kind))) if (!rows.some((x) => x.kind === k && x.hostId === null)) this.rules.set(k, null, { ...BUILTIN_RULES[k] });
    for (const r of rows) {
      this.rules.set(r.kind, r.hostId, r.settings);
      if (r.webhook) this.rules.webhooks.set(`${r.kind}:${r.hostId ?? 0}`, r.webhook);
    }
  }

  private rulesChanged(): void { for (const l of this.rulesListeners) l(); }

  private notify(a: AlertDto, event: 'firing' | 'resolved'): void {
    const def = this.rules.defaultOf(a.kind), over = this.rules.overrideOf(a.kind, a.hostId);
    const url = over?.webhookUrl ?? def.webhookUrl;
    if (!url) return;
    const key = over?.webhookUrl ? `${a.kind}:${a.hostId}` : `${a.kind}:0`;
    this.webhooks.send(url, { event, alert: { ...a } }, key);
  }

  private onWebhook(o: WebhookOutcome): void {
    const prev = this.rules.webhooks.get(o.ruleKey);
    const w = { lastStatus: o.ok ? 'ok' as const : 'failed' as const, lastError: o.error, lastAttemptAt: o.at, failures: o.ok ? 0 : (prev?.failures ?? 0) + 1 };
    this.rules.webhooks.set(o.ruleKey, w);
    if (!o.ok) this.metrics.alertWebhookFailures.inc();
    const [kind, host] = o.ruleKey.split(':');
    this.repo.saveWebhookStatus(kind as AlertKind, Number(host) || null, w).then(() => this.rulesChanged(), (err) => this.log.warn({ err: err?.message }, 'could not store webhook outcome'));
  }

  /** Write changed alerts (one batch), then send their webhooks; on failure they stay queued for the next tick. */
  flush(): Promise<void> {
    if (this.flushing) return this.flushing.then(() => (this.dirty.size ? this.flush() : undefined));
    if (!this.dirty.size) return Promise.resolve();
    const batch = [...this.dirty.values()].map((a) => ({ ...a }));
    const notes = this.notes.splice(0);
    this.dirty.clear();
    this.flushing = this.repo.save(batch).then(() => { for (const n of notes) this.notify(n.alert, n.event); }, (err) => {
      this.log.warn({ err: err?.message, alerts: batch.length }, 'could not store alerts; retrying');
      for (const a of batch) if (!this.dirty.has(a.id)) this.dirty.set(a.id, a);
      this.notes.unshift(...notes);
    }).finally(() => { this.flushing = null; });
    return this.flushing;
  }

  // --- accounts known to evaluation -------------------------------------------------------------

  private indexAccount(a: { id: number; hostId: number; name: string; ownerId: number; planId: number | null }): void {
    const plan = a.planId === null ? undefined : this.plans.get(a.planId);
    this.accounts.set(`${a.hostId}\u0000${a.name}`, { id: a.id, ownerId: a.ownerId, planName: plan?.name ?? null, quotaBytes: plan?.quotaBytes ?? null });
    this.owners.set(a.id, a.ownerId);
  }

  /** An account from memory; a miss is looked up in the background (at most every MISS_RETRY_MS). */
  private accountOf(hostId: number, name: string): AccountInfo | undefined {
    const key = `${hostId}\u0000${name}`;
    const hit = this.accounts.get(key);
    if (hit) return hit;
    const now = Date.now();
    if (now - (this.misses.get(key) ?? 0) < MISS_RETRY_MS) return undefined;
    this.misses.set(key, now);
    if (this.misses.size > 100_000) this.misses.clear();
    void this.lookUp(hostId, name);
    return undefined;
  }

  private async lookUp(hostId: number, name: string): Promise<void> {
    try {
      const em = this.orm.em.fork();
      const a = await em.findOne(AccountSchema, { hostId, name });
      if (!a) return;
      if (a.planId !== null && !this.plans.has(a.planId)) {
        const p = await em.findOne(PlanSchema, { id: a.planId });
        if (p) this.plans.set(p.id, { name: p.name, quotaBytes: p.quotaBytes });
      }
      this.indexAccount(a);
      this.misses.delete(`${hostId}\u0000${name}`);
      this.evaluator.usage(hostId, [name], Date.now());
    } catch (err: any) {
      this.log.warn({ err: err?.message, hostId }, 'could not look up an account for alerts');
    }
  }

  /** The owner of an account, if known (live filtering without a query). */
  ownerOf(accountId: number): number | undefined { return this.owners.get(accountId); }

  // --- reading and acknowledging ----------------------------------------------------------------

  /** Alerts in a state (`active` = pending and firing), newest first; `accountIds` limits to those accounts. */
  async list(state: AlertState | 'active', limit: number, accountIds: Set<number> | null): Promise<AlertDto[]> {
    const visible = (a: AlertDto) => !accountIds || (a.accountId !== null && accountIds.has(a.accountId));
    if (state === 'resolved') {
      await this.flush();
      return this.repo.list(['resolved'], limit, accountIds ? [...accountIds] : null);
    }
    return this.engine.active().filter((a) => (state === 'active' || a.state === state) && visible(a))
      .sort((x, y) => y.startedAt - x.startedAt || y.id - x.id).slice(0, limit).map((a) => ({ ...a }));
  }

  /** What the live `alerts` topic starts with: active and recently resolved alerts, newest first. */
  snapshot(): AlertDto[] {
    return [...this.engine.active(), ...this.engine.recentResolved()].sort((x, y) => y.startedAt - x.startedAt || y.id - x.id).map((a) => ({ ...a }));
  }

  /** Acknowledge; null if there is no such alert. A second acknowledgement keeps the first. */
  async ack(id: number, by: string, now = Date.now()): Promise<AlertDto | null> {
    const c = this.engine.ack(id, by, now);
    if (c) { this.changed(c); return { ...c.alert }; }
    const stored = await this.repo.byId(id);
    if (!stored) return null;
    if (stored.ackedAt === null) { stored.ackedAt = now; stored.ackedBy = by; await this.repo.save([stored]); }
    return stored;
  }

  get(id: number): AlertDto | undefined { return this.engine.get(id); }
  get firing(): number { return this.engine.firingCount; }

  // --- rules ------------------------------------------------------------------------------------

  /** Change a default (hostId null) or a host's override (created from the default). Throws the update's error. */
  async updateRule(kind: AlertKind, hostId: number | null, u: AlertRuleUpdate): Promise<AlertRuleDto | { error: string; field: string }> {
    const base = hostId === null ? this.rules.defaultOf(kind) : this.rules.overrideOf(kind, hostId) ?? { ...this.rules.defaultOf(kind), webhookUrl: null };
    const r = applyUpdate(kind, base, u);
    if ('error' in r) return r;
    const key = `${kind}:${hostId ?? 0}`;
    await this.repo.saveRule(kind, hostId, r.settings, this.rules.webhooks.get(key) ?? null);
    this.rules.set(kind, hostId, r.settings);
    this.reevaluate();
    this.rulesChanged();
    return this.rules.dto(kind, hostId, r.settings);
  }

  async deleteOverride(kind: AlertKind, hostId: number): Promise<boolean> {
    if (!this.rules.overrideOf(kind, hostId)) return false;
    await this.repo.deleteRule(kind, hostId);
    this.rules.remove(kind, hostId);
    this.reevaluate();
    this.rulesChanged();
    return true;
  }

  /** After a rule change: every host now, and the account rules of every host with usage or services. */
  reevaluate(now = Date.now()): void {
    for (const rt of this.fleet.hosts.values()) if (this.evaluates(rt.id)) this.evaluator.host(rt, now);
    for (const hostId of new Set([...this.ingest.usage.keys(), ...this.ingest.services.keys()])) {
      if (!this.evaluates(hostId)) continue;
      this.evaluator.usage(hostId, [...(this.ingest.usage.get(hostId)?.keys() ?? [])], now);
    }
  }
}
