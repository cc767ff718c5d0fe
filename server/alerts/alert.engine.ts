/**
 * The alert state machine, pure (no I/O, time passed in). One alert per
 * (kind, host, subject) at a time:
 * - a condition that turns true opens an alert `pending` (or `firing` at once when its rule's
 *   duration is 0); it becomes `firing` once the condition has held for the duration;
 * - a condition that turns false resolves the alert: `resolved` with resolvedAt. A pending alert
 *   that clears before firing is resolved too (firingAt stays null) and sends no webhook;
 * - a condition that turns true again after that opens a new episode with a new id.
 * Every change is returned as an AlertChange, so the caller persists, pushes and notifies.
 * Resolved alerts stay in memory for RECENT_MS (the live snapshot shows them), then are dropped.
 * With several hubs, alerts evaluated by another hub are taken in with `merge` (the further
 * state wins), so every hub holds the whole fleet's alerts.
 */
import type { AlertDto, AlertKind, AlertState } from '../../protocol/index.js';

/** Resolved alerts kept in memory for the live snapshot, ms. */
export const RECENT_MS = 3600_000;

export interface Observation {
  kind: AlertKind;
  hostId: number;
  hostName: string;
  subject: string;
  accountId: number | null;
  /** Whether the condition holds now. */
  active: boolean;
  value: number | null;
  threshold: number | null;
  message: string;
  severity: 'warning' | 'critical';
  /** How long the condition must hold before firing, ms. */
  forMs: number;
}

/** A state change (`ack` when only the acknowledgement changed). `from` is null for a new alert. */
export interface AlertChange { alert: AlertDto; from: AlertState | null; to: AlertState | 'ack' }

interface Live { dto: AlertDto; forMs: number }

/** How far an episode has gone: a state never goes back. */
const RANK: Record<AlertState, number> = { pending: 0, firing: 1, resolved: 2 };

export const alertKey = (kind: AlertKind, hostId: number, subject: string) => `${kind}\u0000${hostId}\u0000${subject}`;

export class AlertEngine {
  /** Pending and firing alerts by key. */
  private open = new Map<string, Live>();
  /** Open alert keys per host (to resolve what a host no longer reports, e.g. an unmounted disk). */
  private byHost = new Map<number, Set<string>>();
  /** Resolved alerts of the last RECENT_MS by id. */
  private recent = new Map<number, AlertDto>();

  /** `nextId` returns null while no id is at hand: the alert then opens on a later observation. */
  constructor(private nextId: () => number | null) {}

  /** Put back alerts read from storage (pending and firing stay open; resolved ones are recent). */
  restore(alerts: AlertDto[], forMsOf: (a: AlertDto) => number): void {
    for (const a of alerts) {
      if (a.state === 'resolved') { this.recent.set(a.id, a); continue; }
      const key = alertKey(a.kind, a.hostId, a.subject);
      this.open.set(key, { dto: a, forMs: forMsOf(a) });
      this.index(a.hostId, key);
    }
  }

  private index(hostId: number, key: string): void {
    let s = this.byHost.get(hostId);
    if (!s) this.byHost.set(hostId, (s = new Set()));
    s.add(key);
  }
  private unindex(hostId: number, key: string): void {
    const s = this.byHost.get(hostId);
    if (s) { s.delete(key); if (!s.size) this.byHost.delete(hostId); }
  }

  /** Whether (kind, host, subject) has a pending or firing alert: evaluation skips a false condition that has none. */
  isOpen(kind: AlertKind, hostId: number, subject: string): boolean { return this.open.has(alertKey(kind, hostId, subject)); }

  /** Feed one observation; returns the change it caused, if any. Cheap when nothing is open and the condition is false. */
  observe(o: Observation, now: number): AlertChange | null {
    const key = alertKey(o.kind, o.hostId, o.subject);
    const cur = this.open.get(key);
    if (!o.active) return cur ? this.resolve(key, cur, now) : null;
    if (!cur) {
      const id = this.nextId();
      if (id === null) return null;
      const firing = o.forMs <= 0;
      const dto: AlertDto = {
        id, kind: o.kind, state: firing ? 'firing' : 'pending', severity: o.severity, hostId: o.hostId, hostName: o.hostName,
        accountId: o.accountId, subject: o.subject, message: o.message, value: o.value, threshold: o.threshold,
        startedAt: now, firingAt: firing ? now : null, resolvedAt: null, ackedAt: null, ackedBy: null,
      };
      this.open.set(key, { dto, forMs: o.forMs });
      this.index(o.hostId, key);
      return { alert: dto, from: null, to: dto.state };
    }
    // Still true: keep the latest figures (not a change by itself) and the rule's current duration.
    cur.dto.value = o.value; cur.dto.threshold = o.threshold; cur.dto.message = o.message; cur.dto.hostName = o.hostName;
    cur.forMs = o.forMs;
    return this.promote(cur, now);
  }

  private promote(cur: Live, now: number): AlertChange | null {
    if (cur.dto.state !== 'pending' || now - cur.dto.startedAt < cur.forMs) return null;
    cur.dto.state = 'firing';
    cur.dto.firingAt = now;
    return { alert: cur.dto, from: 'pending', to: 'firing' };
  }

  private resolve(key: string, cur: Live, now: number): AlertChange {
    this.open.delete(key);
    this.unindex(cur.dto.hostId, key);
    const from = cur.dto.state;
    cur.dto.state = 'resolved';
    cur.dto.resolvedAt = now;
    this.recent.set(cur.dto.id, cur.dto);
    return { alert: cur.dto, from, to: 'resolved' };
  }

  /** Pending alerts (of the hosts `evaluated` says) whose condition has held long enough fire; old resolved alerts are forgotten. */
  tick(now: number, evaluated: (hostId: number) => boolean = () => true): AlertChange[] {
    const out: AlertChange[] = [];
    for (const cur of this.open.values()) { if (!evaluated(cur.dto.hostId)) continue; const c = this.promote(cur, now); if (c) out.push(c); }
    for (const [id, a] of this.recent) if (now - (a.resolvedAt ?? now) > RECENT_MS) this.recent.delete(id);
    return out;
  }

  /** Resolve a host's open alerts of `kind` whose subject is not in `keep` (e.g. disks no longer reported). */
  resolveMissing(hostId: number, kind: AlertKind, keep: Set<string>, now: number): AlertChange[] {
    const out: AlertChange[] = [];
    for (const key of [...(this.byHost.get(hostId) ?? [])]) {
      const cur = this.open.get(key)!;
      if (cur.dto.kind === kind && !keep.has(cur.dto.subject)) out.push(this.resolve(key, cur, now));
    }
    return out;
  }

  /** Resolve every open alert of a host (it was deleted). */
  resolveHost(hostId: number, now: number): AlertChange[] {
    const out: AlertChange[] = [];
    for (const key of [...(this.byHost.get(hostId) ?? [])]) out.push(this.resolve(key, this.open.get(key)!, now));
    return out;
  }

  /**
   * Take in an alert as another hub or the database knows it. A known episode moves on to the further
   * state (pending < firing < resolved) and keeps an acknowledgement once given; an unknown one is
   * added. Two open episodes of one (kind, host, subject) cannot both stay: the earlier one is kept and
   * the other resolved. Returns the alerts that changed here (none when this one was known as it is).
   */
  merge(a: AlertDto, forMs: number, now: number): AlertDto[] {
    const key = alertKey(a.kind, a.hostId, a.subject);
    const cur = this.get(a.id);
    if (cur) {
      let changed = false;
      if (RANK[a.state] > RANK[cur.state]) {
        const live = this.open.get(key);
        if (a.state === 'resolved' && live?.dto === cur) { this.open.delete(key); this.unindex(cur.hostId, key); this.recent.set(cur.id, cur); }
        Object.assign(cur, { state: a.state, firingAt: a.firingAt, resolvedAt: a.resolvedAt, value: a.value, threshold: a.threshold, message: a.message });
        changed = true;
      }
      if (cur.ackedAt === null && a.ackedAt !== null) { cur.ackedAt = a.ackedAt; cur.ackedBy = a.ackedBy; changed = true; }
      return changed ? [cur] : [];
    }
    const dto = { ...a };
    if (dto.state === 'resolved') { this.recent.set(dto.id, dto); return [dto]; }
    const other = this.open.get(key);
    if (other) {
      const keepOther = other.dto.startedAt < dto.startedAt || (other.dto.startedAt === dto.startedAt && other.dto.id < dto.id);
      if (keepOther) { dto.state = 'resolved'; dto.resolvedAt = now; this.recent.set(dto.id, dto); return [dto]; }
      return [this.resolve(key, other, now).alert, ...this.merge(dto, forMs, now)];
    }
    this.open.set(key, { dto, forMs });
    this.index(dto.hostId, key);
    return [dto];
  }

  /** The pending and firing alerts of a host. */
  openOf(hostId: number): AlertDto[] { return [...(this.byHost.get(hostId) ?? [])].map((k) => this.open.get(k)!.dto); }

  /** Acknowledge an alert held in memory; null if it is not (unknown or long resolved). A second ack keeps the first. */
  ack(id: number, by: string, now: number): AlertChange | null {
    const a = this.get(id);
    if (!a) return null;
    if (a.ackedAt === null) { a.ackedAt = now; a.ackedBy = by; }
    return { alert: a, from: a.state, to: 'ack' };
  }

  get(id: number): AlertDto | undefined {
    const r = this.recent.get(id);
    if (r) return r;
    for (const cur of this.open.values()) if (cur.dto.id === id) return cur.dto;
    return undefined;
  }

  /** Pending and firing alerts. */
  active(): AlertDto[] { return [...this.open.values()].map((c) => c.dto); }
  /** Resolved alerts of the last RECENT_MS. */
  recentResolved(): AlertDto[] { return [...this.recent.values()]; }
  get firingCount(): number { let n = 0; for (const c of this.open.values()) if (c.dto.state === 'firing') n++; return n; }
}
