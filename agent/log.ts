/**
 * The agent's logger: pino, JSON lines to stderr (stdout is reserved for
 * `--once` output), level from LOG_LEVEL (default info). The rest of the agent
 * logs through the narrow `AgentLogger` (a pino Logger fits), and defaults to
 * `silentLogger` so an agent run as a library loads no logger at all.
 */
import pino from 'pino';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export function isLogLevel(s: string): s is LogLevel {
  return (LOG_LEVELS as readonly string[]).includes(s);
}

/** One level's method: fields then message, or a message alone. */
export type LogFn = (fieldsOrMsg: object | string, msg?: string) => void;

/** What the agent logs through (a pino Logger fits). */
export interface AgentLogger {
  error: LogFn;
  warn: LogFn;
  info: LogFn;
  debug: LogFn;
}

const noop: LogFn = () => {};

/** A logger that drops everything (the default of runAgent and AgentConnection). */
export const silentLogger: AgentLogger = { error: noop, warn: noop, info: noop, debug: noop };

/** A logger writing synchronously to stderr, so nothing is lost when the process exits. */
export function createLogger(level: LogLevel = 'info'): AgentLogger {
  return pino({ name: 'rackpulse-agent', level }, pino.destination({ fd: 2, sync: true }));
}
