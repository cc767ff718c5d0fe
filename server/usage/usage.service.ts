/**
 * The usage table across the fleet (`GET /api/usage`): keyset pages of accounts with their
 * bytes per host and owner, the totals, and a CSV export that streams every matching row in
 * keyset batches (memory stays flat whatever the fleet size).
 *
 * An account is a unix login; the same login on several hosts is one account. Every login an
 * agent reports counts, registered or not. The owner is the user of the registered account
 * (host, login), the earliest registered one where the login is registered on several hosts
 * to different users; null where no host has it registered. A customer sees only the
 * (host, login) pairs registered to them: their rows, hosts and totals leave out everything else.
 */
import type { UsageHostTotalDto, UsagePageDto, UsageRowDto } from '../../protocol/index.js';
import type { Dialect, Orm } from '../db/orm.js';
import type { FleetState } from '../ingest/fleet.state.js';
import { csvLine } from './usage.csv.js';
import { encodeCursor, type UsageKey, type UsageSort } from './usage.cursor.js';
import { UsageRepository, type AccountTotal, type HostBytes, type HostTotal, type PageAccount, type UsageQuery } from './usage.repository.js';

/** Who asks: an admin sees everything; a customer only what is registered to them. */
export interface UsageViewer { userId: number; admin: boolean }
export interface UsageFilter { sort: UsageSort; after: UsageKey | null; limit: number; prefix?: string; hostId?: number }

/** Longest the fleet's totals are served from memory, ms (they change with each commit, once a second). */
export const FLEET_TOTALS_MAX_AGE_MS = 1000;
/** Kept totals this old (ms) are read again in the background when asked, so a steady stream of requests never waits for the database. */
export const FLEET_TOTALS_REFRESH_MS = 750;

/** Accounts per batch of the CSV export. */
const CSV_BATCH = 2000;

export class UsageService {
  readonly repo: UsageRepository;

  /** The fleet's totals as last read, with the ingest write version and time they were read at. */
  private fleetCache: { version: number; at: number; totals: Promise<{ bytes: number; accounts: number; perHost: HostTotal[] }> } | null = null;
  /** A background read of the fleet's totals is under way. */
  private refreshing = false;

  /**
   * `usageVersion`: counts this hub's writes that may change the totals (IngestService.usageVersion);
   * the fleet's totals are read again after each, and at least every FLEET_TOTALS_MAX_AGE_MS (other hubs write too).
   * `now`: the clock (ms), for tests.
   */
  constructor(orm: Orm, dialect: Dialect, private fleet: FleetState, private usageVersion: () => number = () => NaN, private now: () => number = Date.now) {
    this.repo = new UsageRepository(orm, dialect);
  }

  private fleetTotals() {
    const now = this.now(), version = this.usageVersion();
    const c = this.fleetCache;
    if (c && c.version === version && now - c.at < FLEET_TOTALS_MAX_AGE_MS) {
      if (now - c.at >= FLEET_TOTALS_REFRESH_MS && !this.refreshing) {
        // Read again ahead of the expiry; these totals answer meanwhile. The new ones count from when the read began.
        this.refreshing = true;
        const totals = this.repo.fleetTotals();
        totals.then(() => { if (this.fleetCache === c) this.fleetCache = { version, at: now, totals }; }, () => {})
          .finally(() => { this.refreshing = false; });
      }
      return c.totals;
    }
    const totals = this.repo.fleetTotals();
    this.fleetCache = { version, at: now, totals };
    totals.catch(() => { if (this.fleetCache?.totals === totals) this.fleetCache = null; });
    return totals;
  }

  private hostName(id: number): string { return this.fleet.hosts.get(id)?.name ?? `host:${id}`; }

  private query(v: UsageViewer, f: UsageFilter, limit: number, after = f.after): UsageQuery {
    return { sort: f.sort, after, limit, prefix: f.prefix, hostId: f.hostId, ownerId: v.admin ? undefined : v.userId };
  }

  private keyOf(sort: UsageSort, r: AccountTotal): UsageKey {
    return sort === 'account' ? { sort, account: r.account } : { sort, totalBytes: r.totalBytes, account: r.account };
  }

  /** The row of one account: its owner is the owner of its earliest registered (host, login); hosts by name. */
  private row(r: PageAccount): UsageRowDto {
    let owner: HostBytes | null = null;
    for (const h of r.hosts) if (h.accountId !== null && (owner === null || h.accountId < owner.accountId!)) owner = h;
    const hosts = r.hosts.map((h) => ({ hostId: h.hostId, hostName: this.hostName(h.hostId), bytes: h.bytes }));
    if (hosts.length > 1) hosts.sort((a, b) => (a.hostName < b.hostName ? -1 : a.hostName > b.hostName ? 1 : a.hostId - b.hostId));
    return { account: r.account, ownerId: owner?.ownerId ?? null, ownerName: owner?.ownerName ?? null, hosts, totalBytes: r.totalBytes };
  }

  private perHost(list: HostTotal[]): UsageHostTotalDto[] {
    return list.map((h) => ({ hostId: h.hostId, hostName: this.hostName(h.hostId), bytes: h.bytes, accounts: h.accounts }))
      .sort((a, b) => (a.hostName < b.hostName ? -1 : a.hostName > b.hostName ? 1 : a.hostId - b.hostId));
  }

  /** Fleet totals for an admin; the viewer's own for a customer. */
  async totals(v: UsageViewer): Promise<UsagePageDto['totals']> {
    const t = v.admin ? await this.fleetTotals() : await this.repo.ownerTotals(v.userId);
    return { bytes: t.bytes, accounts: t.accounts, perHost: this.perHost(t.perHost) };
  }

  async page(v: UsageViewer, f: UsageFilter): Promise<UsagePageDto> {
    // `limit=0`: the totals alone, from the kept totals (no scan of the accounts).
    if (f.limit === 0) return { rows: [], totals: await this.totals(v), next: null };
    const [found, totals] = await Promise.all([this.repo.pageWithHosts(this.query(v, f, f.limit + 1)), this.totals(v)]);
    const more = found.length > f.limit;
    const page = more ? found.slice(0, f.limit) : found;
    return { rows: page.map((r) => this.row(r)), totals, next: more ? encodeCursor(this.keyOf(f.sort, page[page.length - 1])) : null };
  }

  /**
   * Every matching row as CSV: account, owner, total_bytes, then one column of bytes per host
   * (by host name; empty where the account has nothing there). Batches are read one at a time,
   * as the response drains. Hosts added during the export have no column (their bytes are in the total).
   */
  async *csv(v: UsageViewer, f: UsageFilter): AsyncGenerator<string> {
    const hosts = v.admin
      ? [...this.fleet.hosts.values()].map((h) => ({ hostId: h.id, hostName: h.name }))
          .sort((a, b) => (a.hostName < b.hostName ? -1 : a.hostName > b.hostName ? 1 : a.hostId - b.hostId))
      : (await this.totals(v)).perHost;
    const column = new Map(hosts.map((h, i) => [h.hostId, i]));
    yield csvLine(['account', 'owner', 'total_bytes', ...hosts.map((h) => h.hostName)]);
    let after = f.after;
    for (;;) {
      const page = await this.repo.pageWithHosts(this.query(v, f, CSV_BATCH, after));
      if (!page.length) return;
      let out = '';
      for (const r of page.map((a) => this.row(a))) {
        const cells: (number | null)[] = hosts.map(() => null);
        for (const h of r.hosts) { const c = column.get(h.hostId); if (c !== undefined) cells[c] = h.bytes; }
        out += csvLine([r.account, r.ownerName, r.totalBytes, ...cells]);
      }
      yield out;
      if (page.length < CSV_BATCH) return;
      after = this.keyOf(f.sort, page[page.length - 1]);
    }
  }
}
