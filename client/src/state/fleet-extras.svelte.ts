/**
 * What the fleet overview adds to the live hosts from the REST API, loaded once the first live
 * snapshot is on the page (so these reads do not hold up the live figures): plan allocations per disk (`GET /api/capacity`), the plans, and the accounts (for
 * revenue per host). Free space after allocations is then computed from the live disks.
 */
import type { PlanDto } from '../../../protocol/api.types.js';
import { api, ApiRequestError } from '../lib/api.js';
import { allocationsFrom, revenueByHost, type Allocations } from '../lib/fleet-view.js';

export class FleetExtrasState {
  allocations = $state.raw<Allocations>(new Map());
  plans = $state.raw<PlanDto[]>([]);
  revenue = $state.raw<ReadonlyMap<number, number> | null>(null);
  error = $state<string | null>(null);
  /** The allocations came (until then the room after plans is unknown). */
  loaded = $state(false);

  async load(): Promise<void> {
    try {
      const [capacity, plans, accounts] = await Promise.all([api.capacity(), api.plans(), api.accounts()]);
      this.allocations = allocationsFrom(capacity);
      this.plans = plans;
      this.revenue = revenueByHost(accounts, plans);
      this.loaded = true;
    } catch (e) {
      this.error = e instanceof ApiRequestError ? e.message : 'Could not load plans and capacity.';
    }
  }
}
