/**
 * Several hubs: which hub evaluates a host's alerts, so each alert is raised, stored and webhooked
 * once. The hub holding the host's lease (its agent is there) evaluates it. A host whose lease nobody
 * holds (no agent anywhere: exactly when `host_offline` matters) is evaluated by the alerts leader,
 * one hub holding the lease `<cluster>:lease:alerts-leader:0`, which reads once a second who holds
 * every host's lease. A hub that takes a host's lease says so at once (`rp:lease-taken`) so the leader
 * stops evaluating it; a hub giving a lease up stores the host's alert changes first (`handOver`).
 * Alert changes travel to every hub (`rp:alerts`) and rule changes too (`rp:alert-rules`: reloaded
 * from the database), so every hub serves the `alerts` topic and the API for the whole fleet.
 */
import { fromPeers, toPeers } from './peers.js';
import type { Server } from 'socket.io';
import type { AlertDto } from '../../protocol/index.js';
import type { AlertsService } from '../alerts/alerts.service.js';
import type { FleetState } from '../ingest/fleet.state.js';
import type { Logger } from '../logger.js';
import { HostLeases, type LeaseRedis } from './host.lease.js';

/** How often the leader reads the host leases, ms. */
const SCAN_MS = 1000;

export interface OwnerRedis extends LeaseRedis { mget(keys: string[]): Promise<(string | null)[]> }

export class AlertsOwnership {
  private leader: HostLeases;
  /** Hosts whose lease another hub holds (the leader's last reading, plus announcements since). */
  private elsewhere = new Set<number>();
  /** The leader has read the leases since it became leader. */
  private scanned = false;
  private releasing = new Set<number>();
  private timer: NodeJS.Timeout | null = null;
  private outbox: AlertDto[] = [];
  private stepping = false;

  constructor(private redis: OwnerRedis, private hubId: string, private leases: HostLeases, private leasePrefix: string, name: string, ttlMs: number,
    private io: Server, private alerts: AlertsService, private fleet: FleetState, private log: Logger) {
    this.leader = new HostLeases(redis, hubId, ttlMs, log, `${name}:lease:alerts-leader:`);
    this.leader.onLost(() => { this.scanned = false; });
    alerts.evaluateOnly((id) => this.owns(id));
    alerts.onChange((a, local) => {
      if (!local) return;
      // Coalesced within a turn of the event loop: a tick's changes travel in one message.
      if (!this.outbox.length) setImmediate(() => { const batch = this.outbox.splice(0); if (batch.length) toPeers(io, 'rp:alerts', batch); });
      this.outbox.push({ ...a });
    });
    alerts.onRulesChange(() => toPeers(io, 'rp:alert-rules'));
    fromPeers(io, 'rp:alerts', (batch) => alerts.mergePeer(batch));
    fromPeers(io, 'rp:alert-rules', () => {
      alerts.reloadRules().then(() => alerts.reevaluate(), (err) => log.warn({ err: err?.message }, 'could not reload alert rules'));
    });
    fromPeers(io, 'rp:lease-taken', (hostId) => { this.elsewhere.add(hostId); });
  }

  /** Whether this hub evaluates a host's alerts. */
  owns(hostId: number): boolean {
    if (this.releasing.has(hostId)) return false;
    if (this.leases.holds(hostId)) return true;
    return this.scanned && this.leader.holds(0) && !this.elsewhere.has(hostId);
  }

  /** This hub took a host's lease: the leader stops evaluating it. */
  taken(hostId: number): void {
    this.elsewhere.delete(hostId);
    toPeers(this.io, 'rp:lease-taken', hostId);
  }

  /** Before this hub releases a host's lease: stop evaluating it and store its alert changes. */
  async handOver(hostId: number): Promise<void> {
    this.releasing.add(hostId);
    try { await this.alerts.handOver(hostId); } catch { /* stored on a later tick; the next owner reads what is there */ }
  }

  /** After the lease is released (or kept after all). */
  handedOver(hostId: number): void { this.releasing.delete(hostId); }

  start(): void {
    this.timer = setInterval(() => void this.step(), SCAN_MS);
    this.timer.unref();
  }

  private async step(): Promise<void> {
    // Redis away: commands wait in the client's queue; one reading at a time.
    if (this.stepping) return;
    this.stepping = true;
    try {
      if (!this.leader.holds(0) && !(await this.leader.acquire(0))) { this.scanned = false; return; }
      const ids = [...this.fleet.hosts.keys()];
      const owners = ids.length ? await this.redis.mget(ids.map((id) => this.leasePrefix + id)) : [];
      const elsewhere = new Set<number>();
      ids.forEach((id, i) => { const o = owners[i]; if (o && o !== this.hubId) elsewhere.add(id); });
      this.elsewhere = elsewhere;
      this.scanned = true;
    } catch (err: any) {
      this.log.warn({ err: err?.message }, 'alerts: could not read the host leases');
    } finally { this.stepping = false; }
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.leader.close();
  }
}
