/**
 * What hubs of one deployment tell each other (several hubs on Redis: socket.io's
 * `serverSideEmit` over the Redis streams adapter; see server/cluster/). Hubs of one
 * release talk to each other only, so these are types, not validated schemas.
 */
import type { AlertDto } from './alerts.schema.js';
import type { Disk } from './agent.schema.js';
import type { LivePoint } from './live.schema.js';

/** One host's changes since the owner hub's last publication. */
export interface HostUpdate {
  id: number;
  points: LivePoint[];
  latest: LivePoint | null;
  lastSeenAt: number | null;
  disks: Disk[];
  agents: number;
  hostname: string | null;
  cpus: number | null;
  agentVersion: string | null;
}

/** Event name → what it carries. */
export interface InterHubEvents {
  /** The owners' host changes, coalesced every live interval. */
  'rp:fleet': (updates: HostUpdate[]) => void;
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
