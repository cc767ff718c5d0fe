/**
 * The service checks of the config file, one schema per kind; config.ts
 * puts them in its `services` list and the checks take their options from
 * here, so there is one definition of every field.
 */
import { z } from 'zod';

/** A unix user name as the hub accepts it (see POST /api/accounts). */
export const ACCOUNT_NAME_RE = /^[a-z_][a-z0-9_-]{0,31}$/;
/** systemd unit names: no leading '-', no path separators, no shell or glob characters. */
export const UNIT_NAME_RE = /^[A-Za-z0-9_][A-Za-z0-9:_.@-]{0,254}$/;
/** A process name as the kernel keeps it (comm) or as argv[0] ends: no '/', no NUL. */
const PROCESS_NAME_RE = /^[^/\0]{1,255}$/;

export const DEFAULT_CHECK_INTERVAL_MS = 10_000;
export const DEFAULT_CHECK_TIMEOUT_MS = 2000;

/**
 * The schemas of the checks, one per kind, and of one check of any kind
 * (`serviceCheck`), built anew on every call: the config is validated once at
 * start, and schemas kept in module constants would stay in memory for the
 * agent's whole life (a zod schema is ~2 KB of heap; the config's are ~350).
 */
export function serviceCheckSchemas() {
  const common = {
    /** Name shown on the dashboard, unique in the config, e.g. "ssh" or "alice:rtorrent". */
    name: z.string().min(1).max(128),
    /** Account the service belongs to: its customers see it, and a refresh of that account runs it. */
    account: z.string().regex(ACCOUNT_NAME_RE, 'a unix user name (lower-case letters, digits, _ and -, at most 32)').optional(),
    /** How often the check runs, ms. Default 10000. */
    intervalMs: z.number().int().min(1000).max(86_400_000).default(DEFAULT_CHECK_INTERVAL_MS),
    /** The check gives up after this long, ms. Default 2000. */
    timeoutMs: z.number().int().min(50).max(60_000).default(DEFAULT_CHECK_TIMEOUT_MS),
  };

  /** A TCP port accepting connections. */
  const tcp = z.object({
    ...common,
    kind: z.literal('tcp'),
    /** Host name or address. Default "127.0.0.1". */
    host: z.string().min(1).max(255).default('127.0.0.1'),
    /** TCP port, 1–65535. */
    port: z.number().int().min(1).max(65_535),
  }).strict();

  /** An HTTP(S) URL answering with an expected status. */
  const http = z.object({
    ...common,
    kind: z.literal('http'),
    /** http:// or https:// URL. */
    url: z.string().max(2000).refine((u) => { try { return /^https?:$/.test(new URL(u).protocol); } catch { return false; } }, 'an http:// or https:// URL'),
    /** Request method. Default "GET" (the body is not read). */
    method: z.enum(['GET', 'HEAD']).default('GET'),
    /** Status codes that count as up. Default: any 2xx or 3xx. */
    expectStatus: z.array(z.number().int().min(100).max(599)).min(1).max(20).optional(),
    /** Redirects followed before the status is judged, 0–10. Default 0: a redirect is the answer. */
    followRedirects: z.number().int().min(0).max(10).default(0),
    /** Verify the TLS certificate of an https URL. Default true. */
    tlsVerify: z.boolean().default(true),
  }).strict();

  /** A process of a given name running as a given account. */
  const process = z.object({
    ...common,
    kind: z.literal('process'),
    /** Unix user the process must run as (real or effective uid). */
    account: common.account.unwrap(),
    /** Process name: the kernel's comm (first 15 bytes) or the last part of argv[0], e.g. "rtorrent". */
    process: z.string().regex(PROCESS_NAME_RE, 'a process name without "/"'),
  }).strict();

  /** A systemd unit active (`systemctl is-active`). */
  const systemd = z.object({
    ...common,
    kind: z.literal('systemd'),
    /** Unit name, e.g. "nginx.service"; letters, digits and : _ . @ - only. */
    unit: z.string().regex(UNIT_NAME_RE, 'a systemd unit name (letters, digits, ":", "_", ".", "@", "-"; not starting with "-")'),
  }).strict();

  return { tcp, http, process, systemd, serviceCheck: z.discriminatedUnion('kind', [tcp, http, process, systemd]) };
}

type Schemas = ReturnType<typeof serviceCheckSchemas>;

export type TcpCheck = z.infer<Schemas['tcp']>;
export type HttpCheck = z.infer<Schemas['http']>;
export type ProcessCheck = z.infer<Schemas['process']>;
export type SystemdCheck = z.infer<Schemas['systemd']>;
/** One service check from the config, defaults applied. */
export type ServiceCheck = z.infer<Schemas['serviceCheck']>;
/** A check as written in the config file (defaults not yet applied). */
export type ServiceCheckInput = z.input<Schemas['serviceCheck']>;
