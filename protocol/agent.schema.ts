/**
 * Messages between an agent and the hub on the `/agent` namespace.
 * Every payload is checked at runtime against these schemas; the TypeScript
 * types are inferred from them, so there is one source of truth.
 *
 * Written with zod's functional API (`zod/mini`): the agent bundles these, and
 * with zod's chained API its library alone would cost the agent ~4 MB of its
 * ~50 MB memory budget (mini: ~0.3 MB). The hub parses them the same way.
 */
import * as z from 'zod/mini';
import { text } from './text.schema.js';
import { MAX_SAMPLES_PER_MESSAGE } from './version.js';
import type { AckMessage, HelloReply, RejectMessage } from './hub-replies.schema.js';

/** A non-negative finite number. */
const nonNeg = z.number().check(z.nonnegative());
/** A sequence number: positive integer, per host and stream. */
const seq = z.int().check(z.positive(), z.maximum(Number.MAX_SAFE_INTEGER));
/** Unix time in milliseconds. */
const epochMs = z.int().check(z.nonnegative(), z.maximum(8.64e15));
const shortText = (max: number) => text(max, 1);

/** Handshake `auth` object of the agent's socket.io connection. */
export const agentAuthSchema = z.object({
  /** Agent token issued by `POST /api/hosts`. */
  token: z.string().check(z.minLength(1), z.maxLength(200)),
  /** Agent release, e.g. "0.1.0". */
  agentVersion: text(40, 1),
  /** Protocol version the agent speaks (see PROTOCOL_VERSION). */
  protocol: z.int(),
});
export type AgentAuth = z.infer<typeof agentAuthSchema>;

/** Agent → hub once per connection: what machine this is. */
export const helloSchema = z.strictObject({
  /** Kernel hostname of the machine. */
  hostname: shortText(255),
  /** e.g. "linux". */
  os: shortText(40),
  /** Kernel release, e.g. "6.1.0-18-amd64". */
  kernel: text(120),
  /** Logical CPUs. */
  cpus: z.int().check(z.positive(), z.maximum(100000)),
  /** Physical memory, bytes. */
  memTotalBytes: nonNeg,
  /** Boot time, Unix ms. */
  bootTime: epochMs,
  /** The agent's clock when it sent this hello, Unix ms: the hub measures the agent's clock offset with it. */
  sentAt: z.optional(epochMs),
  /** Named actions the agent's config offers (see `action`); `accounts` absent means every account. */
  actions: z.optional(z.array(z.strictObject({
    name: z.string().check(z.minLength(1), z.maxLength(64), z.regex(/^[a-z0-9][a-z0-9_-]*$/)),
    description: z.optional(text(200)),
    accounts: z.optional(z.array(text(64, 1)).check(z.maxLength(100000))),
  })).check(z.maxLength(100))),
});
export type Hello = z.infer<typeof helloSchema>;

/** One mounted filesystem as seen by statfs. */
export const diskSchema = z.strictObject({
  /** Mount point, e.g. "/home". */
  mount: shortText(512),
  /** Block device or source, e.g. "/dev/sda1". */
  device: text(512),
  /** Filesystem type, e.g. "ext4". */
  fsType: text(40),
  /** Total size, bytes. */
  sizeBytes: nonNeg,
  /** Used, bytes (size − free). */
  usedBytes: nonNeg,
  /** Available to unprivileged users, bytes. */
  availBytes: nonNeg,
});
export type Disk = z.infer<typeof diskSchema>;

/** One 1 s sample of host load. Rates are averaged over the interval since the previous sample. */
export const sampleSchema = z.strictObject({
  /** Sequence number on the `samples` stream. */
  seq,
  /** When it was taken, agent clock, Unix ms. */
  t: epochMs,
  /** Load averages over 1, 5 and 15 min (runnable tasks). */
  load1: nonNeg,
  load5: nonNeg,
  load15: nonNeg,
  /** CPU busy, percent of all CPUs (0–100). */
  cpuPct: z.number().check(z.minimum(0), z.maximum(100)),
  /** Memory in use (total − available), bytes. */
  memUsedBytes: nonNeg,
  /** Physical memory, bytes. */
  memTotalBytes: nonNeg,
  /** Network received / sent over all non-loopback interfaces, bytes per second. */
  netRxBps: nonNeg,
  netTxBps: nonNeg,
  /** Block devices read / written, bytes per second. */
  diskReadBps: nonNeg,
  diskWriteBps: nonNeg,
  /** Filesystems; sent when they changed, and at least once a minute. */
  disks: z.optional(z.array(diskSchema).check(z.maxLength(256))),
});
export type Sample = z.infer<typeof sampleSchema>;

/** Agent → hub: one or more samples, in sequence order. */
export const samplesSchema = z.strictObject({
  samples: z.array(sampleSchema).check(z.minLength(1), z.maxLength(MAX_SAMPLES_PER_MESSAGE)),
});
export type SamplesMessage = z.infer<typeof samplesSchema>;

/** Disk usage of one account (unix user). */
export const accountQuotaSchema = z.strictObject({
  /** Unix user name. */
  account: shortText(64),
  /** Bytes used. */
  usedBytes: nonNeg,
  /** Files (inodes) used, if known. */
  files: z.optional(nonNeg),
  /** Quota limits, bytes, where the quota system has them. */
  softLimitBytes: z.optional(nonNeg),
  hardLimitBytes: z.optional(nonNeg),
  /** Where the disk figure comes from: the kernel's quota report, or a walk of the account's home. */
  source: z.enum(['quota', 'walk']),
  /** When the disk figure was measured, agent clock, Unix ms. */
  measuredAt: epochMs,
  /** True while a walk has not yet finished its first full pass: `usedBytes` is a lower bound. */
  partial: z.optional(z.boolean()),
  /** CPU used by the account's processes since the previous report, percent of one CPU (may exceed 100). */
  cpuPct: z.optional(nonNeg),
  /** Resident memory of the account's processes, bytes. */
  rssBytes: z.optional(nonNeg),
  /** Number of the account's processes. */
  processes: z.optional(z.int().check(z.nonnegative())),
});
export type AccountQuota = z.infer<typeof accountQuotaSchema>;

/** Agent → hub: per-account disk usage. */
export const quotaSchema = z.strictObject({
  seq,
  t: epochMs,
  accounts: z.array(accountQuotaSchema).check(z.maxLength(100000)),
});
export type QuotaMessage = z.infer<typeof quotaSchema>;

export const serviceStatusSchema = z.strictObject({
  /** Check name from the agent's config, e.g. "ssh" or "alice:rtorrent". */
  name: shortText(128),
  /** Account the service belongs to, if any. */
  account: z.optional(text(64)),
  status: z.enum(['up', 'down', 'unknown']),
  /** How long the check took, ms. */
  latencyMs: z.optional(nonNeg),
  /** Short reason, e.g. "connection refused". */
  reason: z.optional(text(200)),
  /** When it was checked, agent clock, Unix ms. */
  checkedAt: epochMs,
});
export type ServiceStatus = z.infer<typeof serviceStatusSchema>;

/** Agent → hub: service check results. */
export const servicesSchema = z.strictObject({
  seq,
  t: epochMs,
  services: z.array(serviceStatusSchema).check(z.maxLength(10000)),
});
export type ServicesMessage = z.infer<typeof servicesSchema>;

export const STREAMS = ['samples', 'quota', 'services'] as const;
export type Stream = (typeof STREAMS)[number];
/** Highest durable sequence number per stream. */
export type Watermarks = Record<Stream, number>;

/** Agent → hub: the spool hit its bound and dropped its oldest items (they will never arrive). */
export const spoolDroppedSchema = z.strictObject({
  stream: z.enum(['samples', 'quota', 'services']),
  /** Items dropped since the agent started. */
  dropped: z.int().check(z.nonnegative()),
  /** First and last sequence number of the latest drop. */
  firstSeq: seq,
  lastSeq: seq,
  t: epochMs,
});
export type SpoolDropped = z.infer<typeof spoolDroppedSchema>;

/** Hub → agent: run one of the actions the agent's own config defines for an account. Names only: nothing from the wire is executed. */
export const actionRequestSchema = z.strictObject({
  /** Unix user name of the account. */
  account: text(64, 1),
  /** Action name from the agent's config, e.g. "restart-services". */
  action: z.string().check(z.minLength(1), z.maxLength(64), z.regex(/^[a-z0-9][a-z0-9_-]*$/)),
});
export type ActionRequest = z.infer<typeof actionRequestSchema>;
export interface ActionReply {
  ok: boolean;
  /** Why the action did not run (unknown action, busy, …). */
  error?: string;
  /** Exit code, or null when killed by a signal. */
  exitCode?: number | null;
  signal?: string | null;
  /** Killed because it ran past its configured timeout. */
  timedOut?: boolean;
  /** Wall time, ms. */
  durationMs?: number;
  /** Last lines of stdout and stderr, interleaved, at most 64 lines / 8 KiB. */
  output?: string;
}

/** Hub → agent: measure now and answer. */
export const refreshRequestSchema = z.strictObject({
  /** Unix user name, or absent for the whole host. */
  account: z.optional(text(64)),
});
export type RefreshRequest = z.infer<typeof refreshRequestSchema>;
export interface RefreshReply {
  ok: boolean;
  error?: string;
  /** The disk figure could not be measured in time; `quota` holds the cached one (see its measuredAt). */
  stale?: boolean;
  quota?: AccountQuota[];
  services?: ServiceStatus[];
}

/** Events the agent sends. Payloads are validated by the hub; none carries a callback. */
export interface AgentToHubEvents {
  hello: (hello: Hello, reply: (r: HelloReply | { error: string }) => void) => void;
  samples: (m: SamplesMessage) => void;
  quota: (m: QuotaMessage) => void;
  services: (m: ServicesMessage) => void;
  spoolDropped: (m: SpoolDropped) => void;
}
/** Events the hub sends to an agent. */
export interface HubToAgentEvents {
  ack: (m: AckMessage) => void;
  reject: (m: RejectMessage) => void;
  refresh: (r: RefreshRequest, reply: (r: RefreshReply) => void) => void;
  action: (r: ActionRequest, reply: (r: ActionReply) => void) => void;
}
