/**
 * Tables of alerts (append these schemas to `entities` in `server/db/entities.ts`).
 * Times are Unix milliseconds. Alert ids are given by the hub that evaluates, from a
 * block of ids it reserved in `id_blocks` (alert.ids.ts), so an alert is known by its id
 * before its row is written and hubs sharing the database never hand out the same id;
 * rows are written only on transitions.
 */
import { BigIntType, EntitySchema } from '@mikro-orm/core';
import type { AlertDto } from '../../protocol/index.js';

/** One episode of one (kind, host, subject): the AlertDto as stored. */
export type Alert = AlertDto;
export const AlertSchema = new EntitySchema<Alert>({
  name: 'Alert', tableName: 'alerts',
  // (state, id): active alerts at start; resolved ones newest first.
  indexes: [{ properties: ['state', 'id'] }],
  properties: {
    id: { type: 'integer', primary: true, autoincrement: false },
    kind: { type: 'string', length: 32 },
    state: { type: 'string', length: 16 },
    severity: { type: 'string', length: 16 },
    hostId: { type: 'integer' },
    hostName: { type: 'string', length: 120 },
    accountId: { type: 'integer', nullable: true, index: true },
    subject: { type: 'string', length: 255 },
    message: { type: 'string', length: 500 },
    value: { type: 'double', nullable: true },
    threshold: { type: 'double', nullable: true },
    startedAt: { type: new BigIntType('number') },
    firingAt: { type: new BigIntType('number'), nullable: true },
    resolvedAt: { type: new BigIntType('number'), nullable: true },
    ackedAt: { type: new BigIntType('number'), nullable: true },
    ackedBy: { type: 'string', length: 254, nullable: true },
  } as never,
});

/**
 * A rule as changed through the API: the fleet-wide default of a kind (`hostId` 0) or one host's
 * override. Kinds without a row use the built-in defaults (alert.rules.ts). The webhook columns hold
 * the last delivery outcome of this rule's webhook.
 */
export interface AlertRuleRow {
  kind: string; hostId: number; enabled: boolean; threshold: number | null; forSeconds: number; webhookUrl: string | null;
  webhookLastStatus: string | null; webhookLastError: string | null; webhookLastAttemptAt: number | null; webhookFailures: number;
  updatedAt: number;
}
export const AlertRuleSchema = new EntitySchema<AlertRuleRow>({
  name: 'AlertRule', tableName: 'alert_rules',
  properties: {
    kind: { type: 'string', length: 32, primary: true },
    hostId: { type: 'integer', primary: true },
    enabled: { type: 'boolean' },
    threshold: { type: 'double', nullable: true },
    forSeconds: { type: 'integer' },
    webhookUrl: { type: 'text', nullable: true },
    webhookLastStatus: { type: 'string', length: 16, nullable: true },
    webhookLastError: { type: 'string', length: 500, nullable: true },
    webhookLastAttemptAt: { type: new BigIntType('number'), nullable: true },
    webhookFailures: { type: 'integer', default: 0 },
    updatedAt: { type: new BigIntType('number') },
  },
});

/** The next id not yet reserved by any hub, per id space (`alerts`); hubs reserve blocks with one update. */
export interface IdBlockRow { name: string; nextId: number }
export const IdBlockSchema = new EntitySchema<IdBlockRow>({
  name: 'IdBlock', tableName: 'id_blocks',
  properties: {
    name: { type: 'string', length: 32, primary: true },
    nextId: { type: new BigIntType('number') },
  },
});

export const alertEntities = [AlertSchema, AlertRuleSchema, IdBlockSchema];
