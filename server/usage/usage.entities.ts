/**
 * Usage across the fleet, kept incrementally by the ingest commit (server/usage/usage.writer.ts):
 * bytes per (account, host) as the agents report them, the total per account across hosts,
 * and the totals per host. An account is its unix login: the same login on several hosts is
 * one account. Nothing here is ever recomputed on a request.
 */
import { BigIntType, EntitySchema } from '@mikro-orm/core';

/** Bytes of one account on one host (the latest the agent reported). Keyed by account first: a page of accounts reads its hosts with one index range. */
export interface UsageBytes { account: string; hostId: number; bytes: number }
export const UsageBytesSchema = new EntitySchema<UsageBytes>({
  name: 'UsageBytes', tableName: 'usage_bytes',
  // Listing and deleting one host's rows in account order.
  indexes: [{ name: 'usage_bytes_host_id_account_index', properties: ['hostId', 'account'] }],
  properties: {
    account: { type: 'string', length: 64, primary: true },
    hostId: { type: 'integer', primary: true },
    bytes: { type: new BigIntType('number') },
  },
});

/** One account across the fleet: the sum of its bytes and on how many hosts it has usage. */
export interface UsageTotal { account: string; totalBytes: number; hosts: number }
export const UsageTotalSchema = new EntitySchema<UsageTotal>({
  name: 'UsageTotal', tableName: 'usage_totals',
  // Keyset pages by total: biggest first, ties by name (a descending column: MariaDB ≥ 10.8, MySQL 8, SQLite).
  indexes: [{ name: 'usage_totals_total_bytes_account_index', expression: 'create index usage_totals_total_bytes_account_index on usage_totals (total_bytes desc, account)' }],
  properties: {
    account: { type: 'string', length: 64, primary: true },
    totalBytes: { type: new BigIntType('number') },
    hosts: { type: 'integer' },
  },
});

/** Bytes and accounts of one host; the row with `hostId` 0 holds the whole fleet (bytes, distinct accounts). */
export interface HostUsageTotal { hostId: number; bytes: number; accounts: number }
export const HostUsageTotalSchema = new EntitySchema<HostUsageTotal>({
  name: 'HostUsageTotal', tableName: 'host_usage_totals',
  properties: {
    hostId: { type: 'integer', primary: true, autoincrement: false },
    bytes: { type: new BigIntType('number') },
    accounts: { type: 'integer' },
  },
});

/** Host id of the fleet-wide row of `host_usage_totals`. */
export const FLEET_ROW = 0;

export const usageEntities = [UsageBytesSchema, UsageTotalSchema, HostUsageTotalSchema];
