/**
 * The service checks of the config file, one schema per kind; config.ts
 * puts them in its `services` list and the checks take their options from
 * here, so there is one definition of every field.
 */
import * as z from 'zod/mini';

/** A unix user name as the hub accepts it (see POST /api/accounts). */
export const ACCOUNT_NAME_RE = /^[a-z_][a-z0-9_-]{0,31}$/;
/** systemd unit names: no leading '-', no path separators, no shell or glob characters. */
export const UNIT_NAME_RE = /^[A-Za-z0-9_][A-Za-z0-9:_.@-]{0,254}$/;
/** A process name as the kernel keeps it (comm) or as argv[0] ends: no '/', no NUL. */
const PROCESS_NAME_RE = /^[^/\0]{1,255}$/;

/** An integer from `min` to `max`: the config's schemas build one per field with it (config.ts, actions.ts too). */
export const intIn = (min: number, max: number) => z.int().check(z.minimum(min), z.maximum(max));

export const DEFAULT_CHECK_INTERVAL_MS = 10_000;
export const DEFAULT_CHECK_TIMEOUT_MS = 2000;

/**
 * The schemas of the checks, one per kind, and of one check of any kind
 * (`serviceCheck`), built anew on every call: the config is validated once at
 * start, and schemas kept in module constants would stay in memory for the
 * agent's whole life.
 */
export function serviceCheckSchemas() {
  const accountName = z.string().check(z.regex(ACCOUNT_NAME_RE, 'a unix user name (lower-case letters, digits, _ and -, at most 32)'));
  const common = {
    /** Name shown on the dashboard, unique in the config, e.g. "ssh" or "alice:rtorrent". */
    name: z.string().check(z.minLength(1), z.maxLength(128)),
    /** Account the service belongs to: its customers see it, and a refresh of that account runs it. */
    account: z.optional(accountName),
    /** How often the check runs, ms. Default 10000. */
    intervalMs: z._default(intIn(1000, 86_400_000), DEFAULT_CHECK_INTERVAL_MS),
    /** The check gives up after this long, ms. Default 2000. */
    timeoutMs: z._default(intIn(50, 60_000), DEFAULT_CHECK_TIMEOUT_MS),
  };

  /** A TCP port accepting connections. */
  const tcp = z.strictObject({
    ...common,
    kind: z.literal('tcp'),
    /** Host name or address. Default "127.0.0.1". */
    host: z._default(z.string().check(z.minLength(1), z.maxLength(255)), '127.0.0.1'),
    /** TCP port, 1–65535. */
    port: intIn(1, 65_535),
  });

  /** An HTTP(S) URL answering with an expected status. */
  const http = z.strictObject({
    ...common,
    kind: z.literal('http'),
    /** http:// or https:// URL. */
    url: z.string().check(z.maxLength(2000), z.refine((u) => { try { return /^https?:$/.test(new URL(u).protocol); } catch { return false; } }, 'an http:// or https:// URL')),
    /** Request method. Default "GET" (the body is not read). */
    method: z._default(z.enum(['GET', 'HEAD']), 'GET'),
    /** Status codes that count as up. Default: any 2xx or 3xx. */
    expectStatus: z.optional(z.array(intIn(100, 599)).check(z.minLength(1), z.maxLength(20))),
    /** Redirects followed before the status is judged, 0–10. Default 0: a redirect is the answer. */
    followRedirects: z._default(intIn(0, 10), 0),
    /** Verify the TLS certificate of an https URL. Default true. */
    tlsVerify: z._default(z.boolean(), true),
  });

  /** A process of a given name running as a given account. */
  const process = z.strictObject({
    ...common,
    kind: z.literal('process'),
    /** Unix user the process must run as (real or effective uid). */
    account: accountName,
    /** Process name: the kernel's comm (first 15 bytes) or the last part of argv[0], e.g. "rtorrent". */
    process: z.string().check(z.regex(PROCESS_NAME_RE, 'a process name without "/"')),
  });

  /** A systemd unit active (`systemctl is-active`). */
  const systemd = z.strictObject({
    ...common,
    kind: z.literal('systemd'),
    /** Unit name, e.g. "nginx.service"; letters, digits and : _ . @ - only. */
    unit: z.string().check(z.regex(UNIT_NAME_RE, 'a systemd unit name (letters, digits, ":", "_", ".", "@", "-"; not starting with "-")')),
  });

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
