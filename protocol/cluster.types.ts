/**
 * What hubs of one deployment tell each other (several hubs on Redis: socket.io's
 * `serverSideEmit` over the Redis streams adapter; see server/cluster/). Hubs of one
 * release talk to each other only, so these are types, not validated schemas (a changed
 * payload still gets a new event name).
 */
import type { AlertDto } from './alerts.schema.js';
import type { Disk } from './agent.schema.js';
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
}
