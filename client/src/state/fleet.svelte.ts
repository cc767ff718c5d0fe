/**
 * The fleet overview's live state: every host's summary, from the `fleet` topic. Deltas are
 * coalesced (applied together a few times a second), so 500 hosts reporting every second
 * cost a few renders a second, not one per delta.
 */
import type { FleetDelta, HostSummary } from '../../../protocol/live.schema.js';
import { after, coalescer, type Schedule } from '../lib/coalesce.js';
import { applyFleetDelta, fleetFromSnapshot, sortHosts, type HostMap } from '../lib/fleet-merge.js';
import type { LiveClient } from '../lib/live.js';

/** How long deltas are gathered before they are applied together, ms. */
export const FLEET_COALESCE_MS = 200;

export class FleetState {
  #byId: HostMap = new Map();
  /** Hosts by name; a new array on every change, unchanged hosts keep identity. */
  hosts = $state.raw<HostSummary[]>([]);
  /** The first snapshot has arrived. */
  loaded = $state(false);
  /** Why the hub refused the subscription, if it did. */
  error = $state<string | null>(null);

  readonly onlineCount = $derived(this.hosts.reduce((n, h) => n + (h.online ? 1 : 0), 0));

  readonly #deltas;

  constructor(schedule: Schedule = after(FLEET_COALESCE_MS)) {
    this.#deltas = coalescer<FleetDelta>((ds) => {
      let map = this.#byId;
      for (const d of ds) map = applyFleetDelta(map, d);
      this.#byId = map;
      this.hosts = sortHosts(map);
    }, schedule);
  }

  /** Subscribes to `fleet`; returns the unsubscribe (use as an `$effect` teardown). */
  follow(live: LiveClient): () => void {
    const stop = live.subscribe('fleet', {
      snapshot: (s) => {
        this.#deltas.cancel(); // the snapshot supersedes what was queued
        this.#byId = fleetFromSnapshot(s);
        this.hosts = sortHosts(this.#byId);
        this.loaded = true;
        this.error = null;
      },
      delta: (d) => {
        if (!this.loaded) return; // a snapshot always comes first; a stray delta cannot stand alone
        this.#deltas.push(d);
      },
      error: (e) => {
        this.error = e.message;
      },
    });
    return () => {
      this.#deltas.cancel();
      stop();
    };
  }
}
