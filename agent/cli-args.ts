/**
 * Arguments of the agent CLI, parsed and checked in one place (kept apart
 * from cli.ts so they can be tested without starting anything). The config
 * file, the environment and the flags are merged by config.ts; flags win.
 */
import { parseArgs } from 'node:util';
import { loadConfig, type AgentConfig } from './config.js';

export const USAGE = `usage: rackpulse-agent [--config FILE] [--hub URL] [--token TOKEN] [--interval MS] [--spool-dir DIR]
                       [--once | --check-config]
  --config FILE    JSON config file                           (env RACKPULSE_CONFIG)
  --hub URL        hub base URL, e.g. https://hub:8080         (env RACKPULSE_HUB)
  --token TOKEN    agent token from POST /api/hosts            (env RACKPULSE_TOKEN)
  --interval MS    time between samples, ms, default 1000      (env RACKPULSE_INTERVAL_MS)
  --spool-dir DIR  on-disk spool, default /var/lib/rackpulse-agent (env RACKPULSE_SPOOL_DIR)
  --once           print one round (hello, sample, accounts, services) as JSON and exit; needs no hub
  --check-config   validate, print the effective config (token masked) and exit; exit 2 if invalid
  env PROC_ROOT    proc filesystem root, default /proc; LOG_LEVEL default info
Flags win over the environment, which wins over the config file.`;

export interface CliConfig {
  /** run: connect and stream; once: one round printed; check-config: print the effective config. */
  mode: 'run' | 'once' | 'check-config';
  config: AgentConfig;
  /** Config file read, if any. */
  file: string | null;
  warnings: string[];
}

export class UsageError extends Error {}

/**
 * Parse argv and environment into the effective config, or throw a
 * UsageError naming the flag (or a ConfigError naming the field).
 */
export function parseCli(argv: string[], env: Record<string, string | undefined>): CliConfig | 'help' | 'version' {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        config: { type: 'string' }, hub: { type: 'string' }, token: { type: 'string' }, interval: { type: 'string' },
        'spool-dir': { type: 'string' }, once: { type: 'boolean' }, 'check-config': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' }, version: { type: 'boolean' },
      },
      strict: true,
    }));
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  if (values.help) return 'help';
  if (values.version) return 'version';
  if (values.once && values['check-config']) throw new UsageError('--once and --check-config do not go together');
  if (values.interval !== undefined && !/^\d+$/.test(values.interval)) throw new UsageError(`--interval must be an integer number of ms ≥ 10, got "${values.interval}"`);
  if (values.interval !== undefined && Number(values.interval) < 10) throw new UsageError(`--interval must be an integer number of ms ≥ 10, got "${values.interval}"`);
  const { config, file, warnings } = loadConfig({
    file: values.config,
    env,
    overrides: { hub: values.hub, token: values.token, intervalMs: values.interval, spoolDir: values['spool-dir'] },
  });
  const mode = values.once ? 'once' : values['check-config'] ? 'check-config' : 'run';
  if (mode === 'run') {
    if (!config.hub) throw new UsageError('missing --hub URL (or RACKPULSE_HUB, or "hub" in the config file)');
    if (!config.token) throw new UsageError('missing --token TOKEN (or RACKPULSE_TOKEN, or "token" in the config file)');
  }
  return { mode, config, file, warnings };
}
