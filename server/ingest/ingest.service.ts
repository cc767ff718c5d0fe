/**
 * The write side of the hub. Agents' messages are applied to the in-memory
 * fleet state at once (so dashboards see them within the live interval) and
 * accumulated for the database; a flush loop commits everything in one
 * transaction and only then advances each host's durable watermark and acks
 * it. Sequence numbers at or below what was already accepted are ignored, so
 * a resent message is counted once. When the database is unreachable the
 * pending work stays in memory and is retried; acks pause meanwhile.
 */
import type { AccountQuota, QuotaMessage, Sample, ServiceStatus, ServicesMessage, Stream, Watermarks } from '../../protocol/index.js';
import type { Logger } from '../logger.js';
import type { FleetState } from './fleet.state.js';
import { IngestRepository, emptyBatch, type CommitBatch } from './ingest.repository.js';
import { RollupAccumulator, sampleValues, activeTiers } from './rollups.js';
import type { AccountUsage, ServiceState } from '../db/entities.js';
import type { HubMetrics } from '../metrics.js';

export type AckListener = (hostId: number, stream: Stream, seq: number) => void;
export type UsageListener = (hostId: number, accounts: string[]) => void;
export type LatestListener = (hostId: number, quota: AccountQuota[], services: ServiceStatus[], now: number) => void;

/** Host status is persisted at most this often per host, ms (the live view is in memory). */
const STATUS_PERSIST_MS = 2000;

export class IngestService {
  private accepted = new Map<number, Watermarks>();
  private durable = new Map<number, Watermarks>();
  private rollups = new RollupAccumulator();
  private pending: CommitBatch = emptyBatch();
  private dirtyStatus = new Set<number>();
  private statusPersistedAt = new Map<number, number>();
  private dirtyWatermarks = new Set<number>();
  /** When the oldest sample of a host not yet acknowledged was accepted, ms (for the ack lag metric). */
  private pendingSince = new Map<number, number>();
  private flushing: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private ackListeners: AckListener[] = [];
  private usageListeners: UsageListener[] = [];
  private latestListeners: LatestListener[] = [];
  /** Latest usage and service state per host, as stored (for REST and the account topic). */
  readonly usage = new Map<number, Map<string, AccountUsage>>();
  readonly services = new Map<number, Map<string, ServiceState>>();
  /** False while commits fail; /readyz reports it. */
  dbHealthy = true;
  lastCommitError: string | null = null;
  private failures = 0;

  constructor(
    private repo: IngestRepository,
    private fleet: FleetState,
    private log: Logger,
    private metrics: HubMetrics,
    private flushIntervalMs: number,
  ) {}

  onAck(fn: AckListener): void { this.ackListeners.push(fn); }
  onUsage(fn: UsageListener): void { this.usageListeners.push(fn); }
  /** Called with the figures of every usage or services update taken from this hub's agents (several hubs pass them on). */
  onLatest(fn: LatestListener): void { this.latestListeners.push(fn); }

  async load(usage: AccountUsage[], services: ServiceState[]): Promise<void> {
    for (const w of await this.repo.loadWatermarks()) {
      const s = w.stream as Stream;
      for (const m of [this.accepted, this.durable]) {
        const cur = m.get(w.hostId) ?? { samples: 0, quota: 0, services: 0 };
        cur[s] = w.seq;
        m.set(w.hostId, cur);
      }
    }
    for (const u of usage) this.hostMap(this.usage, u.hostId).set(u.account, u);
    for (const s of services) this.hostMap(this.services, s.hostId).set(s.name, s);
  }

  private hostMap<T>(m: Map<number, Map<string, T>>, hostId: number): Map<string, T> {
    let h = m.get(hostId);
    if (!h) m.set(hostId, (h = new Map()));
    return h;
  }

  start(): void {
    const tick = () => {
      this.timer = setTimeout(async () => {
        await this.flush();
        if (this.timer) tick();
      }, this.failures ? Math.min(5000, this.flushIntervalMs * 2 ** this.failures) : this.flushIntervalMs);
    };
    tick();
  }

  async stop(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.flushing) await this.flushing;
    this.markAllStatus();
    await this.flush();
  }

  /** Durable watermarks of a host (what an agent may drop from its spool). */
  watermarks(hostId: number): Watermarks {
    return { ...(this.durable.get(hostId) ?? { samples: 0, quota: 0, services: 0 }) };
  }

  private acceptedOf(hostId: number): Watermarks {
    let w = this.accepted.get(hostId);
    if (!w) this.accepted.set(hostId, (w = { samples: 0, quota: 0, services: 0 }));
    return w;
  }

  /** Apply samples; returns how many were new (the rest were duplicates). */
  ingestSamples(hostId: number, samples: Sample[], now = Date.now()): number {
    const w = this.acceptedOf(hostId);
    this.correctClock(hostId, samples);
    const fresh: Sample[] = [];
    for (const s of samples) {
      if (s.seq <= w.samples) continue;
      w.samples = s.seq;
      fresh.push(s);
      this.rollups.add(hostId, s.t, sampleValues(s));
    }
    this.metrics.samples.inc(fresh.length);
    if (samples.length > fresh.length) this.metrics.duplicates.inc({ stream: 'samples' }, samples.length - fresh.length);
    if (!fresh.length) return 0;
    const disks = this.fleet.applySamples(hostId, fresh, now);
    if (disks) {
      this.pending.disks = this.pending.disks.filter((d) => d.hostId !== hostId);
      for (const d of disks) this.pending.disks.push({ hostId, ...d, updatedAt: now });
      if (!this.pending.diskHosts.includes(hostId)) this.pending.diskHosts.push(hostId);
    }
    this.dirtyStatus.add(hostId);
    this.dirtyWatermarks.add(hostId);
    if (!this.pendingSince.has(hostId)) this.pendingSince.set(hostId, now);
    return fresh.length;
  }

  /**
   * Put a badly set agent clock's sample times onto the hub's clock (clock-skew.ts), and say so in the
   * log when a host's clock turns wrong or right again.
   */
  private correctClock(hostId: number, samples: Sample[]): void {
    const rt = this.fleet.hosts.get(hostId);
    if (!rt || !samples.length) return;
    const c = rt.clock.correction;
    if ((c !== 0) !== rt.clock.reported) {
      rt.clock.reported = c !== 0;
      if (c) this.log.warn({ hostId, skewMs: -c }, `agent clock is off by ${Math.round(-c / 1000)} s; its samples are filed by the hub's clock`);
      else this.log.info({ hostId }, 'agent clock is right again');
    }
    if (c) for (const s of samples) s.t += c;
  }

  ingestQuota(hostId: number, m: QuotaMessage, now = Date.now()): boolean {
    const w = this.acceptedOf(hostId);
    if (m.seq <= w.quota) { this.metrics.duplicates.inc({ stream: 'quota' }); return false; }
    w.quota = m.seq;
    this.dirtyWatermarks.add(hostId);
    this.applyLatest(hostId, m.accounts, [], now);
    return true;
  }

  ingestServices(hostId: number, m: ServicesMessage, now = Date.now()): boolean {
    const w = this.acceptedOf(hostId);
    if (m.seq <= w.services) { this.metrics.duplicates.inc({ stream: 'services' }); return false; }
    w.services = m.seq;
    this.dirtyWatermarks.add(hostId);
    this.applyLatest(hostId, [], m.services, now);
    return true;
  }

  /** Record figures an agent returned to a live refresh (no sequence number: latest state only). */
  applyRefresh(hostId: number, quota: AccountQuota[], services: ServiceStatus[], now = Date.now()): void {
    this.applyLatest(hostId, quota, services, now);
  }

  /** Figures another hub took from its agent: kept in memory and announced here, written by that hub. */
  rememberLatest(hostId: number, quota: AccountQuota[], services: ServiceStatus[], now: number): void {
    this.applyLatest(hostId, quota, services, now, false);
  }

  /** Latest usage and service state: kept in memory, queued for the next commit (`persist`), and announced per account. */
  private applyLatest(hostId: number, quota: AccountQuota[], services: ServiceStatus[], now: number, persist = true): void {
    const um = this.hostMap(this.usage, hostId), sm = this.hostMap(this.services, hostId);
    const accounts = new Set<string>();
    for (const a of quota) {
      const row: AccountUsage = {
        hostId, account: a.account, usedBytes: a.usedBytes, files: a.files ?? null, softLimitBytes: a.softLimitBytes ?? null,
        hardLimitBytes: a.hardLimitBytes ?? null, source: a.source, measuredAt: a.measuredAt, receivedAt: now,
        partial: a.partial ?? false, cpuPct: a.cpuPct ?? null, rssBytes: a.rssBytes ?? null, processes: a.processes ?? null,
      };
      um.set(a.account, row);
      if (persist) this.pending.usage.push(row);
      accounts.add(a.account);
    }
    for (const s of services) {
      const prev = sm.get(s.name);
      const row: ServiceState = {
        hostId, name: s.name, account: s.account ?? null, status: s.status, latencyMs: s.latencyMs ?? null, reason: s.reason ?? null,
        // `since`: when the status last changed.
        checkedAt: s.checkedAt, since: prev && prev.status === s.status ? prev.since : s.checkedAt, receivedAt: now,
      };
      sm.set(s.name, row);
      if (persist) this.pending.services.push(row);
      if (s.account) accounts.add(s.account);
    }
    for (const l of this.usageListeners) l(hostId, [...accounts]);
    if (persist) for (const l of this.latestListeners) l(hostId, quota, services, now);
  }

  /**
   * Several hubs: this hub now writes `hostId` (it took the host's lease). Start from the watermarks
   * the database holds, which the previous writer's last commit set, so nothing is counted twice.
   */
  adopt(hostId: number, stored: Watermarks): void {
    this.rollups.dropHost(hostId);
    this.accepted.set(hostId, { ...stored });
    this.durable.set(hostId, { ...stored });
    this.dirtyWatermarks.delete(hostId); this.pendingSince.delete(hostId);
  }

  /** Several hubs: another hub took `hostId` over; forget what was not committed (its agent resends it there). */
  relinquish(hostId: number): void {
    this.rollups.dropHost(hostId);
    const d = this.durable.get(hostId);
    if (d) this.accepted.set(hostId, { ...d }); else this.accepted.delete(hostId);
    this.dirtyWatermarks.delete(hostId); this.pendingSince.delete(hostId);
  }

  /** Whether everything accepted from a host is committed. */
  settled(hostId: number): boolean { return !this.dirtyWatermarks.has(hostId); }

  forgetHost(hostId: number): void {
    this.rollups.dropHost(hostId);
    this.accepted.delete(hostId); this.durable.delete(hostId);
    this.dirtyStatus.delete(hostId); this.dirtyWatermarks.delete(hostId); this.pendingSince.delete(hostId);
    this.usage.delete(hostId); this.services.delete(hostId);
    const p = this.pending;
    p.disks = p.disks.filter((d) => d.hostId !== hostId);
    p.diskHosts = p.diskHosts.filter((h) => h !== hostId);
    p.usage = p.usage.filter((u) => u.hostId !== hostId);
    p.services = p.services.filter((s) => s.hostId !== hostId);
  }

  /** Rows waiting for the next commit (rollup buckets, latest state, watermarks). */
  get pendingRows(): number {
    const p = this.pending;
    return this.rollups.size + p.disks.length + p.usage.length + p.services.length + this.dirtyStatus.size + this.dirtyWatermarks.size;
  }

  private markAllStatus(): void { for (const id of this.fleet.hosts.keys()) this.dirtyStatus.add(id); this.statusPersistedAt.clear(); }

  /** Commit what is pending; safe to call any time (one commit at a time). */
  flush(): Promise<void> {
    if (this.flushing) return this.flushing;
    this.flushing = this.doFlush().finally(() => { this.flushing = null; });
    return this.flushing;
  }

  private async doFlush(): Promise<void> {
    const now = Date.now();
    const batch = this.pending;
    this.pending = emptyBatch();
    batch.rollups = this.rollups.drain();
    for (const id of this.dirtyStatus) {
      const rt = this.fleet.hosts.get(id);
      if (!rt?.latest || rt.lastSeenAt === null) { this.dirtyStatus.delete(id); continue; }
      if (now - (this.statusPersistedAt.get(id) ?? 0) < STATUS_PERSIST_MS) continue;
      batch.hostStatus.push({ hostId: id, lastSeenAt: rt.lastSeenAt, latest: JSON.stringify(rt.latest) });
    }
    const marks: { hostId: number; w: Watermarks }[] = [];
    for (const id of this.dirtyWatermarks) {
      const w = { ...this.acceptedOf(id) };
      marks.push({ hostId: id, w });
      const d = this.durable.get(id);
      for (const s of ['samples', 'quota', 'services'] as const) if (!d || w[s] > d[s]) batch.watermarks.push({ hostId: id, stream: s, seq: w[s] });
    }
    if (!batch.rollups.length && !batch.hostStatus.length && !batch.disks.length && !batch.diskHosts.length
      && !batch.usage.length && !batch.services.length && !batch.watermarks.length) return;

    const started = performance.now();
    try {
      await this.repo.commit(batch);
    } catch (err: any) {
      // Keep everything for the next attempt; newer pending rows win over the failed ones.
      this.rollups.restore(batch.rollups);
      const p = this.pending;
      p.disks = [...batch.disks.filter((d) => !p.diskHosts.includes(d.hostId)), ...p.disks];
      p.diskHosts = [...new Set([...batch.diskHosts, ...p.diskHosts])];
      p.usage = [...batch.usage, ...p.usage];
      p.services = [...batch.services, ...p.services];
      this.failures++;
      this.metrics.commitFailures.inc();
      if (this.dbHealthy) this.log.error({ err: err?.message ?? String(err) }, 'database commit failed; holding data in memory and retrying');
      this.dbHealthy = false;
      this.lastCommitError = err?.message ?? String(err);
      return;
    }
    this.metrics.commitSeconds.observe((performance.now() - started) / 1000);
    if (batch.usage.length) this.usageVersion++;
    if (!this.dbHealthy) this.log.warn({ after: this.failures }, 'database commits resumed');
    this.dbHealthy = true; this.failures = 0; this.lastCommitError = null;
    for (const h of batch.hostStatus) { this.statusPersistedAt.set(h.hostId, now); this.dirtyStatus.delete(h.hostId); }
    for (const { hostId, w } of marks) {
      if (!this.accepted.has(hostId)) continue; // deleted meanwhile
      const d = this.durable.get(hostId) ?? { samples: 0, quota: 0, services: 0 };
      for (const s of ['samples', 'quota', 'services'] as const) {
        if (w[s] > d[s]) { d[s] = w[s]; for (const l of this.ackListeners) l(hostId, s, w[s]); }
      }
      this.durable.set(hostId, d);
      const a = this.accepted.get(hostId)!;
      const since = this.pendingSince.get(hostId);
      if (since !== undefined && w.samples === d.samples) {
        this.metrics.ackLagSeconds.observe((Date.now() - since) / 1000);
        // Samples accepted after this batch was taken wait from (at most) its start.
        if (a.samples > d.samples) this.pendingSince.set(hostId, now); else this.pendingSince.delete(hostId);
      }
      if (a.samples === d.samples && a.quota === d.quota && a.services === d.services) this.dirtyWatermarks.delete(hostId);
    }
  }

  series(hostId: number, tier: number, metric: string, fromMs: number, toMs: number) { return this.repo.series(hostId, tier, metric, fromMs, toMs); }
  /** Remove a deleted host's data, after a commit in progress (which may still hold its rows) has finished. */
  async deleteHostData(hostId: number): Promise<void> {
    if (this.flushing) await this.flushing;
    try { await this.repo.deleteHostData(hostId); } finally { this.usageVersion++; }
  }

  /** Counts this hub's writes that may change the usage totals (commits with usage, host deletions): a cache key. */
  usageVersion = 0;

  /** Rows per prune statement, and the MySQL day partitions of the finest tier (set by the hub from its config). */
  pruneBatch = 5000;
  partitions: { maintain(nowS: number): Promise<number> } | null = null;

  /**
   * Delete rollups past their tier's retention, and those of tiers no longer configured, in batches of
   * `pruneBatch` rows, pausing between statements so ingest commits interleave; returns rows deleted.
   * With day partitions, whole days of the finest tier are dropped first (no row locks at all).
   */
  async prune(nowMs = Date.now()): Promise<number> {
    let total = 0;
    const nowS = Math.floor(nowMs / 1000);
    if (this.partitions) total += await this.partitions.maintain(nowS);
    const tiers = activeTiers();
    const steps: { label: string; run: () => Promise<number> }[] = tiers.map((t) => ({ label: String(t.widthS), run: () => this.repo.prune(t.widthS, nowS - t.keepS, this.pruneBatch) }));
    steps.push({ label: 'unconfigured', run: () => this.repo.pruneOtherTiers(tiers.map((t) => t.widthS), this.pruneBatch) });
    for (const step of steps) {
      for (let i = 0; i < 10_000; i++) {
        const n = await step.run();
        total += n;
        if (n) this.metrics.pruned.inc({ tier: step.label }, n);
        if (n < this.pruneBatch) break;
        await new Promise((r) => setTimeout(r, 20)); // let ingest commit between batches
      }
    }
    return total;
  }
}
