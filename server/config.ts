/**
 * The hub's environment, read and validated once. Every bad variable is
 * listed in one error.
 */
import { z } from 'zod';
import { parseTiers } from './ingest/rollups.js';

const schema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  HOST: z.string().min(1).default('0.0.0.0'),
  DATABASE_URL: z.string().regex(/^(sqlite:.+|mysql:\/\/.+)$/, 'must be sqlite:<path> or mysql://user:pass@host:port/db').default('sqlite:data/rackpulse.sqlite'),
  REDIS_URL: z.string().regex(/^rediss?:\/\//, 'must be redis://…').optional(),
  SESSION_SECRET: z.string().min(16, 'at least 16 characters').optional(),
  ADMIN_EMAIL: z.string().email().optional(),
  ADMIN_PASSWORD: z.string().min(8, 'at least 8 characters').optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** How often pending rollups, latest state and watermarks are committed, ms. */
  FLUSH_INTERVAL_MS: z.coerce.number().int().min(10).max(60000).default(1000),
  /** How often coalesced live deltas go out, ms. */
  LIVE_INTERVAL_MS: z.coerce.number().int().min(10).max(10000).default(50),
  /** A host with no sample for this long is offline, ms. */
  OFFLINE_AFTER_MS: z.coerce.number().int().min(1000).default(10000),
  /** First retry of a failed alert webhook after this long, ms; each further retry waits twice as long (5 attempts). */
  ALERT_WEBHOOK_RETRY_MS: z.coerce.number().int().min(10).max(60000).default(1000),
  /** Requests per second one caller (session, kiosk token or address) may make to /api, sustained; 0: no limit. */
  API_RATE_LIMIT: z.coerce.number().int().min(0).max(1_000_000).default(100),
  /** Requests one caller may make at once beyond the sustained rate. */
  API_RATE_BURST: z.coerce.number().int().min(1).max(1_000_000).default(2000),
  /** Messages per second one agent connection may send, sustained; past it (and the burst) the agent is disconnected and resends from its spool. */
  AGENT_MSG_RATE: z.coerce.number().int().min(1).max(1_000_000).default(200),
  AGENT_MSG_BURST: z.coerce.number().int().min(1).max(1_000_000).default(5000),
  /** Directory of the built client (served at /). */
  CLIENT_DIR: z.string().default('dist/client'),
  /** Directory of the built NOC kiosk (served at /kiosk/ and /kiosk/touch). */
  KIOSK_DIR: z.string().default('dist/kiosk'),
  /** Serve the Touchscreen `/messenger` (no authentication: anyone who reaches the hub reads and writes every queue). */
  QUEUE_MESSENGER: z.enum(['0', '1', 'true', 'false']).default('0').transform((v) => v === '1' || v === 'true'),
  /** When set, GET /metrics requires `Authorization: Bearer <METRICS_TOKEN>`. */
  METRICS_TOKEN: z.string().min(16, 'at least 16 characters').optional(),
  /** Rollup tiers and how long each is kept: `width:keep,…` with s/m/h/d units, e.g. `1m:48h,30m:90d,1d:730d`. */
  ROLLUP_TIERS: z.string().default('1m:48h,30m:90d,1d:730d').transform((v, ctx) => {
    try { return parseTiers(v); } catch (e) { ctx.addIssue({ code: 'custom', message: `${(e as Error).message} (format width:keep,… e.g. 1m:48h,30m:90d,1d:730d)` }); return z.NEVER; }
  }),
  /** Rows deleted per statement when pruning old rollups (the hub yields to ingest between statements). */
  PRUNE_BATCH: z.coerce.number().int().min(100).max(100000).default(5000),
  /** How often old rollups are pruned, ms. */
  PRUNE_INTERVAL_MS: z.coerce.number().int().min(1000).default(600000),
  /** MySQL/MariaDB: keep the 1 min tier in one partition per day and prune it by dropping partitions. */
  ROLLUP_PARTITIONS: z.enum(['0', '1', 'true', 'false']).default('0').transform((v) => v === '1' || v === 'true'),
  /** Several hubs (with REDIS_URL): prefix of their Redis keys and stream; one per deployment sharing a Redis. */
  CLUSTER_NAME: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'letters, digits, _ . - (at most 64)').default('rackpulse'),
  /** Several hubs (with REDIS_URL): how long a hub's claim on a host's rollups lasts unless renewed, ms. */
  HOST_LEASE_MS: z.coerce.number().int().min(500).max(60000).default(5000),
  /** Trust X-Forwarded-* from a reverse proxy (for Secure cookies behind TLS). */
  TRUST_PROXY: z.enum(['0', '1', 'true', 'false']).default('0').transform((v) => v === '1' || v === 'true'),
});

export type Config = z.infer<typeof schema>;

export class ConfigError extends Error {
  constructor(readonly issues: string[]) {
    super(`invalid environment:\n  ${issues.join('\n  ')}`);
    this.name = 'ConfigError';
  }
}

/** Parse an environment (default: process.env) into a Config, or throw a ConfigError listing every bad variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const picked: Record<string, string> = {};
  for (const key of Object.keys(schema.shape)) {
    const v = env[key];
    if (v !== undefined && v !== '') picked[key] = v;
  }
  const r = schema.safeParse(picked);
  if (!r.success) throw new ConfigError(r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
  return r.data;
}
