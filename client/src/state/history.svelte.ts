/** One host's history for a figure and range, from `GET /api/hosts/:id/series` (asked when the choice changes, not polled). */
import type { SeriesDto } from '../../../protocol/api.types.js';
import { api, ApiRequestError } from '../lib/api.js';
import { HISTORY_RANGES, type HistoryRangeKey } from '../lib/series.js';

export class HistoryState {
  series = $state.raw<SeriesDto | null>(null);
  /** The range asked for, Unix ms. */
  range = $state.raw<{ from: number; to: number } | null>(null);
  loading = $state(false);
  error = $state<string | null>(null);
  #asked = 0;

  constructor(readonly hostId: number) {}

  async load(metric: string, rangeKey: HistoryRangeKey): Promise<void> {
    const ask = ++this.#asked;
    const span = HISTORY_RANGES.find((r) => r.key === rangeKey)?.ms ?? 86_400_000;
    const to = Date.now();
    const from = to - span;
    this.loading = true;
    this.error = null;
    try {
      const s = await api.series(this.hostId, metric, from, to);
      if (ask !== this.#asked) return; // a newer choice is on its way
      this.series = s;
      this.range = { from, to };
    } catch (e) {
      if (ask === this.#asked) this.error = e instanceof ApiRequestError ? e.message : 'Could not load the history.';
    } finally {
      if (ask === this.#asked) this.loading = false;
    }
  }
}
