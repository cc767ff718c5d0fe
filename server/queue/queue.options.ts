/** Limits of the kiosk message queue, their defaults, and the check of queue and consumer names. */
import { badRequest } from '../http/errors.js';
import { NAME_MAX } from './queue.entities.js';

export interface QueueOptions {
  /** A message is delivered for this long after it was sent, ms. */
  ttlMs: number;
  /** Messages kept per queue; past it the oldest are dropped (and counted). */
  maxLength: number;
  /** A consumer id not seen for this long loses its cursor, ms. */
  forgetAfterMs: number;
  /** How often expiry, trimming and forgetting run, ms. */
  sweepEveryMs: number;
  /** Most messages in one answer. */
  batchLimit: number;
  /** Longest long-poll a client may ask for, and the one it gets without asking, s. */
  maxWaitS: number;
  defaultWaitS: number;
  /**
   * This hub is the only one using the database's queues (no REDIS_URL): messages and cursors are also
   * held in memory (`queue.memory.ts`) and cursors written every `cursorFlushMs`.
   */
  exclusive: boolean;
  cursorFlushMs: number;
}

export const QUEUE_DEFAULTS: QueueOptions = {
  ttlMs: 60 * 60 * 1000,
  maxLength: 1000,
  forgetAfterMs: 5 * 60 * 1000,
  sweepEveryMs: 30 * 1000,
  batchLimit: 100,
  maxWaitS: 60,
  defaultWaitS: 30,
  exclusive: false,
  cursorFlushMs: 200,
};

/**
 * Largest message body, bytes of its JSON text: 64 KiB less one byte, the most a MySQL/MariaDB TEXT
 * column holds. (Through the hub the request envelope `{"body":…}` is capped at 64 KiB by the body
 * parser anyway, so the body itself never reaches 64 KiB.)
 */
export const MAX_BODY_BYTES = 64 * 1024 - 1;

const NAME_RE = new RegExp(`^[A-Za-z0-9._-]{1,${NAME_MAX}}$`);

/** True for a valid queue or consumer name. */
export const isName = (raw: unknown): raw is string => typeof raw === 'string' && NAME_RE.test(raw);

/**
 * A queue or consumer name as stored: checked against `^[A-Za-z0-9._-]{1,64}$` (else a 400 naming
 * `field`) and lower-cased, so names compare the same on SQLite and MariaDB.
 */
export function parseName(raw: unknown, field: string): string {
  if (!isName(raw)) throw badRequest(`${field}: 1 to ${NAME_MAX} letters, digits, dot, dash or underscore`, field);
  return raw.toLowerCase();
}
