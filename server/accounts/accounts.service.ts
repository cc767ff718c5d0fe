/**
 * Customers' accounts ("boxes"): a unix account on a host, on a plan, owned by
 * a user. Keeps an index from (host, unix name) to account so that usage and
 * service updates reach the right `account:<id>` subscribers.
 */
import type { AccountState, HostLoad } from '../../protocol/index.js';
import { AccountSchema, HostSchema, PlanSchema, type Account } from '../db/entities.js';
import type { Knex } from '@mikro-orm/knex';
import type { Dialect, Orm } from '../db/orm.js';
import { scanTable } from '../db/scan.js';
import type { IngestService } from '../ingest/ingest.service.js';
import type { FleetState } from '../ingest/fleet.state.js';

/** How long an account's row, host name and plan are reused for its live card, ms. */
const ROW_TTL_MS = 5000;

export class AccountsService {
  private byKey = new Map<string, number>();
  /** Account ids by host, so a host's new load reaches its accounts' cards. */
  private byHost = new Map<number, Set<number>>();
  private listeners: ((id: number) => void)[] = [];
  private ingest!: IngestService;

  constructor(private orm: Orm, private fleet: FleetState, private dialect: Dialect) {}

  private knex(): Knex { return (this.orm.em as any).getKnex(); }

  /** Account rows with their host's name and plan, read at most every ROW_TTL_MS per account (live deltas come every second). */
  private rows = new Map<number, { at: number; account: Account; hostName: string; plan: AccountState['plan'] }>();

  private em() { return this.orm.em.fork(); }

  private async rowOf(id: number, now: number) {
    const hit = this.rows.get(id);
    if (hit && now - hit.at < ROW_TTL_MS) return hit;
    const em = this.em();
    const account = await em.findOne(AccountSchema, { id });
    if (!account) { this.rows.delete(id); return null; }
    const [host, plan] = await Promise.all([
      em.findOne(HostSchema, { id: account.hostId }),
      account.planId === null ? null : em.findOne(PlanSchema, { id: account.planId }),
    ]);
    if (this.rows.size > 100_000) this.rows.clear();
    const row = { at: now, account, hostName: host?.name ?? '', plan: plan ? { id: plan.id, name: plan.name, quotaBytes: plan.quotaBytes } : null };
    this.rows.set(id, row);
    return row;
  }
  private key(hostId: number, name: string) { return `${hostId}\u0000${name}`; }

  onChange(fn: (id: number) => void): void { this.listeners.push(fn); }

  async load(ingest: IngestService): Promise<void> {
    this.ingest = ingest;
    // Plain rows in batches: a million accounts as ORM entities cost gigabytes (server/db/scan.ts).
    const perHost = new Map<number, number>();
    await scanTable<{ id: unknown; host_id: unknown; name: unknown }>(this.knex(), this.dialect, 'accounts', ['host_id', 'name'], ['id'], (rows) => {
      for (const r of rows) {
        const hostId = Number(r.host_id);
        this.addToIndex(Number(r.id), hostId, String(r.name));
        perHost.set(hostId, (perHost.get(hostId) ?? 0) + 1);
      }
    });
    for (const [hostId, n] of perHost) {
      const rt = this.fleet.hosts.get(hostId);
      if (rt) { rt.accounts += n; this.fleet.upsertHost(rt); }
    }
    // A host's new sample changes its accounts' `hostLoad`.
    this.fleet.onChange((hostId, points) => {
      if (!points?.length) return;
      for (const id of this.byHost.get(hostId) ?? []) for (const l of this.listeners) l(id);
    });
    ingest.onUsage((hostId, names) => {
      for (const n of names) {
        const id = this.byKey.get(this.key(hostId, n));
        if (id !== undefined) for (const l of this.listeners) l(id);
      }
    });
  }

  /** A new account: `local` when created on this hub (several hubs pass it on through `onCreated`). */
  index(a: Pick<Account, 'id' | 'hostId' | 'name'>, local = true): void {
    if (this.byKey.get(this.key(a.hostId, a.name)) === a.id) return;
    this.addToIndex(a.id, a.hostId, a.name);
    const rt = this.fleet.hosts.get(a.hostId);
    if (rt) { rt.accounts++; this.fleet.upsertHost(rt); }
    if (local) for (const l of this.createdListeners) l({ id: a.id, hostId: a.hostId, name: a.name });
  }

  private addToIndex(id: number, hostId: number, name: string): void {
    this.byKey.set(this.key(hostId, name), id);
    let ids = this.byHost.get(hostId);
    if (!ids) this.byHost.set(hostId, (ids = new Set()));
    ids.add(id);
  }

  private createdListeners: ((a: Pick<Account, 'id' | 'hostId' | 'name'>) => void)[] = [];
  /** Called with every account created on this hub. */
  onCreated(fn: (a: Pick<Account, 'id' | 'hostId' | 'name'>) => void): void { this.createdListeners.push(fn); }

  unindexHost(hostId: number): void {
    for (const id of this.byHost.get(hostId) ?? []) this.rows.delete(id);
    for (const [k] of this.byKey) if (k.startsWith(`${hostId}\u0000`)) this.byKey.delete(k);
    this.byHost.delete(hostId);
  }

  /** Named actions the host's connected agent offers for this account. */
  actionsFor(hostId: number, name: string): { name: string; description: string | null }[] {
    const rt = this.fleet.hosts.get(hostId);
    if (!rt || rt.agents === 0) return [];
    return rt.actions.filter((x) => !x.accounts || x.accounts.has(name)).map((x) => ({ name: x.name, description: x.description }));
  }

  /** A host's load for its accounts' cards: with the last 15 min of `load1` (`history`), else only the latest point. */
  hostLoad(hostId: number, history: boolean): HostLoad | null {
    const rt = this.fleet.hosts.get(hostId);
    const last = rt?.ring.last();
    if (!rt || !last) return null;
    const points = (history ? rt.ring.toArray() : [last]).map((p) => ({ t: p.t, load1: p.load1 }));
    return { online: this.fleet.online(rt), cpus: rt.cpus, t: last.t, load1: last.load1, load5: last.load5, load15: last.load15, points };
  }

  /**
   * What an account's dashboard card shows, or null if there is no such account.
   * `loadHistory`: false for a live delta (the host's load carries only its latest point).
   */
  async state(id: number, now = Date.now(), loadHistory = true): Promise<AccountState | null> {
    const row = await this.rowOf(id, now);
    if (!row) return null;
    const { account: a, hostName, plan } = row;
    const u = this.ingest.usage.get(a.hostId)?.get(a.name);
    const services = [...(this.ingest.services.get(a.hostId)?.values() ?? [])].filter((s) => s.account === a.name);
    return {
      id: a.id, name: a.name, hostId: a.hostId, hostName, ownerId: a.ownerId, mount: a.mount, plan,
      quota: u ? {
        usedBytes: u.usedBytes, files: u.files, measuredAt: u.measuredAt, ageMs: Math.max(0, now - u.receivedAt),
        source: u.source, partial: u.partial, cpuPct: u.cpuPct, rssBytes: u.rssBytes, processes: u.processes,
      } : null,
      actions: this.actionsFor(a.hostId, a.name),
      hostLoad: this.hostLoad(a.hostId, loadHistory),
      services: services.map((s) => ({
        name: s.name, status: s.status as 'up' | 'down' | 'unknown', checkedAt: s.checkedAt,
        ...(s.account ? { account: s.account } : {}), ...(s.latencyMs !== null ? { latencyMs: s.latencyMs } : {}), ...(s.reason ? { reason: s.reason } : {}),
      })),
    };
  }
}
