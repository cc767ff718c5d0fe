/**
 * The hub's REST API under `/api`, same origin, cookie-authenticated.
 * Every failure becomes an `ApiRequestError` carrying the hub's `{error: {code, message}}`.
 */
import type {
  AccountDto, ApiError, CapacityDisk, HostCreated, HostDto, PlanDto, Role, SeriesDto, UsagePageDto, UserDto,
} from '../../../protocol/api.types.js';
import type { AccountState } from '../../../protocol/live.schema.js';

/** A request that failed: the hub's error, or `network` when it could not be reached. */
export class ApiRequestError extends Error {
  constructor(
    /** HTTP status; 0 when the hub could not be reached. */
    readonly status: number,
    /** The hub's machine-readable code, or `network` / `http_<status>`. */
    readonly code: string,
    message: string,
    /** The request field the hub blames, if any. */
    readonly field?: string,
  ) {
    super(message);
    this.name = 'ApiRequestError';
  }
}

function isApiError(body: unknown): body is ApiError {
  const e = (body as ApiError | null)?.error;
  return typeof e === 'object' && e !== null && typeof e.code === 'string' && typeof e.message === 'string';
}

let onUnauthorized: (() => void) | null = null;

/** Called when any request other than a sign-in answers 401 (the session ended): back to the sign-in form. */
export function setUnauthorizedHandler(fn: (() => void) | null): void {
  onUnauthorized = fn;
}

/** JSON request to `/api<path>`; resolves to the parsed body, or undefined for 204. */
export async function apiRequest<T>(method: string, path: string, body?: unknown): Promise<T> {
  let res: Response;
  try {
    res = await fetch(`/api${path}`, {
      method,
      credentials: 'same-origin',
      headers: body === undefined ? { accept: 'application/json' } : { accept: 'application/json', 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ApiRequestError(0, 'network', 'Cannot reach the hub. Check your connection and try again.');
  }
  if (res.status === 204) return undefined as T;
  const parsed: unknown = await res.json().catch(() => null);
  if (!res.ok) {
    if (res.status === 401 && path !== '/session' && path !== '/me') onUnauthorized?.();
    if (isApiError(parsed)) throw new ApiRequestError(res.status, parsed.error.code, parsed.error.message, parsed.error.field);
    throw new ApiRequestError(res.status, `http_${res.status}`, `The hub answered ${res.status} ${res.statusText}.`.trim());
  }
  return parsed as T;
}

/** `POST /api/session`: sign in; the hub sets the session cookie. */
export async function createSession(email: string, password: string): Promise<UserDto> {
  return (await apiRequest<{ user: UserDto }>('POST', '/session', { email, password })).user;
}

/** `DELETE /api/session`: sign out. */
export async function deleteSession(): Promise<void> {
  await apiRequest<void>('DELETE', '/session');
}

/** `GET /api/me`: the signed-in user, or null without a valid session (401). */
export async function fetchMe(): Promise<UserDto | null> {
  try {
    return (await apiRequest<{ user: UserDto }>('GET', '/me')).user;
  } catch (e) {
    if (e instanceof ApiRequestError && e.status === 401) return null;
    throw e;
  }
}

/** What `POST /api/accounts/:id/refresh` answers: fresh, or the cached state with why and how old. */
export type RefreshResult =
  | { stale: false; state: AccountState | null }
  | { stale: true; reason: string; ageMs: number | null; state: AccountState | null };

/** What `POST /api/accounts/:id/actions/:name` answers. */
export interface ActionResult {
  outcome: 'succeeded' | 'failed' | 'refused' | 'timed_out';
  ok: boolean; error?: string; exitCode: number | null; signal: string | null; timedOut: boolean; durationMs: number | null; output: string;
}

const enc = encodeURIComponent;

export const api = {
  accounts: async () => (await apiRequest<{ accounts: AccountDto[] }>('GET', '/accounts')).accounts,
  account: (id: number) => apiRequest<{ account: AccountDto; state: AccountState | null }>('GET', `/accounts/${id}`),
  refresh: (id: number) => apiRequest<RefreshResult>('POST', `/accounts/${id}/refresh`),
  runAction: (id: number, name: string) => apiRequest<ActionResult>('POST', `/accounts/${id}/actions/${enc(name)}`),
  createAccount: async (b: { hostId: number; name: string; ownerId: number; planId: number; mount?: string }) =>
    (await apiRequest<{ account: AccountDto }>('POST', '/accounts', b)).account,
  capacity: async () => (await apiRequest<{ disks: CapacityDisk[] }>('GET', '/capacity')).disks,
  plans: async () => (await apiRequest<{ plans: PlanDto[] }>('GET', '/plans')).plans,
  createPlan: async (b: { name: string; quotaBytes: number; priceCents: number; public: boolean }) =>
    (await apiRequest<{ plan: PlanDto }>('POST', '/plans', b)).plan,
  users: async () => (await apiRequest<{ users: UserDto[] }>('GET', '/users')).users,
  createUser: async (b: { email: string; password: string; name?: string; role: Role }) =>
    (await apiRequest<{ user: UserDto }>('POST', '/users', b)).user,
  hosts: async () => (await apiRequest<{ hosts: HostDto[] }>('GET', '/hosts')).hosts,
  createHost: (b: { name: string; monthlyCostCents?: number }) => apiRequest<HostCreated>('POST', '/hosts', b),
  revokeToken: (id: number) => apiRequest<unknown>('DELETE', `/hosts/${id}/token`),
  reissueToken: (id: number) => apiRequest<{ token: string }>('POST', `/hosts/${id}/token`),
  series: (id: number, metric: string, from: number, to: number) =>
    apiRequest<SeriesDto>('GET', `/hosts/${id}/series?metric=${enc(metric)}&from=${from}&to=${to}`),
  usage: (query: string) => apiRequest<UsagePageDto>('GET', `/usage?${query}`),
};
