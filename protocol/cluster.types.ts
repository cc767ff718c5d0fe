/**
 * What hubs of one deployment tell each other (several hubs on Redis: socket.io's
 * `serverSideEmit` over the Redis streams adapter; see server/cluster/). Hubs of one
 * release talk to each other only, so these are types, not validated schemas (a changed
 * payload still gets a new event name).
 */
import type { AlertDto } from './alerts.schema.js';
import type { AccountQuota, ActionReply, ActionRequest, Disk, RefreshReply, RefreshRequest, ServiceStatus } from './agent.schema.js';
import type { LivePoint } from './live.schema.js';

/**
 * A host's descriptive state, sent by the owner hub when it changed and at least once a second
 * (Redis PUB/SUB may drop a message during a blip; the next one heals it).
 */
export interface HostState {
  id: number;
  latest: LivePoint | null;
  disks: Disk[];
  hostname: string | null;
  cpus: number | null;
  agentVersion: string | null;
  /** Named actions the connected agent offers (its hello); `accounts`: who may use each, null for every account. */
  actions: { name: string; description: string | null; accounts: string[] | null }[];
}

/** The owner hub's host changes since its last live tick. */
export interface HostBatch {
  /**
   * Float64 little-endian, per host: id, lastSeenAt (Unix ms; NaN when null), connected agents,
   * n, then its n new 1 s points, each the fields of `LIVE_POINT_FIELDS` in that order.
   */
  packed: Uint8Array;
  states: HostState[];
}

/** The fields of a LivePoint, in the order `HostBatch.packed` carries them. */
export const LIVE_POINT_FIELDS = ['t', 'load1', 'load5', 'load15', 'cpuPct', 'memUsedBytes', 'memTotalBytes', 'netRxBps', 'netTxBps', 'diskReadBps', 'diskWriteBps'] as const satisfies readonly (keyof LivePoint)[];
/** Fails to compile when LivePoint gains a field LIVE_POINT_FIELDS does not list. */
export const LIVE_POINT_FIELDS_COMPLETE: Exclude<keyof LivePoint, (typeof LIVE_POINT_FIELDS)[number]> extends never ? true : never = true;

/** What a hub may ask a host's agent through the hub that has its connection: event → [request, reply]. */
export interface AgentCallMap {
  refresh: [RefreshRequest, RefreshReply];
  action: [ActionRequest, ActionReply];
}
export type AgentCallEvent = keyof AgentCallMap;

/** A hub without a host's agent asks the others to pass a call on (`id`: unique, names the asking hub). */
export interface AgentCall<E extends AgentCallEvent = AgentCallEvent> {
  id: string;
  hostId: number;
  event: E;
  payload: AgentCallMap[E][0];
  /** How long the agent may take, ms. */
  timeoutMs: number;
}

/** The answer of the hub that has the agent: its reply, or that it did not answer within `timeoutMs`. */
export interface AgentAnswer { id: string; timedOut: boolean; reply: AgentCallMap[AgentCallEvent][1] | null }

/** A host's latest account usage and service states, as its owner hub took them from the agent. */
export interface LatestUpdate { hostId: number; quota: AccountQuota[]; services: ServiceStatus[]; /** ms, owner's clock */ at: number }

/** Event name → what it carries. */
export interface InterHubEvents {
  /** The owner's host changes, coalesced on its live tick; the other hubs push them to their dashboards at once. */
  'rp:hosts': (batch: HostBatch) => void;
  /** A host was deleted. */
  'rp:host-removed': (hostId: number) => void;
  /** A host's agent must be cut off (its token was revoked or reissued). */
  'rp:agent-drop': (hostId: number) => void;
  /** A hub waits for a host's lease: the holder drops its older agent connection. */
  'rp:agent-moved': (hostId: number) => void;
  /** A hub took a host's lease (the alerts leader stops judging it). */
  'rp:lease-taken': (hostId: number) => void;
  /** Alert changes made on the sending hub. */
  'rp:alerts': (batch: AlertDto[]) => void;
  /** Alert rules changed: reload them. */
  'rp:alert-rules': () => void;
  /** A session ended (its live sockets close). */
  'rp:session-end': (sessionId: string) => void;
  /** A kiosk was revoked (its live sockets close). */
  'rp:kiosk-revoked': (kioskId: number) => void;
  /** "Refresh now" or a named action for a host whose agent is on another hub. */
  'rp:agent-call': (call: AgentCall) => void;
  /** The answer to an `rp:agent-call`, from the hub with the agent. */
  'rp:agent-answer': (answer: AgentAnswer) => void;
  /** An account was created (every hub's account cards and host counts know it). */
  'rp:account': (account: { id: number; hostId: number; name: string }) => void;
  /** New account usage and service states of a host (account cards on every hub follow them). */
  'rp:latest': (update: LatestUpdate) => void;
}
