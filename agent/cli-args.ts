/**
 * Arguments and environment of the agent CLI, parsed and checked in one place
 * (kept apart from cli.ts so they can be tested without starting anything).
 * Flags win over the environment.
 */
import { parseArgs } from 'node:util';
import { isLogLevel, LOG_LEVELS } from './log.js';

export const USAGE = `usage: npm run agent -- --hub URL --token TOKEN [--interval MS] [--once]
  --hub URL        hub base URL, e.g. http://hub:8080   (env RACKPULSE_HUB)
  --token TOKEN    agent token from POST /api/hosts      (env RACKPULSE_TOKEN)
  --interval MS    time between samples, ms, default 1000 (env RACKPULSE_INTERVAL_MS)
  --once           print one round (hello + sample) as JSON and exit; needs no hub
  env PROC_ROOT    proc filesystem root, default /proc; LOG_LEVEL default info`;

export interface CliConfig {
  hubUrl?: string;
  token?: string;
  intervalMs: number;
  once: boolean;
  procRoot?: string;
  logLevel: (typeof LOG_LEVELS)[number];
}

export class UsageError extends Error {}

/** Parse argv and environment into a config, or throw a UsageError naming the flag. */
export function parseCli(argv: string[], env: Record<string, string | undefined>): CliConfig | 'help' | 'version' {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        hub: { type: 'string' }, token: { type: 'string' }, interval: { type: 'string' },
        once: { type: 'boolean' }, help: { type: 'boolean', short: 'h' }, version: { type: 'boolean' },
      },
      strict: true,
    }));
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  if (values.help) return 'help';
  if (values.version) return 'version';
  const hubUrl = values.hub ?? (env.RACKPULSE_HUB || undefined);
  const token = values.token ?? (env.RACKPULSE_TOKEN || undefined);
  const intervalText = values.interval ?? (env.RACKPULSE_INTERVAL_MS || '1000');
  const intervalMs = Number(intervalText);
  if (!/^\d+$/.test(intervalText) || intervalMs < 10) throw new UsageError(`--interval must be an integer number of ms ≥ 10, got "${intervalText}"`);
  const logLevel = env.LOG_LEVEL || 'info';
  if (!isLogLevel(logLevel)) throw new UsageError(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, got "${logLevel}"`);
  const once = values.once ?? false;
  if (!once) {
    if (!hubUrl) throw new UsageError('missing --hub URL (or RACKPULSE_HUB)');
    if (!token) throw new UsageError('missing --token TOKEN (or RACKPULSE_TOKEN)');
    try {
      const u = new URL(hubUrl);
      if (!/^(https?|wss?):$/.test(u.protocol)) throw new Error();
    } catch {
      throw new UsageError(`--hub must be an http(s) URL, got "${hubUrl}"`);
    }
  }
  return { hubUrl, token, intervalMs, once, procRoot: env.PROC_ROOT || undefined, logLevel };
}
