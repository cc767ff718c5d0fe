/**
 * The agent's logger: pino, JSON lines to stderr (stdout is reserved for
 * `--once` output), level from LOG_LEVEL (default info).
 */
import pino, { type Logger } from 'pino';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export function isLogLevel(s: string): s is LogLevel {
  return (LOG_LEVELS as readonly string[]).includes(s);
}

/** A logger writing synchronously to stderr, so nothing is lost when the process exits. */
export function createLogger(level: LogLevel = 'info'): Logger {
  return pino({ name: 'rackpulse-agent', level }, pino.destination({ fd: 2, sync: true }));
}
