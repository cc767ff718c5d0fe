/**
 * Every hub keeps the whole fleet's live state, so any hub serves any dashboard's snapshots and
 * deltas from memory. The hub that has a host's agent publishes that host's changes (new 1 s
 * points, latest state, disks, whether the agent is connected), coalesced every live interval,
 * to the other hubs with `serverSideEmit` over the socket.io Redis streams adapter (which resumes
 * from its last stream offset after a Redis blip, so nothing is lost); they apply them to their
 * FleetState, whose changes their live gateway pushes to their own dashboards. Host removal and
 * agent cut-offs (token revoked) travel the same way, as do session sign-outs and kiosk revocations
 * for the live sockets they end.
 */
import { fromPeers, toPeers } from './peers.js';
import type { Server } from 'socket.io';
import type { HostUpdate, LivePoint } from '../../protocol/index.js';
import type { FleetState } from '../ingest/fleet.state.js';
import type { AgentGateway } from '../ingest/agent.socket.js';
import type { IngestService } from '../ingest/ingest.service.js';
import type { HostsRepository } from '../hosts/hosts.repository.js';
import type { Logger } from '../logger.js';

/** New points kept per host between two publications (the ring on the owner has the rest). */
const MAX_POINTS = 900;

export class FleetMirror {
  private dirty = new Map<number, LivePoint[]>();
  private applying = false;
  private timer: NodeJS.Timeout | null = null;

  constructor(private io: Server, private fleet: FleetState, private agents: AgentGateway, private ingest: IngestService,
    private hosts: HostsRepository, private log: Logger, private intervalMs: number) {
    fleet.onChange((id, points) => {
      // Only what this hub learned from its own agents; never echo what another hub sent.
      if (this.applying || !agents.agentOf(id)) return;
      this.markDirty(id, points);
    });
    fleet.onRemove((id) => { if (!this.applying) toPeers(io, 'rp:host-removed', id); });
    agents.onHostDropped((id) => toPeers(io, 'rp:agent-drop', id));
    fromPeers(io, 'rp:fleet', (updates) => { for (const u of updates) void this.apply(u); });
    fromPeers(io, 'rp:host-removed', (id) => this.withApplying(() => { agents.disconnectHost(id, true); ingest.forgetHost(id); fleet.removeHost(id); }));
    fromPeers(io, 'rp:agent-drop', (id) => agents.disconnectHost(id, true));
  }

  /** Publish a host's state now-ish even without a change (its agent just left this hub). */
  markDirty(id: number, points: LivePoint[] | null = null): void {
    let arr = this.dirty.get(id);
    if (!arr) this.dirty.set(id, (arr = []));
    if (points?.length) { for (const p of points) arr.push(p); if (arr.length > MAX_POINTS) arr.splice(0, arr.length - MAX_POINTS); }
  }

  start(): void { this.timer = setInterval(() => this.flush(), this.intervalMs); this.timer.unref(); }
  stop(): void { if (this.timer) clearInterval(this.timer); this.timer = null; this.flush(); }

  private flush(): void {
    if (!this.dirty.size) return;
    const updates: HostUpdate[] = [];
    for (const [id, points] of this.dirty) {
      const rt = this.fleet.hosts.get(id);
      if (!rt) continue;
      updates.push({ id, points, latest: rt.latest, lastSeenAt: rt.lastSeenAt, disks: rt.disks, agents: this.agents.agentOf(id) ? 1 : 0, hostname: rt.hostname, cpus: rt.cpus, agentVersion: rt.agentVersion });
    }
    this.dirty.clear();
    if (updates.length) toPeers(this.io, 'rp:fleet', updates);
  }

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

  private async apply(u: HostUpdate): Promise<void> {
    // This hub has the host's agent itself: its own state is the newer one.
    if (this.agents.agentOf(u.id)) return;
    await this.ensureHost(u.id);
    const rt = this.fleet.hosts.get(u.id);
    if (!rt) return;
    this.withApplying(() => {
      if (u.points.length) this.fleet.applySamples(u.id, u.points.map((p) => ({ ...p, seq: 0 })), u.lastSeenAt ?? Date.now());
      this.fleet.upsertHost({
        id: rt.id, name: rt.name, monthlyCostCents: rt.monthlyCostCents, lastSeenAt: u.lastSeenAt, disks: u.disks, agents: u.agents,
        hostname: u.hostname, cpus: u.cpus, agentVersion: u.agentVersion, ...(u.latest && (!rt.latest || u.latest.t >= rt.latest.t) ? { latest: u.latest } : {}),
      });
    });
  }
}
