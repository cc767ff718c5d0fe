/**
 * The hub's in-memory view of the fleet: every host's latest sample, disks,
 * the last 15 minutes of 1 s points, and whether its agent is connected.
 * Ingest writes it; live fan-out and REST read it. Loaded from the database at start.
 */
import { ClockSkew } from './clock-skew.js';
import type { Disk, Hello, HostState, HostSummary, LivePoint, Sample } from '../../protocol/index.js';
import { PointRing } from './ring.js';

/** 15 minutes of 1 s samples. */
export const RING_CAPACITY = 900;

export interface HostRuntime {
  id: number;
  name: string;
  monthlyCostCents: number | null;
  hostname: string | null;
  agentVersion: string | null;
  cpus: number | null;
  latest: LivePoint | null;
  lastSeenAt: number | null;
  disks: Disk[];
  ring: PointRing<LivePoint>;
  /** Connected agent sockets for this host (normally 0 or 1). */
  agents: number;
  accounts: number;
  /** Named actions the connected agent offers (from its hello). */
  actions: { name: string; description: string | null; accounts: Set<string> | null }[];
  /** Items the agent's spool dropped, per stream, as it last reported. */
  spoolDropped: Record<string, number>;
  /** The agent's clock against the hub's (clock-skew.ts). */
  clock: ClockSkew;
}

type Listener = (hostId: number, points: LivePoint[] | null) => void;

/** A host's descriptive state as another hub sends it. */
export type PeerState = Omit<HostState, 'id' | 'actions'> & Partial<Pick<HostState, 'actions'>>;

export class FleetState {
  readonly hosts = new Map<number, HostRuntime>();
  private listeners: Listener[] = [];
  private removedListeners: ((hostId: number) => void)[] = [];

  constructor(private offlineAfterMs: number, private now: () => number = Date.now) {}

  /** Called on every change; `points` are new 1 s samples, if any. */
  onChange(fn: Listener): void { this.listeners.push(fn); }
  onRemove(fn: (hostId: number) => void): void { this.removedListeners.push(fn); }
  private changed(id: number, points: LivePoint[] | null): void { for (const l of this.listeners) l(id, points); }

  upsertHost(h: Pick<HostRuntime, 'id' | 'name' | 'monthlyCostCents'> & Partial<HostRuntime>): HostRuntime {
    let rt = this.hosts.get(h.id);
    if (!rt) {
      rt = {
        hostname: null, agentVersion: null, cpus: null, latest: null, lastSeenAt: null, disks: [], agents: 0, accounts: 0, actions: [], spoolDropped: {},
        ...h, ring: new PointRing<LivePoint>(RING_CAPACITY), clock: new ClockSkew(),
      };
      this.hosts.set(h.id, rt);
    } else Object.assign(rt, h);
    this.changed(h.id, null);
    return rt;
  }

  removeHost(id: number): void {
    this.wasOnline.delete(id);
    if (this.hosts.delete(id)) for (const l of this.removedListeners) l(id);
  }

  hello(id: number, hello: Hello, agentVersion: string): void {
    const rt = this.hosts.get(id);
    if (!rt) return;
    rt.hostname = hello.hostname; rt.cpus = hello.cpus; rt.agentVersion = agentVersion;
    if (hello.sentAt !== undefined) rt.clock.hello(hello.sentAt, this.now());
    rt.actions = (hello.actions ?? []).map((a) => ({ name: a.name, description: a.description ?? null, accounts: a.accounts ? new Set(a.accounts) : null }));
    this.changed(id, null);
  }

  agentConnected(id: number, delta: 1 | -1): void {
    const rt = this.hosts.get(id);
    if (!rt) return;
    rt.agents = Math.max(0, rt.agents + delta);
    this.changed(id, null);
  }

  /** Apply accepted samples (in sequence order). Returns the disks if they changed. */
  applySamples(id: number, samples: Sample[], receivedAt: number): Disk[] | null {
    const rt = this.hosts.get(id);
    if (!rt) return null;
    let disks: Disk[] | null = null;
    const points: LivePoint[] = [];
    for (const s of samples) {
      const { seq: _seq, disks: d, ...point } = s;
      // Only samples newer than what we hold go into the live view; resent history still feeds rollups.
      if (!rt.latest || point.t > rt.latest.t) {
        if (d) disks = d;
        rt.latest = point;
        rt.ring.push(point);
        points.push(point);
      }
    }
    rt.lastSeenAt = receivedAt;
    if (disks) rt.disks = disks;
    this.changed(id, points);
    return disks;
  }

  /**
   * Several hubs: what the host's owner hub published — points it accepted (into the live view only;
   * the owner writes the rollups), when it last heard from the agent, and, when sent, the host's state.
   */
  applyPeer(id: number, lastSeenAt: number | null, agents: number, points: LivePoint[], state?: PeerState): void {
    const rt = this.hosts.get(id);
    if (!rt) return;
    // The points first: the state's `latest` is usually the last of them, and must not hide them from the ring.
    const fresh: LivePoint[] = [];
    for (const p of points) {
      if (rt.latest && p.t <= rt.latest.t) continue;
      rt.latest = p;
      rt.ring.push(p);
      fresh.push(p);
    }
    if (state) {
      rt.hostname = state.hostname; rt.cpus = state.cpus; rt.agentVersion = state.agentVersion; rt.disks = state.disks;
      if (state.actions) rt.actions = state.actions.map((a) => ({ name: a.name, description: a.description, accounts: a.accounts ? new Set(a.accounts) : null }));
      if (state.latest && (!rt.latest || state.latest.t > rt.latest.t)) rt.latest = state.latest;
    }
    rt.lastSeenAt = lastSeenAt;
    rt.agents = agents;
    this.changed(id, fresh);
  }

  online(rt: HostRuntime): boolean {
    return rt.agents > 0 && rt.lastSeenAt !== null && this.now() - rt.lastSeenAt < this.offlineAfterMs;
  }

  summary(rt: HostRuntime): HostSummary {
    return {
      id: rt.id, name: rt.name, hostname: rt.hostname, online: this.online(rt), lastSeenAt: rt.lastSeenAt,
      agentVersion: rt.agentVersion, cpus: rt.cpus, latest: rt.latest, disks: rt.disks, accounts: rt.accounts,
      monthlyCostCents: rt.monthlyCostCents,
      clockSkewMs: -rt.clock.correction || null,
    };
  }

  /** Hosts that turned offline since the last call (no sample for offlineAfterMs). */
  private wasOnline = new Set<number>();
  sweepOffline(): void {
    for (const rt of this.hosts.values()) {
      const on = this.online(rt);
      if (on) this.wasOnline.add(rt.id);
      else if (this.wasOnline.delete(rt.id)) this.changed(rt.id, null);
    }
  }
}
