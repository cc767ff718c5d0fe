/** The fleet overview's live state: every host's summary, from the `fleet` topic. */
import type { HostSummary } from '../../../protocol/live.schema.js';
import { applyFleetDelta, fleetFromSnapshot, sortHosts, type HostMap } from '../lib/fleet-merge.js';
import type { LiveClient } from '../lib/live.js';

export class FleetState {
  #byId: HostMap = new Map();
  /** Hosts in display order; a new array on every change, unchanged hosts keep identity. */
  hosts = $state.raw<HostSummary[]>([]);
  /** The first snapshot has arrived. */
  loaded = $state(false);
  /** Why the hub refused the subscription, if it did. */
  error = $state<string | null>(null);

  readonly onlineCount = $derived(this.hosts.reduce((n, h) => n + (h.online ? 1 : 0), 0));

  /** Subscribes to `fleet`; returns the unsubscribe (use as an `$effect` teardown). */
  follow(live: LiveClient): () => void {
    return live.subscribe('fleet', {
      snapshot: (s) => {
        this.#byId = fleetFromSnapshot(s);
        this.hosts = sortHosts(this.#byId);
        this.loaded = true;
        this.error = null;
      },
      delta: (d) => {
        if (!this.loaded) return; // a snapshot always comes first; a stray delta cannot stand alone
        this.#byId = applyFleetDelta(this.#byId, d);
        this.hosts = sortHosts(this.#byId);
      },
      error: (e) => {
        this.error = e.message;
      },
    });
  }
}
