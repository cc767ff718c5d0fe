/**
 * Alert rules: the built-in default of every kind, the fleet-wide defaults as
 * changed through the API, and per-host overrides. `ruleFor(kind, hostId)` is
 * what evaluation asks for every observation, so it is a pair of map lookups.
 *
 * Built-in defaults (unit in brackets):
 * - host_offline: no sample for OFFLINE_AFTER_MS or no agent connected (the fleet's online flag); fires at once (for 0 s).
 * - load_high: load1 per CPU over 2.0 [load_per_cpu] for 300 s.
 * - cpu_high: CPU over 90 [%] for 300 s.
 * - disk_full: a filesystem over 90 [% used] (for 0 s).
 * - quota_over: an account's usedBytes over 100 [% of its plan's quota] (for 0 s).
 * - service_down: a service check reports `down` for 60 s (`unknown` is not down).
 */
import type { AlertKind, AlertRuleDto, AlertRuleUpdate } from '../../protocol/index.js';
import { ALERT_KINDS } from '../../protocol/index.js';

export interface RuleSettings { enabled: boolean; threshold: number | null; forSeconds: number; webhookUrl: string | null }
export type WebhookStatus = NonNullable<AlertRuleDto['webhook']>;

export const BUILTIN_RULES: Record<AlertKind, RuleSettings> = {
  host_offline: { enabled: true, threshold: null, forSeconds: 0, webhookUrl: null },
  load_high: { enabled: true, threshold: 2.0, forSeconds: 300, webhookUrl: null },
  cpu_high: { enabled: true, threshold: 90, forSeconds: 300, webhookUrl: null },
  disk_full: { enabled: true, threshold: 90, forSeconds: 0, webhookUrl: null },
  quota_over: { enabled: true, threshold: 100, forSeconds: 0, webhookUrl: null },
  service_down: { enabled: true, threshold: null, forSeconds: 60, webhookUrl: null },
};

export const RULE_UNITS: Record<AlertKind, AlertRuleDto['unit']> = {
  host_offline: null, load_high: 'load_per_cpu', cpu_high: 'percent', disk_full: 'percent', quota_over: 'percent', service_down: null,
};

export const SEVERITY: Record<AlertKind, 'warning' | 'critical'> = {
  host_offline: 'critical', load_high: 'warning', cpu_high: 'warning', disk_full: 'critical', quota_over: 'warning', service_down: 'critical',
};

/** Whether a kind compares a value with a threshold. */
export const hasThreshold = (kind: AlertKind): boolean => RULE_UNITS[kind] !== null;

/** Apply an update to settings; returns an error message (and field) when it does not fit the kind. */
export function applyUpdate(kind: AlertKind, base: RuleSettings, u: AlertRuleUpdate): { settings: RuleSettings } | { error: string; field: string } {
  const next: RuleSettings = { ...base };
  if (u.enabled !== undefined) next.enabled = u.enabled;
  if (u.forSeconds !== undefined) next.forSeconds = u.forSeconds;
  if (u.webhookUrl !== undefined) next.webhookUrl = u.webhookUrl;
  if (u.threshold !== undefined) {
    if (!hasThreshold(kind) && u.threshold !== null) return { error: `threshold: ${kind} has no threshold`, field: 'threshold' };
    if (hasThreshold(kind) && u.threshold === null) return { error: `threshold: ${kind} needs a threshold`, field: 'threshold' };
    next.threshold = u.threshold;
  }
  return { settings: next };
}

/** A rule's identity: the fleet default of a kind (hostId null) or one host's override. */
export const ruleKey = (kind: AlertKind, hostId: number | null) => `${kind}:${hostId ?? 0}`;

export class AlertRules {
  private defaults = new Map<AlertKind, RuleSettings>();
  private overrides = new Map<number, Map<AlertKind, RuleSettings>>();
  readonly webhooks = new Map<string, WebhookStatus>();

  constructor() { for (const k of ALERT_KINDS) this.defaults.set(k, { ...BUILTIN_RULES[k] }); }

  /** The rule in force for a kind on a host, and whether it is the host's override. */
  ruleFor(kind: AlertKind, hostId: number): RuleSettings { return this.overrides.get(hostId)?.get(kind) ?? this.defaults.get(kind)!; }
  /** The key of the rule in force (whose webhook status a delivery updates). */
  keyFor(kind: AlertKind, hostId: number): string { return this.overrides.get(hostId)?.has(kind) ? ruleKey(kind, hostId) : ruleKey(kind, null); }

  defaultOf(kind: AlertKind): RuleSettings { return this.defaults.get(kind)!; }
  overrideOf(kind: AlertKind, hostId: number): RuleSettings | undefined { return this.overrides.get(hostId)?.get(kind); }

  set(kind: AlertKind, hostId: number | null, s: RuleSettings): void {
    if (hostId === null) { this.defaults.set(kind, s); return; }
    let m = this.overrides.get(hostId);
    if (!m) this.overrides.set(hostId, (m = new Map()));
    m.set(kind, s);
  }

  /** Remove a host's override; false if it had none. */
  remove(kind: AlertKind, hostId: number): boolean {
    const m = this.overrides.get(hostId);
    const had = m?.delete(kind) ?? false;
    if (m && !m.size) this.overrides.delete(hostId);
    if (had) this.webhooks.delete(ruleKey(kind, hostId));
    return had;
  }

  forgetHost(hostId: number): void { for (const k of ALERT_KINDS) this.remove(k, hostId); }

  dto(kind: AlertKind, hostId: number | null, s: RuleSettings): AlertRuleDto {
    return { kind, hostId, enabled: s.enabled, threshold: s.threshold, unit: RULE_UNITS[kind], forSeconds: s.forSeconds, webhookUrl: s.webhookUrl, webhook: this.webhooks.get(ruleKey(kind, hostId)) ?? null };
  }

  /** Every default (in kind order), then every override (by host, then kind). */
  list(): AlertRuleDto[] {
    const out = ALERT_KINDS.map((k) => this.dto(k, null, this.defaults.get(k)!));
    for (const hostId of [...this.overrides.keys()].sort((a, b) => a - b)) {
      for (const k of ALERT_KINDS) { const s = this.overrides.get(hostId)!.get(k); if (s) out.push(this.dto(k, hostId, s)); }
    }
    return out;
  }
}
