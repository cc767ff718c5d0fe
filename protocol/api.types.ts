/** Shapes of the REST API under `/api`, shared by the hub and its clients. */
export type Role = 'admin' | 'customer';

export interface ApiError { error: { code: string; message: string; field?: string } }
export interface UserDto { id: number; email: string; name: string | null; role: Role; createdAt: number }
export interface PlanDto { id: number; name: string; /** bytes */ quotaBytes: number; priceCents: number; public: boolean }
export interface HostDto {
  id: number; name: string; hostname: string | null; monthlyCostCents: number | null;
  createdAt: number; lastSeenAt: number | null; agentVersion: string | null; online: boolean;
  /** False after `DELETE /api/hosts/:id/token`: no agent can connect until a new token is issued. */
  hasToken: boolean;
}
export interface HostCreated { host: HostDto; /** Agent token, shown once; only its hash is stored. */ token: string }
export interface AccountDto { id: number; hostId: number; name: string; ownerId: number; planId: number | null; mount: string | null; createdAt: number }
export interface SeriesPoint { /** bucket start, Unix ms */ t: number; count: number; avg: number; min: number; max: number }
export interface SeriesDto { metric: string; /** bucket width, s (1 for the live ring) */ step: number; points: SeriesPoint[] }
export interface CapacityDisk {
  hostId: number; hostName: string; mount: string;
  /** bytes */ sizeBytes: number; usedBytes: number; allocatedBytes: number; freeBytes: number;
  /** bytes not yet promised to plans: size − allocated */ unallocatedBytes: number;
  fits: { planId: number; planName: string; count: number }[];
}
/** One kiosk queue message as the API shows it: `body` is the JSON value that was pushed; `at` when it was stored, Unix ms. */
export interface QueueMessageDto { id: number; body: unknown; at: number }
/** One host's share of an account's usage (`GET /api/usage`). */
export interface UsageHostBytesDto { hostId: number; hostName: string; /** bytes */ bytes: number }
/**
 * One account across the fleet: an account is its unix login (`account`), the same login on
 * several hosts being one account. `ownerId`/`ownerName` are the registered owner (display
 * name, else email), null where no host has it registered.
 */
export interface UsageRowDto {
  account: string; ownerId: number | null; ownerName: string | null;
  /** Hosts the account has usage on, by host name. */
  hosts: UsageHostBytesDto[];
  /** bytes, sum over `hosts` */ totalBytes: number;
}
/** Totals of one host over the accounts the caller may see. */
export interface UsageHostTotalDto { hostId: number; hostName: string; /** bytes */ bytes: number; accounts: number }
/**
 * A keyset page of `GET /api/usage`; `next` is the opaque `after` cursor of the next page, null
 * on the last. `totals` are the fleet's grand totals for an admin (the `host`/`account` filters
 * narrow the rows, not the totals) and the caller's own accounts for a customer.
 */
export interface UsagePageDto {
  rows: UsageRowDto[];
  totals: { /** bytes */ bytes: number; accounts: number; perHost: UsageHostTotalDto[] };
  next: string | null;
}
