/**
 * The `quota` stream: every `intervalMs`, the accounts collector's figures of
 * every account go out as a full snapshot (the hub keeps the latest per
 * account), cut into messages small enough for the hub's message limit, each
 * with its own seq. A collection still running when the next is due makes
 * that one skip, never queue.
 */
import type { AccountQuota, QuotaMessage } from '../protocol/index.js';
import { MAX_MESSAGE_BYTES } from '../protocol/index.js';
import type { Sequence } from './sequence.js';

/** What the agent needs of the accounts collector (agent/accounts/collector.ts). */
export interface AccountsSource {
  /** Current figures, one entry per account. */
  collect(): Promise<AccountQuota[]>;
  /** Measure one account now within `budgetMs`; rejects for a name that is not an account. */
  refresh(account: string, budgetMs: number): Promise<{ quota: AccountQuota; stale: boolean }>;
  start(): void;
  stop(): Promise<void> | void;
}

/** Largest `quota` message the agent sends, bytes of JSON; headroom for framing. */
export const MAX_QUOTA_BYTES = MAX_MESSAGE_BYTES / 2;
/** Most accounts in one message (the schema's bound). */
const MAX_QUOTA_ACCOUNTS = 100_000;

/** Cut `accounts` into consecutive runs of at most `maxBytes` of JSON each (an entry is never split). */
export function splitAccounts(accounts: readonly AccountQuota[], maxBytes = MAX_QUOTA_BYTES): AccountQuota[][] {
  const out: AccountQuota[][] = [];
  let cur: AccountQuota[] = [];
  // The envelope: {"seq":…,"t":…,"accounts":[…]}.
  const envelope = 64;
  let bytes = envelope;
  for (const a of accounts) {
    const size = Buffer.byteLength(JSON.stringify(a)) + 1;
    if (cur.length > 0 && (bytes + size > maxBytes || cur.length >= MAX_QUOTA_ACCOUNTS)) {
      out.push(cur);
      cur = [];
      bytes = envelope;
    }
    cur.push(a);
    bytes += size;
  }
  if (cur.length > 0) out.push(cur);
  return out;
}

export interface QuotaReporterOptions {
  source: AccountsSource;
  /** Numbers of the `quota` stream (shared with the connection). */
  sequence: Sequence;
  /** Hands a numbered message to the connection (and its spool). */
  send: (m: QuotaMessage) => void;
  /** Time between snapshots, ms. */
  intervalMs: number;
  /** Told when a collection fails (the next one is tried at its time). */
  onError?: (e: Error) => void;
  /** Wall clock, Unix ms. Default Date.now. */
  now?: () => number;
}

export class QuotaReporter {
  readonly #o: QuotaReporterOptions;
  readonly #now: () => number;
  readonly #latest = new Map<string, AccountQuota>();
  #timer: NodeJS.Timeout | null = null;
  #running: Promise<number> | null = null;

  constructor(opts: QuotaReporterOptions) {
    this.#o = opts;
    this.#now = opts.now ?? Date.now;
  }

  /** Report now, then every intervalMs. */
  start(): void {
    if (this.#timer) return;
    this.#timer = setInterval(() => void this.report(), this.#o.intervalMs);
    void this.report();
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
  }

  /** The last figures of `account` collected or refreshed, if any. */
  latest(account: string): AccountQuota | undefined {
    return this.#latest.get(account);
  }

  /** Keep a figure measured outside the schedule (a refresh) as the latest. */
  remember(q: AccountQuota): void {
    this.#latest.set(q.account, q);
  }

  /** Collect and send one snapshot; resolves with the number of messages sent (0 if one was already running). */
  report(): Promise<number> {
    if (this.#running) return Promise.resolve(0);
    this.#running = (async () => {
      try {
        const accounts = await this.#o.source.collect();
        for (const a of accounts) this.#latest.set(a.account, a);
        const t = Math.round(this.#now());
        const parts = splitAccounts(accounts);
        for (const part of parts) this.#o.send({ seq: this.#o.sequence.next(), t, accounts: part });
        return parts.length;
      } catch (e) {
        this.#o.onError?.(e as Error);
        return 0;
      }
    })().finally(() => { this.#running = null; });
    return this.#running;
  }
}
