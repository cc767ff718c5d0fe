/**
 * MikroORM entities, one set for SQLite and MySQL/MariaDB. Times are Unix
 * milliseconds in BIGINT columns (no time-zone conversions anywhere); sizes are
 * bytes. Hot-path tables (rollups, watermarks, latest state) are written with
 * batched SQL by their repositories; the entities define the schema.
 */
import { BigIntType, EntitySchema } from '@mikro-orm/core';
import type { Role } from '../../protocol/index.js';
import { queueEntities } from '../queue/queue.entities.js';
import { kioskEntities } from '../kiosk/kiosk.entities.js';
import { alertEntities } from '../alerts/alerts.entities.js';
import { usageEntities } from '../usage/usage.entities.js';

const ms = () => ({ type: new BigIntType('number') });
const msNull = () => ({ type: new BigIntType('number'), nullable: true });
const bytes = () => ({ type: new BigIntType('number') });

export interface User { id: number; email: string; passwordHash: string; name: string | null; role: Role; createdAt: number }
export const UserSchema = new EntitySchema<User>({
  name: 'User', tableName: 'users',
  properties: {
    id: { type: 'integer', primary: true, autoincrement: true },
    email: { type: 'string', length: 254, unique: true },
    passwordHash: { type: 'string', length: 255 },
    name: { type: 'string', length: 120, nullable: true },
    role: { type: 'string', length: 16 },
    createdAt: ms(),
  },
});

/** A signed-in browser. `id` is the SHA-256 of the cookie value. */
export interface Session { id: string; userId: number; createdAt: number; expiresAt: number }
export const SessionSchema = new EntitySchema<Session>({
  name: 'Session', tableName: 'sessions',
  properties: {
    id: { type: 'string', length: 64, primary: true },
    userId: { type: 'integer', index: true },
    createdAt: ms(),
    expiresAt: ms(),
  },
});

export interface Plan { id: number; name: string; quotaBytes: number; priceCents: number; public: boolean }
export const PlanSchema = new EntitySchema<Plan>({
  name: 'Plan', tableName: 'plans',
  properties: {
    id: { type: 'integer', primary: true, autoincrement: true },
    name: { type: 'string', length: 120, unique: true },
    quotaBytes: bytes(),
    priceCents: { type: 'integer' },
    public: { type: 'boolean' },
  },
});

/** A server of the fleet. `tokenHash` is the SHA-256 of its agent token. */
export interface Host {
  id: number; name: string; tokenHash: string; tokenRevokedAt: number | null; monthlyCostCents: number | null; createdAt: number;
  hostname: string | null; os: string | null; kernel: string | null; agentVersion: string | null;
  cpus: number | null; memTotalBytes: number | null; bootTime: number | null;
}
export const HostSchema = new EntitySchema<Host>({
  name: 'Host', tableName: 'hosts',
  properties: {
    id: { type: 'integer', primary: true, autoincrement: true },
    name: { type: 'string', length: 120, unique: true },
    tokenHash: { type: 'string', length: 64, unique: true },
    tokenRevokedAt: msNull(),
    monthlyCostCents: { type: 'integer', nullable: true },
    createdAt: ms(),
    hostname: { type: 'string', length: 255, nullable: true },
    os: { type: 'string', length: 40, nullable: true },
    kernel: { type: 'string', length: 120, nullable: true },
    agentVersion: { type: 'string', length: 40, nullable: true },
    cpus: { type: 'integer', nullable: true },
    memTotalBytes: { type: new BigIntType('number'), nullable: true },
    bootTime: msNull(),
  },
});

/** Latest state of a host, written in batches by ingest (kept apart from `hosts` so it can be upserted in bulk). */
export interface HostStatus {
  hostId: number;
  /** Last sample received, hub clock, ms. */
  lastSeenAt: number;
  /** Latest sample as JSON (without seq and disks). */
  latest: string;
}
export const HostStatusSchema = new EntitySchema<HostStatus>({
  name: 'HostStatus', tableName: 'host_status',
  properties: {
    hostId: { type: 'integer', primary: true, autoincrement: false },
    lastSeenAt: ms(),
    latest: { type: 'text' },
  },
});

export interface Disk { id: number; hostId: number; mount: string; device: string; fsType: string; sizeBytes: number; usedBytes: number; availBytes: number; updatedAt: number }
export const DiskSchema = new EntitySchema<Disk>({
  name: 'Disk', tableName: 'disks',
  uniques: [{ properties: ['hostId', 'mount'] }],
  properties: {
    id: { type: 'integer', primary: true, autoincrement: true },
    hostId: { type: 'integer' },
    mount: { type: 'string', length: 255 },
    device: { type: 'string', length: 255 },
    fsType: { type: 'string', length: 40 },
    sizeBytes: bytes(), usedBytes: bytes(), availBytes: bytes(),
    updatedAt: ms(),
  },
});

/** A customer's box: a unix account on a host, on a plan. */
export interface Account { id: number; hostId: number; name: string; ownerId: number; planId: number | null; mount: string | null; createdAt: number }
export const AccountSchema = new EntitySchema<Account>({
  name: 'Account', tableName: 'accounts',
  uniques: [{ properties: ['hostId', 'name'] }],
  properties: {
    id: { type: 'integer', primary: true, autoincrement: true },
    hostId: { type: 'integer' },
    name: { type: 'string', length: 64 },
    ownerId: { type: 'integer', index: true },
    planId: { type: 'integer', nullable: true },
    mount: { type: 'string', length: 255, nullable: true },
    createdAt: ms(),
  },
});

/** Latest disk usage of one unix account on one host, as the agent reported it. */
export interface AccountUsage {
  hostId: number; account: string; usedBytes: number; files: number | null; softLimitBytes: number | null; hardLimitBytes: number | null;
  source: string; measuredAt: number; receivedAt: number;
  /** The walk has not finished its first pass; usedBytes is a lower bound. */
  partial: boolean;
  /** CPU of the account's processes, percent of one CPU; RSS bytes; process count (null if not reported). */
  cpuPct: number | null; rssBytes: number | null; processes: number | null;
}
export const AccountUsageSchema = new EntitySchema<AccountUsage>({
  name: 'AccountUsage', tableName: 'account_usage',
  properties: {
    hostId: { type: 'integer', primary: true },
    account: { type: 'string', length: 64, primary: true },
    usedBytes: bytes(),
    files: { type: new BigIntType('number'), nullable: true },
    softLimitBytes: { type: new BigIntType('number'), nullable: true },
    hardLimitBytes: { type: new BigIntType('number'), nullable: true },
    source: { type: 'string', length: 16 },
    measuredAt: ms(),
    receivedAt: ms(),
    partial: { type: 'boolean', default: false },
    cpuPct: { type: 'double', nullable: true },
    rssBytes: { type: new BigIntType('number'), nullable: true },
    processes: { type: 'integer', nullable: true },
  },
});

/** Who did what: admin actions, account actions, token use. `detail` is JSON. */
export interface AuditEntry { id: number; at: number; actorUserId: number | null; actor: string; action: string; target: string; outcome: string; detail: string | null }
export const AuditEntrySchema = new EntitySchema<AuditEntry>({
  name: 'AuditEntry', tableName: 'audit_log',
  indexes: [{ properties: ['at'] }],
  properties: {
    id: { type: 'integer', primary: true, autoincrement: true },
    at: ms(),
    actorUserId: { type: 'integer', nullable: true },
    actor: { type: 'string', length: 254 },
    action: { type: 'string', length: 64 },
    target: { type: 'string', length: 200 },
    outcome: { type: 'string', length: 32 },
    detail: { type: 'text', nullable: true },
  },
});


/** Latest result of one service check on one host. `since`: when the status last changed, ms. */
export interface ServiceState { hostId: number; name: string; account: string | null; status: string; latencyMs: number | null; reason: string | null; checkedAt: number; since: number; receivedAt: number }
export const ServiceStateSchema = new EntitySchema<ServiceState>({
  name: 'ServiceState', tableName: 'service_states',
  properties: {
    hostId: { type: 'integer', primary: true },
    name: { type: 'string', length: 128, primary: true },
    account: { type: 'string', length: 64, nullable: true },
    status: { type: 'string', length: 16 },
    latencyMs: { type: 'double', nullable: true },
    reason: { type: 'string', length: 200, nullable: true },
    checkedAt: ms(), since: ms(), receivedAt: ms(),
  },
});

/** Metrics kept in rollups; each has `<m>Sum`, `<m>Min`, `<m>Max` columns. */
export const ROLLUP_METRICS = ['load1', 'cpuPct', 'memUsedBytes', 'netRxBps', 'netTxBps', 'diskReadBps', 'diskWriteBps'] as const;
export type RollupMetric = (typeof ROLLUP_METRICS)[number];

/** One bucket of one tier: `tier` is the bucket width in seconds, `bucket` its start in Unix seconds. */
export type Rollup = { hostId: number; tier: number; bucket: number; count: number } & Record<`${RollupMetric}${'Sum' | 'Min' | 'Max'}`, number>;
const rollupColumns: Record<string, { type: string }> = {};
for (const m of ROLLUP_METRICS) for (const s of ['Sum', 'Min', 'Max']) rollupColumns[m + s] = { type: 'double' };
export const RollupSchema = new EntitySchema<Rollup>({
  name: 'Rollup', tableName: 'rollups',
  indexes: [{ properties: ['tier', 'bucket'] }],
  properties: {
    hostId: { type: 'integer', primary: true },
    tier: { type: 'integer', primary: true },
    bucket: { type: new BigIntType('number'), primary: true },
    count: { type: 'integer' },
    ...(rollupColumns as object),
  } as never,
});

/** Highest durable sequence number per host and stream. */
export interface Watermark { hostId: number; stream: string; seq: number }
export const WatermarkSchema = new EntitySchema<Watermark>({
  name: 'Watermark', tableName: 'watermarks',
  properties: {
    hostId: { type: 'integer', primary: true },
    stream: { type: 'string', length: 16, primary: true },
    seq: { type: new BigIntType('number') },
  },
});

export const entities = [UserSchema, SessionSchema, PlanSchema, HostSchema, HostStatusSchema, DiskSchema, AccountSchema, AccountUsageSchema, AuditEntrySchema, ServiceStateSchema, RollupSchema, WatermarkSchema, ...queueEntities, ...kioskEntities, ...alertEntities, ...usageEntities];
