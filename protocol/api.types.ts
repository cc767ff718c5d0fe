/** Shapes of the REST API under `/api`, shared by the hub and its clients. */
export type Role = 'admin' | 'customer';

export interface ApiError { error: { code: string; message: string; field?: string } }
export interface UserDto { id: number; email: string; name: string | null; role: Role; createdAt: number }
export interface PlanDto { id: number; name: string; /** bytes */ quotaBytes: number; priceCents: number; public: boolean }
export interface HostDto {
  id: number; name: string; hostname: string | null; monthlyCostCents: number | null;
  createdAt: number; lastSeenAt: number | null; agentVersion: string | null; online: boolean;
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
