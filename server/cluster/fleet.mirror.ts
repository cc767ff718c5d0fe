/**
 * Every hub keeps the whole fleet's live state, so any hub serves any dashboard's snapshots and
 * deltas from memory. The hub that has a host's agent publishes that host's changes (new 1 s points,
 * when it last heard from the agent, whether the agent is connected) on its live tick, the moment it
 * pushes them to its own dashboards, to the other hubs with `serverSideEmit` (which the socket.io
 * Redis streams adapter sends through Redis PUB/SUB). The points travel packed (host.codec.ts); the
 * host's state (latest, disks, hostname …) only when it changed and at least once a second, so a
 * message lost while Redis blips is made good within a second (its points stay missing from the
 * other hubs' 15 min view; the rollups, written by the owner, are whole). A receiving hub applies
 * them to its FleetState and has its live gateway push them to its dashboards at once: the owner
 * coalesced them already, and waiting for this hub's own tick would add up to another live interval.
 * Host removal and agent cut-offs (token revoked) travel the same way, as do session sign-outs and
 * kiosk revocations for the live sockets they end.
 */
import { fromPeers, toPeers } from './peers.js';
import type { Server } from 'socket.io';
import type { HostBatch, HostState, LivePoint } from '../../protocol/index.js';
import { packHosts, unpackHosts, type PackedHost } from './host.codec.js';
import type { FleetState, HostRuntime } from '../ingest/fleet.state.js';
import type { AgentGateway } from '../ingest/agent.socket.js';
import type { IngestService } from '../ingest/ingest.service.js';
import type { HostsRepository } from '../hosts/hosts.repository.js';
import type { Logger } from '../logger.js';

/** New points kept per host between two publications (the ring on the owner has the rest). */
const MAX_POINTS = 900;
/** A host's state goes out at least this often while it changes at all, ms (see the module comment). */
const STATE_EVERY_MS = 1000;

type SentState = Omit<HostState, 'id' | 'latest' | 'actions'> & { at: number; actions: HostRuntime['actions'] };

export class FleetMirror {
  private dirty = new Map<number, LivePoint[]>();
  /** What each host's last published state was, and when. */
  private sent = new Map<number, SentState>();
  private applying = false;
  private stopped = false;

  /** `pushNow`: the live gateway's push of these hosts' changes to this hub's dashboards. */
  constructor(private io: Server, private fleet: FleetState, private agents: AgentGateway, private ingest: IngestService,
    private hosts: HostsRepository, private log: Logger, private pushNow: (ids: number[]) => void) {
    fleet.onChange((id, points) => {
      // Only what this hub learned from its own agents; never echo what another hub sent.
      if (this.applying || !agents.agentOf(id)) return;
      this.markDirty(id, points);
    });
    fleet.onRemove((id) => { this.sent.delete(id); this.dirty.delete(id); if (!this.applying) toPeers(io, 'rp:host-removed', id); });
    agents.onHostDropped((id) => toPeers(io, 'rp:agent-drop', id));
    fromPeers(io, 'rp:hosts', (batch) => this.receive(batch));
    fromPeers(io, 'rp:host-removed', (id) => this.withApplying(() => { agents.disconnectHost(id, true); ingest.forgetHost(id); fleet.removeHost(id); }));
    fromPeers(io, 'rp:agent-drop', (id) => agents.disconnectHost(id, true));
  }

  /** Publish a host's state now-ish even without a change (its agent just left this hub). */
  markDirty(id: number, points: LivePoint[] | null = null): void {
    let arr = this.dirty.get(id);
    if (!arr) this.dirty.set(id, (arr = []));
    if (points?.length) { for (const p of points) arr.push(p); if (arr.length > MAX_POINTS) arr.splice(0, arr.length - MAX_POINTS); }
  }

  /** Publish what changed since the last call: the live gateway calls it at the start of its tick. */
  flush(now = Date.now()): void {
    if (!this.dirty.size || this.stopped) return;
    const hosts: PackedHost[] = [];
    const states: HostState[] = [];
    for (const [id, points] of this.dirty) {
      const rt = this.fleet.hosts.get(id);
      if (!rt) continue;
      hosts.push({ id, lastSeenAt: rt.lastSeenAt, agents: this.agents.agentOf(id) ? 1 : 0, points });
      const s = this.sent.get(id);
      if (!s || now - s.at >= STATE_EVERY_MS || s.disks !== rt.disks || s.hostname !== rt.hostname || s.cpus !== rt.cpus || s.agentVersion !== rt.agentVersion || s.actions !== rt.actions) {
        this.sent.set(id, { at: now, disks: rt.disks, hostname: rt.hostname, cpus: rt.cpus, agentVersion: rt.agentVersion, actions: rt.actions });
        const actions = rt.actions.map((a) => ({ name: a.name, description: a.description, accounts: a.accounts ? [...a.accounts] : null }));
        states.push({ id, latest: rt.latest, disks: rt.disks, hostname: rt.hostname, cpus: rt.cpus, agentVersion: rt.agentVersion, actions });
      }
    }
    this.dirty.clear();
    if (hosts.length) toPeers(this.io, 'rp:hosts', { packed: packHosts(hosts), states });
  }

  /** The last publication (the hub is closing). */
  stop(): void { this.flush(); this.stopped = true; }

  private withApplying(fn: () => void): void {
    this.applying = true;
    try { fn(); } finally { this.applying = false; }
  }

  /** Know a host added through another hub (read from the database). */
  async ensureHost(id: number): Promise<void> {
    if (this.fleet.hosts.has(id)) return;
    const h = await this.hosts.byId(id).catch(() => null);
    if (h && !this.fleet.hosts.has(id)) this.withApplying(() => this.fleet.upsertHost({ id: h.id, name: h.name, monthlyCostCents: h.monthlyCostCents }));
  }

  private receive(batch: HostBatch): void {
    const states = new Map<number, HostState>();
    for (const st of batch.states ?? []) states.set(st.id, st);
    const applied: number[] = [];
    for (const h of unpackHosts(batch.packed)) {
      // This hub has the host's agent itself: its own state is the newer one.
      if (this.agents.agentOf(h.id)) continue;
      if (this.fleet.hosts.has(h.id)) { this.apply(h, states.get(h.id)); applied.push(h.id); continue; }
      // A host added through another hub: read it from the database, then apply and push it alone.
      void this.ensureHost(h.id).then(() => {
        if (this.agents.agentOf(h.id) || !this.fleet.hosts.has(h.id)) return;
        this.apply(h, states.get(h.id));
        this.pushNow([h.id]);
      });
    }
    if (applied.length) this.pushNow(applied);
  }

  private apply(h: PackedHost, state: HostState | undefined): void {
    this.withApplying(() => this.fleet.applyPeer(h.id, h.lastSeenAt, h.agents, h.points, state));
  }
}
