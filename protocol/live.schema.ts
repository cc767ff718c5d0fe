/**
 * The `/live` namespace: dashboards and kiosks subscribe to topics and get a
 * snapshot, then deltas.
 */
import { z } from 'zod';
import type { Disk, Sample, ServiceStatus } from './agent.schema.js';
import type { AlertsDelta, AlertsSnapshot } from './alerts.schema.js';

/** `fleet`, `host:<id>`, `account:<id>`, `alerts`. */
export const topicSchema = z.string().max(64).regex(/^(fleet|alerts|host:[1-9][0-9]{0,9}|account:[1-9][0-9]{0,9})$/, 'unknown topic');
export const subscribeSchema = z.object({ topic: topicSchema }).strict();
export type SubscribeRequest = z.infer<typeof subscribeSchema>;
export type Topic = 'fleet' | 'alerts' | `host:${number}` | `account:${number}`;

/** Latest state of one host as the fleet overview shows it. */
export interface HostSummary {
  id: number;
  name: string;
  /** Kernel hostname reported by the agent. */
  hostname: string | null;
  /** An agent is connected and sent a sample within the last 10 s. */
  online: boolean;
  /** Last sample received, hub clock, Unix ms. */
  lastSeenAt: number | null;
  agentVersion: string | null;
  cpus: number | null;
  /** Latest sample, or null if none yet. */
  latest: Omit<Sample, 'seq' | 'disks'> | null;
  disks: Disk[];
  /** Accounts the hub knows on this host. */
  accounts: number;
  monthlyCostCents: number | null;
  /**
   * The agent's clock minus the hub's, ms, when it is 5 s or more off (else null). The hub then files that
   * host's samples by its own clock.
   */
  clockSkewMs?: number | null;
}

export interface FleetSnapshot { hosts: HostSummary[] }
/** Hosts whose state changed since the last delta; `removed` lists deleted host ids. */
export interface FleetDelta { hosts: HostSummary[]; removed?: number[] }

/** A point in the live ring: one 1 s sample with the hub's receive time. */
export type LivePoint = Omit<Sample, 'seq' | 'disks'>;
export interface HostSnapshot { host: HostSummary; /** The last 15 min of 1 s samples, oldest first. */ points: LivePoint[] }
export interface HostDelta { host: HostSummary; /** New 1 s samples since the last delta, oldest first. */ points: LivePoint[] }

export interface AccountState {
  id: number;
  name: string;
  hostId: number;
  hostName: string;
  ownerId: number;
  plan: { id: number; name: string; quotaBytes: number } | null;
  mount: string | null;
  quota: {
    usedBytes: number; files: number | null; measuredAt: number; /** Age when sent, ms. */ ageMs: number;
    /** 'quota' (kernel report) or 'walk'; `partial` while the first walk runs (usedBytes is a lower bound). */
    source: string; partial: boolean;
    /** CPU of the account's processes (% of one CPU), RSS bytes, process count; null if not reported. */
    cpuPct: number | null; rssBytes: number | null; processes: number | null;
  } | null;
  services: ServiceStatus[];
  /** Named actions the host's agent offers for this account (e.g. restart-services). */
  actions: { name: string; description: string | null }[];
  /** The load of the host the account lives on (all a customer sees of the host); null before its first sample. */
  hostLoad: HostLoad | null;
}
/** A host's load as an account's card shows it. */
export interface HostLoad {
  /** An agent is connected and sent a sample within the last 10 s. */
  online: boolean;
  cpus: number | null;
  /** Latest sample: hub receive time (Unix ms) and load averages over 1, 5 and 15 min. */
  t: number; load1: number; load5: number; load15: number;
  /** 1 s points of `load1`, oldest first: the last 15 min in a snapshot (and REST), only the latest in a delta. */
  points: { t: number; load1: number }[];
}
export interface AccountSnapshot { account: AccountState }
export type AccountDelta = AccountSnapshot;

export interface TopicPayloads {
  fleet: { snapshot: FleetSnapshot; delta: FleetDelta };
  host: { snapshot: HostSnapshot; delta: HostDelta };
  account: { snapshot: AccountSnapshot; delta: AccountDelta };
  /** Filtered per viewer: admins and kiosks see every alert, a customer their own accounts' alerts. */
  alerts: { snapshot: AlertsSnapshot; delta: AlertsDelta };
}

export type SnapshotMessage =
  | { topic: 'fleet'; data: FleetSnapshot }
  | { topic: `host:${number}`; data: HostSnapshot }
  | { topic: `account:${number}`; data: AccountSnapshot }
  | { topic: 'alerts'; data: AlertsSnapshot };
export type DeltaMessage =
  | { topic: 'fleet'; data: FleetDelta }
  | { topic: `host:${number}`; data: HostDelta }
  | { topic: `account:${number}`; data: AccountDelta }
  | { topic: 'alerts'; data: AlertsDelta };

export type SubscribeReply = { ok: true } | { ok: false; error: { code: string; message: string } };

export interface LiveClientToServerEvents {
  subscribe: (req: SubscribeRequest, reply: (r: SubscribeReply) => void) => void;
  unsubscribe: (req: SubscribeRequest, reply: (r: SubscribeReply) => void) => void;
}
export interface LiveServerToClientEvents {
  snapshot: (m: SnapshotMessage) => void;
  delta: (m: DeltaMessage) => void;
}
