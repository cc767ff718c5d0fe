/**
 * The agent's configuration: a JSON file (`--config FILE` or RACKPULSE_CONFIG),
 * then the environment, then command-line flags, each overriding the one
 * before; validated once with zod into a typed config with every default
 * filled in. An error names every bad field (`services[1].port: …`).
 *
 * Environment: RACKPULSE_HUB, RACKPULSE_TOKEN, RACKPULSE_SPOOL_DIR,
 * RACKPULSE_INTERVAL_MS, PROC_ROOT, LOG_LEVEL (and RACKPULSE_CONFIG, the file).
 */
import { readFileSync, statSync } from 'node:fs';
import * as z from 'zod/mini';
import en from 'zod/v4/locales/en.js';
import { actionsSchema } from './actions.js';
import { DISK_SPOOL_DEFAULTS } from './disk-spool.js';
import { LOG_LEVELS } from './log.js';
import { DEFAULT_SERVICES_CONCURRENCY, DEFAULT_SERVICES_HEARTBEAT_MS } from './services/scheduler.js';
import { ACCOUNT_NAME_RE, intIn, serviceCheckSchemas } from './services/spec.js';

// zod/mini loads no messages of its own: the agent's errors (a bad config field, a
// refused hub message) are in English, as the hub's are (zod's chained API sets this).
z.config(en());

/** Where the spool lives unless configured: systemd's StateDirectory=rackpulse-agent. */
export const DEFAULT_SPOOL_DIR = '/var/lib/rackpulse-agent';

/**
 * The config file's schema, built anew on every call (by loadConfig, once at
 * start): kept in module constants, its schemas would stay in the agent's
 * memory for as long as it runs. Written with zod's functional API
 * (`zod/mini`), as the agent's messages are (see protocol/agent.schema.ts).
 */
export function configSchema() {
  const hubUrl = z.string().check(z.maxLength(2000), z.refine((u) => {
    try { return /^(https?|wss?):$/.test(new URL(u).protocol); } catch { return false; }
  }, 'an http(s) URL, e.g. "https://hub.example.net"'));
  const path = z.string().check(z.minLength(1), z.maxLength(4096));
  const name = z.string().check(z.regex(ACCOUNT_NAME_RE, 'a unix user name'));
  const names = z._default(z.array(name).check(z.maxLength(100_000)), []);

  const spoolConfigSchema = z.strictObject({
    /** Directory of the on-disk spool; created if missing. Default /var/lib/rackpulse-agent. */
    dir: z._default(path, DEFAULT_SPOOL_DIR),
    /** Items held per stream before the oldest are dropped. Default 7200 (two hours of 1 s samples). */
    maxItems: z._default(intIn(100, 10_000_000), DISK_SPOOL_DEFAULTS.maxItems),
    /** Bytes of JSON held per stream before the oldest are dropped. Default 33554432 (32 MiB). */
    maxBytes: z._default(intIn(64 * 1024, 16 * 1024 ** 3), DISK_SPOOL_DEFAULTS.maxBytes),
    /** Size at which a segment file is closed and a new one begun, bytes. Default 1048576 (1 MiB). */
    segmentBytes: z._default(intIn(4096, 256 * 1024 ** 2), DISK_SPOOL_DEFAULTS.segmentBytes),
    /** An item the hub has not acknowledged this long after it was written is fdatasync'ed, ms (what a power loss may cost); 0 after every item. Default 1000. */
    fsyncIntervalMs: z._default(intIn(0, 60_000), DISK_SPOOL_DEFAULTS.fsyncIntervalMs),
    /** After an ack the state file (where each stream's held items begin) is rewritten within this long, ms; after a crash, items acknowledged in the last this-long are resent (the hub ignores them). 0: at every ack. Default 10000. */
    stateIntervalMs: z._default(intIn(0, 600_000), DISK_SPOOL_DEFAULTS.stateIntervalMs),
  });

  const accountsConfigSchema = z.strictObject({
    /** Report per-account figures (`quota` stream). Default true. */
    enabled: z._default(z.boolean(), true),
    /** Time between `quota` messages (a full snapshot of every account each time), ms. Default 10000. */
    intervalMs: z._default(intIn(1000, 3_600_000), 10_000),
    /** Lowest uid that counts as an account. Default 1000. */
    minUid: z._default(intIn(0, 4_294_967_294), 1000),
    /** User names that are accounts whatever their uid. */
    include: names,
    /** User names that are never accounts (wins over include). */
    exclude: names,
    /** Disk figure source: "auto" (repquota where it reports the account, else a walk of the home), "repquota" or "walk". Default "auto". */
    quota: z._default(z.enum(['auto', 'repquota', 'walk']), 'auto'),
    /**
     * Directory entries a home walk examines per tick (1 s), over all accounts. Default 250: each costs an
     * lstat and ~5–9 µs of CPU, so ~0.2 % of a core while walking; the first pass over all homes takes
     * (their entries) / 250 s, e.g. 200 accounts × 2,000 files ≈ 27 min. With watchHomes, only homes that
     * changed are walked again, so after that first cycle the walk costs in proportion to what changes.
     * A refresh walks the one account at once. Where quotas are on, repquota costs far less and is current.
     */
    walkBudgetPerTick: z._default(intIn(10, 1_000_000), 250),
    /**
     * The same while some walked home has not been measured once (after the agent starts, or when an
     * account appears), so first figures come sooner: 200 × 2,000 files in ~7 min at ~1 % of a core.
     * Default 1000; at most walkBudgetPerTick is never spent (the larger of the two applies).
     */
    walkFirstBudgetPerTick: z._default(intIn(10, 1_000_000), 1000),
    /** Least time between two walks of one home, ms. Default 60000. */
    walkPassGapMs: z._default(intIn(0, 86_400_000), 60_000),
    /**
     * Watch the directories of walked homes with inotify (one watch per directory) and walk again only
     * the homes where something changed; an unchanged home's figure is reported as current. Default true.
     */
    watchHomes: z._default(z.boolean(), true),
    /** Most inotify watches over all homes; homes beyond it are walked every walkPassGapMs. Default 8192 (the kernel's per-user limit on older kernels). */
    maxWatches: z._default(intIn(0, 10_000_000), 8192),
    /** A watched home that did not change is still walked again after this long (what inotify cannot see: writes through hard links from outside, mmap), ms. Default 3600000. */
    walkRecheckMs: z._default(intIn(60_000, 604_800_000), 3_600_000),
    /** How often repquota runs, ms. Default 60000. */
    quotaIntervalMs: z._default(intIn(1000, 86_400_000), 60_000),
    /** Count only these devices of the quota report, e.g. ["/dev/sda2"]. Default: all. */
    quotaDevices: z.optional(z.array(z.string().check(z.minLength(1), z.maxLength(512))).check(z.maxLength(256))),
  });

  return z.strictObject({
    /** Hub base URL, e.g. "https://hub.example.net". Needed to run (not for --once or --check-config). */
    hub: z.optional(hubUrl),
    /** Agent token from POST /api/hosts. Prefer RACKPULSE_TOKEN from a 0600 environment file; a config file holding it should be 0600 too. */
    token: z.optional(z.string().check(z.minLength(1), z.maxLength(200))),
    /** Time between host samples, ms. Default 1000. */
    intervalMs: z._default(intIn(10, 3_600_000), 1000),
    /** Root of the proc filesystem. Default "/proc". */
    procRoot: z._default(path, '/proc'),
    /** Directory holding passwd. Default "/etc". */
    etcRoot: z._default(path, '/etc'),
    /** Log level (logs are JSON lines on stderr). Default "info". */
    logLevel: z._default(z.enum(LOG_LEVELS), 'info'),
    /** The on-disk spool of what the hub has not acknowledged. */
    spool: z._default(spoolConfigSchema, () => spoolConfigSchema.parse({})),
    /** Per-account figures. */
    accounts: z._default(accountsConfigSchema, () => accountsConfigSchema.parse({})),
    /** Service checks (kinds tcp, http, process, systemd; see services/spec.ts), at most 2000 (one `services` message holds them all). Names must be unique. */
    services: z._default(z.array(serviceCheckSchemas().serviceCheck).check(z.maxLength(2000), z.superRefine((list, ctx) => {
      const seen = new Set<string>();
      list.forEach((c, i) => {
        if (seen.has(c.name)) ctx.addIssue({ code: 'custom', input: c.name, path: [i, 'name'], message: `duplicate service name "${c.name}"` });
        seen.add(c.name);
      });
    })), []),
    /** Service checks running at once. Default 4. */
    servicesConcurrency: z._default(intIn(1, 256), DEFAULT_SERVICES_CONCURRENCY),
    /** A `services` message goes at least this often even without a change, ms. Default 30000. */
    servicesHeartbeatMs: z._default(intIn(1000, 3_600_000), DEFAULT_SERVICES_HEARTBEAT_MS),
    /** Named actions the hub may ask to run for an account (see actions.ts). Default none. */
    actions: z._default(actionsSchema(), {}),
  });
}

/** The effective configuration, defaults filled in. */
export type AgentConfig = z.infer<ReturnType<typeof configSchema>>;
/** A config file as written. */
export type AgentConfigInput = z.input<ReturnType<typeof configSchema>>;

/** The configuration cannot be used; `issues` lists every problem, each naming its field. */
export class ConfigError extends Error {
  constructor(readonly source: string, readonly issues: string[]) {
    super(`${source}:\n${issues.map((i) => `  - ${i}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** "services[1].port" from a zod path. */
export function fieldPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((s, k) => (typeof k === 'number' ? `${s}[${k}]` : s ? `${s}.${String(k)}` : String(k)), '') || '(top level)';
}

/** Flags from the command line, which win over everything. */
export interface ConfigOverrides { hub?: string; token?: string; intervalMs?: string; spoolDir?: string }

export interface LoadedConfig {
  config: AgentConfig;
  /** The file read, if any. */
  file: string | null;
  /** Things worth a log line (a token in a file others can read). */
  warnings: string[];
}

/**
 * Read the config file (`file`, or RACKPULSE_CONFIG; none: defaults), apply
 * the environment and the flags, validate. Throws ConfigError.
 */
export function loadConfig(opts: { file?: string; env?: Record<string, string | undefined>; overrides?: ConfigOverrides } = {}): LoadedConfig {
  const env = opts.env ?? process.env;
  const ov = opts.overrides ?? {};
  const file = opts.file ?? (env.RACKPULSE_CONFIG || null);
  const warnings: string[] = [];
  let raw: Record<string, unknown> = {};
  if (file) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (e) {
      throw new ConfigError(`config file ${file}`, [`cannot read it: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`]);
    }
    try {
      raw = JSON.parse(text);
    } catch (e) {
      throw new ConfigError(`config file ${file}`, [`not valid JSON: ${(e as Error).message}`]);
    }
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new ConfigError(`config file ${file}`, ['expected a JSON object at the top level']);
    if (typeof raw.token === 'string' && (statSync(file).mode & 0o077) !== 0) {
      warnings.push(`config file ${file} holds the token and is readable by other users; chmod 600 it`);
    }
  }

  // The environment, then the flags, over the file. Numbers from text are checked here so the error names the variable.
  const issues: string[] = [];
  const num = (text: string | undefined, what: string): number | undefined => {
    if (text === undefined || text === '') return undefined;
    if (!/^\d+$/.test(text)) {
      issues.push(`${what}: expected an integer number of ms, got "${text}"`);
      return undefined;
    }
    return Number(text);
  };
  const merged: Record<string, unknown> = { ...raw };
  const set = (key: string, value: unknown): void => { if (value !== undefined && value !== '') merged[key] = value; };
  set('hub', env.RACKPULSE_HUB);
  set('token', env.RACKPULSE_TOKEN);
  set('intervalMs', num(env.RACKPULSE_INTERVAL_MS, 'RACKPULSE_INTERVAL_MS'));
  set('procRoot', env.PROC_ROOT);
  set('logLevel', env.LOG_LEVEL);
  set('hub', ov.hub);
  set('token', ov.token);
  set('intervalMs', num(ov.intervalMs, '--interval'));
  const spoolDir = ov.spoolDir || env.RACKPULSE_SPOOL_DIR;
  if (spoolDir) merged.spool = { ...(typeof raw.spool === 'object' && raw.spool ? raw.spool : {}), dir: spoolDir };

  const r = configSchema().safeParse(merged);
  if (!r.success) {
    const origin = (path: readonly PropertyKey[]): string => {
      const k = String(path[0]);
      const fromEnv: Record<string, string> = { hub: 'RACKPULSE_HUB', token: 'RACKPULSE_TOKEN', intervalMs: 'RACKPULSE_INTERVAL_MS', procRoot: 'PROC_ROOT', logLevel: 'LOG_LEVEL' };
      if (k === 'spool' && path[1] === 'dir' && spoolDir) return ov.spoolDir ? ' (from --spool-dir)' : ' (from RACKPULSE_SPOOL_DIR)';
      if (fromEnv[k] && merged[k] !== raw[k]) return ` (from ${fromEnv[k]} or its flag)`;
      return '';
    };
    for (const i of r.error.issues) issues.push(`${fieldPath(i.path)}${origin(i.path)}: ${i.message}`);
  }
  if (issues.length) throw new ConfigError(file ? `config file ${file}` : 'configuration', issues);
  return { config: r.data!, file, warnings };
}

/** The config with the token masked, for printing. */
export function maskConfig(c: AgentConfig): AgentConfig {
  return { ...c, ...(c.token !== undefined ? { token: '********' } : {}) };
}
