/** One host's live state: its summary and last 15 min of 1 s points, from `host:<id>`. */
import type { HostSummary, LivePoint } from '../../../protocol/live.schema.js';
import { appendPoints, ringFromSnapshot } from '../lib/fleet-merge.js';
import type { LiveClient } from '../lib/live.js';

export class HostState {
  /** Which host this holds; null before `follow`. */
  id = $state<number | null>(null);
  host = $state.raw<HostSummary | null>(null);
  /** Oldest first, at most 900. */
  points = $state.raw<readonly LivePoint[]>([]);
  loaded = $state(false);
  error = $state<string | null>(null);

  /** Forgets the previous host and subscribes to `host:<id>`; returns the unsubscribe. */
  follow(live: LiveClient, id: number): () => void {
    this.id = id;
    this.host = null;
    this.points = [];
    this.loaded = false;
    this.error = null;
    return live.subscribe(`host:${id}`, {
      snapshot: (s) => {
        this.host = s.host;
        this.points = ringFromSnapshot(s.points);
        this.loaded = true;
        this.error = null;
      },
      delta: (d) => {
        if (!this.loaded) return;
        this.host = d.host;
        this.points = appendPoints(this.points, d.points);
      },
      error: (e) => {
        this.error = e.message;
      },
    });
  }
}
