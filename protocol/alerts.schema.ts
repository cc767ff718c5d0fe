/**
 * Alerts: rules evaluated on the hub as data arrives. Shared by the hub, the
 * dashboards and the kiosk. REST: `GET /api/alerts?state=`, `POST /api/alerts/:id/ack`,
 * `GET /api/alert-rules`, `PUT /api/alert-rules/:kind` (defaults) and
 * `PUT /api/hosts/:id/alert-rules/:kind` (one host's override), `DELETE` of the latter.
 * Live: the `alerts` topic (snapshot of the active alerts, then deltas).
 */
import { z } from 'zod';

export const ALERT_KINDS = ['host_offline', 'load_high', 'cpu_high', 'disk_full', 'quota_over', 'service_down'] as const;
export type AlertKind = (typeof ALERT_KINDS)[number];
export const alertKindSchema = z.enum(ALERT_KINDS);

/** pending (condition true, not yet for its duration) → firing → resolved. */
export const ALERT_STATES = ['pending', 'firing', 'resolved'] as const;
export type AlertState = (typeof ALERT_STATES)[number];

export interface AlertDto {
  id: number;
  kind: AlertKind;
  state: AlertState;
  severity: 'warning' | 'critical';
  hostId: number;
  hostName: string;
  /** Set for quota_over and for service_down of an account's service. */
  accountId: number | null;
  /** What on the host: a mount for disk_full, a service name, an account name; '' for host-wide rules. */
  subject: string;
  /** One line a person reads on the wall, e.g. "web-3: / 93 % used (threshold 90 %)". */
  message: string;
  /** The measured value and the threshold it crossed, in the rule's unit (see AlertRuleDto.unit). */
  value: number | null;
  threshold: number | null;
  /** Unix ms (hub clock). */
  startedAt: number;
  firingAt: number | null;
  resolvedAt: number | null;
  ackedAt: number | null;
  /** Who acknowledged: a user's email or `kiosk:<name>`. */
  ackedBy: string | null;
}

/** A rule: the fleet-wide default for a kind (hostId null) or one host's override. */
export interface AlertRuleDto {
  kind: AlertKind;
  hostId: number | null;
  enabled: boolean;
  /** Threshold in `unit`: load per CPU, % CPU, % of disk used, % of plan quota; null for host_offline and service_down. */
  threshold: number | null;
  unit: 'load_per_cpu' | 'percent' | null;
  /** How long the condition must hold before pending becomes firing, s. */
  forSeconds: number;
  /** POSTed a JSON AlertWebhookPayload on firing and on resolved; retried with backoff. */
  webhookUrl: string | null;
  /** Last delivery outcome, so failures are visible. */
  webhook: { lastStatus: 'ok' | 'failed' | null; lastError: string | null; lastAttemptAt: number | null; failures: number } | null;
}

export const alertRuleUpdateSchema = z.object({
  enabled: z.boolean().optional(),
  threshold: z.number().finite().min(0).max(1e6).nullable().optional(),
  forSeconds: z.number().int().min(0).max(86_400).optional(),
  webhookUrl: z.string().url().max(2000).regex(/^https?:\/\//, 'http(s) only').nullable().optional(),
}).strict();
export type AlertRuleUpdate = z.infer<typeof alertRuleUpdateSchema>;

export interface AlertWebhookPayload { event: 'firing' | 'resolved'; alert: AlertDto }

/** `alerts` topic: who sees what is filtered per viewer (admins and kiosks: all; a customer: their accounts' alerts). */
export interface AlertsSnapshot { /** Active (pending and firing) alerts plus those resolved in the last hour, newest first. */ alerts: AlertDto[]; firing: number }
export interface AlertsDelta { /** Alerts whose state or acknowledgement changed. */ alerts: AlertDto[]; firing: number }
