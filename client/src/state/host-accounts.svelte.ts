/**
 * The accounts on one host for the server page: the list from `GET /api/accounts`, each
 * followed live on `account:<id>` (the first `MAX_FOLLOWED`; more are listed without live figures).
 */
import type { AccountDto } from '../../../protocol/api.types.js';
import { api, ApiRequestError } from '../lib/api.js';
import { AccountCardState } from './account.svelte.js';

export const MAX_FOLLOWED = 100;

export class HostAccountsState {
  accounts = $state.raw<AccountDto[]>([]);
  cards = $state.raw<AccountCardState[]>([]);
  loaded = $state(false);
  error = $state<string | null>(null);

  async load(hostId: number): Promise<void> {
    try {
      this.accounts = (await api.accounts()).filter((a) => a.hostId === hostId);
      this.cards = this.accounts.slice(0, MAX_FOLLOWED).map((a) => new AccountCardState(a.id));
      this.loaded = true;
    } catch (e) {
      this.error = e instanceof ApiRequestError ? e.message : 'Could not load the accounts.';
    }
  }
}
