/** Query strings of the usage page (`GET /api/usage`): search, keyset paging, the CSV download. */

export interface UsageQuery {
  /** Search by account login or owner (sent as `account=`). */
  search: string;
  /** Opaque keyset cursor of the page to show; null for the first. */
  after: string | null;
  limit: number;
}

/** The query string for a page as JSON, or for the whole result as CSV (no cursor, no limit). */
export function usageQueryString(q: UsageQuery, format: 'json' | 'csv' = 'json'): string {
  const p = new URLSearchParams();
  const search = q.search.trim();
  if (search) p.set('account', search);
  if (format === 'json') {
    if (q.after) p.set('after', q.after);
    p.set('limit', String(q.limit));
  }
  p.set('format', format);
  return p.toString();
}

/** The CSV download link for the current search. */
export function usageCsvHref(q: UsageQuery): string {
  return `/api/usage?${usageQueryString(q, 'csv')}`;
}

/** Keyset paging keeps the cursors of the pages seen, so "previous" needs no offset. */
export class PageCursors {
  #stack: (string | null)[] = [null];
  /** Cursor of the page shown. */
  get current(): string | null {
    return this.#stack[this.#stack.length - 1];
  }
  /** 1-based number of the page shown. */
  get page(): number {
    return this.#stack.length;
  }
  get hasPrevious(): boolean {
    return this.#stack.length > 1;
  }
  next(cursor: string): void {
    this.#stack.push(cursor);
  }
  previous(): void {
    if (this.#stack.length > 1) this.#stack.pop();
  }
  reset(): void {
    this.#stack = [null];
  }
}
