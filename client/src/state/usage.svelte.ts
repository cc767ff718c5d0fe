/** The usage page: one keyset page of `GET /api/usage` for the current search. */
import type { UsagePageDto } from '../../../protocol/api.types.js';
import { api, ApiRequestError } from '../lib/api.js';
import { PageCursors, usageCsvHref, usageQueryString, type UsageQuery } from '../lib/usage.js';

export const USAGE_PAGE_SIZE = 50;

export class UsageState {
  page = $state.raw<UsagePageDto | null>(null);
  search = $state('');
  loading = $state(false);
  error = $state<string | null>(null);
  /** 1-based page number and whether there is a previous page. */
  pageNo = $state(1);
  hasPrevious = $state(false);
  readonly #cursors = new PageCursors();
  #asked = 0;

  query(): UsageQuery {
    return { search: this.search, after: this.#cursors.current, limit: USAGE_PAGE_SIZE };
  }

  get csvHref(): string {
    return usageCsvHref(this.query());
  }

  /** A new search starts at the first page. */
  async find(search: string): Promise<void> {
    this.search = search;
    this.#cursors.reset();
    await this.#load();
  }

  async next(): Promise<void> {
    if (!this.page?.next) return;
    this.#cursors.next(this.page.next);
    await this.#load();
  }

  async previous(): Promise<void> {
    this.#cursors.previous();
    await this.#load();
  }

  async #load(): Promise<void> {
    const ask = ++this.#asked;
    this.loading = true;
    this.error = null;
    this.pageNo = this.#cursors.page;
    this.hasPrevious = this.#cursors.hasPrevious;
    try {
      const page = await api.usage(usageQueryString(this.query()));
      if (ask === this.#asked) this.page = page;
    } catch (e) {
      if (ask === this.#asked) this.error = e instanceof ApiRequestError ? e.message : 'Could not load the usage.';
    } finally {
      if (ask === this.#asked) this.loading = false;
    }
  }
}
