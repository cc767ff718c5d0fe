/**
 * The agent's logger: JSON lines to stderr (stdout is reserved for `--once`
 * output), level from LOG_LEVEL (default info), in pino's format (`level` as
 * a number, `time` in Unix ms, `pid`, `hostname`, `name`, the fields, `msg`).
 *
 * Not pino itself: the agent logs a few lines an hour, and pino with its
 * dependencies loads worker_threads, assert and os and about a megabyte of
 * memory that an always-on agent keeps for its whole life. Anything with
 * pino's call signatures (`log.info(fields, msg)`, `log.info(msg)`) can be
 * passed instead, e.g. a pino logger (scripts/start.ts does).
 */
import { writeSync } from 'node:fs';
import { hostname } from 'node:os';

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

/** pino's numbers for the levels. */
const LEVEL_VALUES: Record<LogLevel, number> = { fatal: 60, error: 50, warn: 40, info: 30, debug: 20, trace: 10, silent: Infinity };

const noop: LogFn = () => {};

/** A logger that drops everything (the default of runAgent and AgentConnection). */
export const silentLogger: AgentLogger = { error: noop, warn: noop, info: noop, debug: noop };

/** Errors as pino's standard serializer writes them; anything JSON cannot hold as a string. */
function replacer(_key: string, v: unknown): unknown {
  if (v instanceof Error) return { type: v.name, message: v.message, stack: v.stack };
  if (typeof v === 'bigint') return v.toString();
  return v;
}

/** JSON of the line's fields; a value JSON.stringify refuses (a cycle) leaves a note instead of throwing. */
function serialize(head: string, fields: object | null, msg: string | undefined): string {
  let body = '';
  if (fields) {
    try {
      body = JSON.stringify(fields, replacer).slice(1, -1);
    } catch (e) {
      body = `"logError":${JSON.stringify((e as Error).message)}`;
    }
  }
  const tail = msg === undefined ? '' : `"msg":${JSON.stringify(msg)}`;
  return `${head}${body && ','}${body}${tail && ','}${tail}}\n`;
}

/** Write all of `line` to fd 2, synchronously (nothing is lost when the process exits); retries a full pipe briefly. */
function writeAll(line: string): void {
  let buf = Buffer.from(line, 'utf8');
  for (let tries = 0; buf.length > 0 && tries < 100; tries++) {
    try {
      buf = buf.subarray(writeSync(2, buf));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') return;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10);
    }
  }
}

/** A logger writing synchronously to stderr. */
export function createLogger(level: LogLevel = 'info', name = 'rackpulse-agent'): AgentLogger {
  const min = LEVEL_VALUES[level];
  const host = hostname();
  const at = (lvl: 'error' | 'warn' | 'info' | 'debug'): LogFn => {
    const value = LEVEL_VALUES[lvl];
    if (value < min) return noop;
    return (fieldsOrMsg, msg) => {
      const head = `{"level":${value},"time":${Date.now()},"pid":${process.pid},"hostname":${JSON.stringify(host)},"name":${JSON.stringify(name)}`;
      writeAll(typeof fieldsOrMsg === 'string' ? serialize(head, null, fieldsOrMsg) : serialize(head, fieldsOrMsg, msg));
    };
  };
  return { error: at('error'), warn: at('warn'), info: at('info'), debug: at('debug') };
}
