/**
 * Turns the hub's in-memory state into observations for the alert engine. Called as data
 * arrives (a host's new samples; an account's usage or a host's services) and once a second for
 * every host (offline, durations). Nothing here touches the database: a false condition with no
 * open alert costs a comparison and a map lookup, so 5,000 hosts a second do not notice it.
 */
import type { AlertKind } from '../../protocol/index.js';
import type { HostRuntime, FleetState } from '../ingest/fleet.state.js';
import type { IngestService } from '../ingest/ingest.service.js';
import type { AlertChange, AlertEngine } from './alert.engine.js';
import { SEVERITY, type AlertRules } from './alert.rules.js';

/** What evaluation needs of an account: its id, owner and plan quota (kept in memory). */
export interface AccountInfo { id: number; ownerId: number; planName: string | null; quotaBytes: number | null }

const fmt = (v: number, digits = 0) => (Math.round(v * 10 ** digits) / 10 ** digits).toString();

export class AlertEvaluator {
  constructor(
    private engine: AlertEngine, private rules: AlertRules, private fleet: FleetState, private ingest: IngestService,
    /** The account (host, unix name), if known; a miss may be looked up in the background by the caller. */
    private account: (hostId: number, name: string) => AccountInfo | undefined,
    private emit: (c: AlertChange) => void,
    /** host_offline is not judged before this time (agents reconnect after a hub restart), Unix ms. */
    private offlineJudgedFrom: number,
  ) {}

  private check(kind: AlertKind, rt: HostRuntime, subject: string, accountId: number | null, active: boolean, value: number | null, threshold: number | null, message: () => string, now: number): void {
    if (!active && !this.engine.isOpen(kind, rt.id, subject)) return;
    const rule = this.rules.ruleFor(kind, rt.id);
    const c = this.engine.observe({
      kind, hostId: rt.id, hostName: rt.name, subject, accountId, active: active && rule.enabled, value, threshold,
      message: message(), severity: SEVERITY[kind], forMs: rule.forSeconds * 1000,
    }, now);
    if (c) this.emit(c);
  }

  /** Host-wide rules: offline, load, CPU, disks. */
  host(rt: HostRuntime, now: number): void {
    if (now >= this.offlineJudgedFrom && rt.lastSeenAt !== null) {
      const offline = !this.fleet.online(rt);
      const age = Math.max(0, Math.round((now - rt.lastSeenAt) / 1000));
      this.check('host_offline', rt, '', null, offline, age, null, () => `${rt.name}: offline, no data for ${age} s`, now);
      if (offline) return; // its last figures are stale: hold the other alerts as they are
    }
    const p = rt.latest;
    if (!p) return;
    const load = this.rules.ruleFor('load_high', rt.id);
    if (rt.cpus) {
      const perCpu = p.load1 / rt.cpus, t = load.threshold ?? Infinity;
      this.check('load_high', rt, '', null, perCpu > t, perCpu, load.threshold,
        () => `${rt.name}: load ${fmt(p.load1, 2)} on ${rt.cpus} CPUs, ${fmt(perCpu, 2)} per CPU (threshold ${t})`, now);
    }
    const cpu = this.rules.ruleFor('cpu_high', rt.id), ct = cpu.threshold ?? Infinity;
    this.check('cpu_high', rt, '', null, p.cpuPct > ct, p.cpuPct, cpu.threshold, () => `${rt.name}: CPU ${fmt(p.cpuPct)} % (threshold ${ct} %)`, now);
    const disk = this.rules.ruleFor('disk_full', rt.id), dt = disk.threshold ?? Infinity;
    let anyOpen = false;
    for (const d of rt.disks) {
      if (d.sizeBytes <= 0) continue;
      const pct = (d.usedBytes / d.sizeBytes) * 100;
      this.check('disk_full', rt, d.mount, null, pct > dt, pct, disk.threshold, () => `${rt.name}: ${d.mount} ${fmt(pct)} % used (threshold ${dt} %)`, now);
      anyOpen ||= this.engine.isOpen('disk_full', rt.id, d.mount);
    }
    // A disk that is no longer reported (unmounted) cannot stay full.
    if (anyOpen || rt.disks.length === 0) for (const c of this.engine.resolveMissing(rt.id, 'disk_full', new Set(rt.disks.map((d) => d.mount)), now)) this.emit(c);
  }

  /** Account rules after a usage or services update of a host: quota of the named accounts, every service of the host. */
  usage(hostId: number, names: string[], now: number): void {
    const rt = this.fleet.hosts.get(hostId);
    if (!rt) return;
    const quota = this.rules.ruleFor('quota_over', hostId), qt = quota.threshold ?? Infinity;
    const usage = this.ingest.usage.get(hostId);
    for (const name of names) {
      const u = usage?.get(name), a = this.account(hostId, name);
      if (!u || !a || !a.quotaBytes) continue;
      const pct = (u.usedBytes / a.quotaBytes) * 100;
      this.check('quota_over', rt, name, a.id, pct > qt, pct, quota.threshold,
        () => `${rt.name}: account ${name} uses ${fmt(pct)} % of plan ${a.planName ?? '?'} (threshold ${qt} %)`, now);
    }
    for (const s of this.ingest.services.get(hostId)?.values() ?? []) {
      const accountId = s.account ? this.account(hostId, s.account)?.id ?? null : null;
      this.check('service_down', rt, s.name, accountId, s.status === 'down', null, null,
        () => `${rt.name}: service ${s.name} down${s.reason ? `: ${s.reason}` : ''}`, now);
    }
  }
}
