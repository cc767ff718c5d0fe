/**
 * One account's card: its live state from `account:<id>`, the host's load as a ring, and
 * the "refresh now" and named-action requests with their progress and results.
 */
import type { AccountState } from '../../../protocol/live.schema.js';
import { api, ApiRequestError, type ActionResult } from '../lib/api.js';
import { appendPoints } from '../lib/fleet-merge.js';
import type { LiveClient } from '../lib/live.js';

/** One named action's request: confirmation asked, under way, and its answer. */
export interface ActionRun {
  name: string;
  phase: 'confirm' | 'running' | 'done';
  result: ActionResult | null;
  error: string | null;
}

const message = (e: unknown) => (e instanceof ApiRequestError ? e.message : 'Something went wrong. Try again.');

export class AccountCardState {
  readonly id: number;
  state = $state.raw<AccountState | null>(null);
  /** Viewer clock when the state arrived (its `quota.ageMs` was true then). */
  receivedAt = $state<number | null>(null);
  /** The host's `load1`, oldest first, up to 15 min. */
  load = $state.raw<readonly { t: number; load1: number }[]>([]);
  loaded = $state(false);
  /** The hub refused the topic: no such account, or not the viewer's. */
  notFound = $state(false);
  error = $state<string | null>(null);

  refreshing = $state(false);
  /** The last refresh got the cached figure, and why. Cleared by a newer measurement. */
  refreshStale = $state(false);
  refreshReason = $state<string | null>(null);
  refreshError = $state<string | null>(null);
  #staleMeasuredAt = -1;

  action = $state<ActionRun | null>(null);

  constructor(id: number) {
    this.id = id;
  }

  #take(s: AccountState, snapshot: boolean): void {
    this.state = s;
    this.receivedAt = Date.now();
    const pts = s.hostLoad?.points ?? [];
    this.load = snapshot ? appendPoints([], pts) : appendPoints(this.load, pts);
    if (this.refreshStale && s.quota && s.quota.measuredAt > this.#staleMeasuredAt) {
      this.refreshStale = false;
      this.refreshReason = null;
    }
  }

  /** Subscribes to `account:<id>`; returns the unsubscribe. */
  follow(live: LiveClient): () => void {
    return live.subscribe(`account:${this.id}`, {
      snapshot: (s) => {
        this.#take(s.account, true);
        this.loaded = true;
        this.notFound = false;
        this.error = null;
      },
      delta: (d) => {
        if (this.loaded) this.#take(d.account, false);
      },
      error: (e) => {
        if (e.code === 'not_found') this.notFound = true;
        else this.error = e.message;
      },
    });
  }

  /** `POST /api/accounts/:id/refresh`: asks the agent now; falls back to the cached figure. */
  async refresh(): Promise<void> {
    if (this.refreshing) return;
    this.refreshing = true;
    this.refreshError = null;
    try {
      const r = await api.refresh(this.id);
      if (r.state) this.#take(r.state, true);
      this.refreshStale = r.stale;
      this.refreshReason = r.stale ? r.reason : null;
      this.#staleMeasuredAt = r.stale ? r.state?.quota?.measuredAt ?? 0 : -1;
    } catch (e) {
      this.refreshError = message(e);
    } finally {
      this.refreshing = false;
    }
  }

  /** Asks for a confirmation before running an action. */
  askAction(name: string): void {
    if (this.action?.phase === 'running') return;
    this.action = { name, phase: 'confirm', result: null, error: null };
  }

  cancelAction(): void {
    if (this.action?.phase !== 'running') this.action = null;
  }

  /** `POST /api/accounts/:id/actions/:name` after the confirmation. */
  async confirmAction(): Promise<void> {
    const run = this.action;
    if (!run || run.phase !== 'confirm') return;
    this.action = { ...run, phase: 'running' };
    try {
      const result = await api.runAction(this.id, run.name);
      this.action = { ...run, phase: 'done', result };
    } catch (e) {
      this.action = { ...run, phase: 'done', error: message(e) };
    }
  }
}

/** A customer's accounts: the list from `GET /api/accounts`, one card state each. */
export class AccountsState {
  cards = $state.raw<AccountCardState[]>([]);
  loaded = $state(false);
  error = $state<string | null>(null);

  async load(): Promise<void> {
    try {
      const list = await api.accounts();
      this.cards = list.map((a) => new AccountCardState(a.id));
      this.loaded = true;
    } catch (e) {
      this.error = message(e);
    }
  }
}
