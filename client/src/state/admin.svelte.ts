/**
 * The admin forms' data and requests: servers (add, revoke or reissue the agent token),
 * plans, customers and accounts. Each request keeps its own error, so each form shows it.
 */
import type { CapacityDisk, HostDto, PlanDto, UserDto } from '../../../protocol/api.types.js';
import { api, ApiRequestError } from '../lib/api.js';

/** A request's outcome as a form shows it. */
export interface FormResult { ok: boolean; message: string; field?: string }

const failure = (e: unknown): FormResult =>
  e instanceof ApiRequestError ? { ok: false, message: e.message, field: e.field } : { ok: false, message: 'Something went wrong. Try again.' };

export class AdminState {
  hosts = $state.raw<HostDto[]>([]);
  users = $state.raw<UserDto[]>([]);
  plans = $state.raw<PlanDto[]>([]);
  disks = $state.raw<CapacityDisk[]>([]);
  error = $state<string | null>(null);
  /** The token of the server added or reissued last: shown once. */
  issued = $state.raw<{ hostId: number; hostName: string; token: string } | null>(null);

  async load(): Promise<void> {
    try {
      const [hosts, users, plans, disks] = await Promise.all([api.hosts(), api.users(), api.plans(), api.capacity()]);
      this.hosts = hosts;
      this.users = users;
      this.plans = plans;
      this.disks = disks;
      this.error = null;
    } catch (e) {
      this.error = failure(e).message;
    }
  }

  async addHost(name: string, monthlyCostCents: number | undefined): Promise<FormResult> {
    try {
      const r = await api.createHost(monthlyCostCents === undefined ? { name } : { name, monthlyCostCents });
      this.issued = { hostId: r.host.id, hostName: r.host.name, token: r.token };
      this.hosts = [...this.hosts, r.host];
      return { ok: true, message: `Server ${r.host.name} added.` };
    } catch (e) {
      return failure(e);
    }
  }

  async revokeToken(host: HostDto): Promise<FormResult> {
    try {
      await api.revokeToken(host.id);
      this.hosts = this.hosts.map((h) => (h.id === host.id ? { ...h, hasToken: false } : h));
      if (this.issued?.hostId === host.id) this.issued = null;
      return { ok: true, message: `The agent token of ${host.name} is revoked; its agent is disconnected.` };
    } catch (e) {
      return failure(e);
    }
  }

  async reissueToken(host: HostDto): Promise<FormResult> {
    try {
      const r = await api.reissueToken(host.id);
      this.issued = { hostId: host.id, hostName: host.name, token: r.token };
      this.hosts = this.hosts.map((h) => (h.id === host.id ? { ...h, hasToken: true } : h));
      return { ok: true, message: `A new agent token for ${host.name} is shown below.` };
    } catch (e) {
      return failure(e);
    }
  }

  async addPlan(b: { name: string; quotaBytes: number; priceCents: number; public: boolean }): Promise<FormResult> {
    try {
      const p = await api.createPlan(b);
      this.plans = [...this.plans, p];
      return { ok: true, message: `Plan ${p.name} added.` };
    } catch (e) {
      return failure(e);
    }
  }

  async addCustomer(b: { email: string; password: string; name?: string }): Promise<FormResult> {
    try {
      const u = await api.createUser({ ...b, role: 'customer' });
      this.users = [...this.users, u];
      return { ok: true, message: `Customer ${u.email} added.` };
    } catch (e) {
      return failure(e);
    }
  }

  async addAccount(b: { hostId: number; name: string; ownerId: number; planId: number; mount?: string }): Promise<FormResult> {
    try {
      const a = await api.createAccount(b);
      this.disks = await api.capacity().catch(() => this.disks);
      return { ok: true, message: `Account ${a.name} added.` };
    } catch (e) {
      return failure(e);
    }
  }
}
