/**
 * `rackpulse-agent [--config FILE] [--hub URL --token TOKEN] [--once | --check-config]`
 * (`npm run agent -- …` from the repository, `node rackpulse-agent.mjs …` from the single-file build).
 *
 * `--once` needs no hub: it prints `{hello, sample, accounts, services, errors}`
 * as JSON, the sample taken one interval after a first reading so its rates
 * are real. `--check-config` prints the effective config, token masked.
 * Exit codes: 0 done or stopped by SIGINT/SIGTERM, 1 failure, 2 bad usage or config.
 */
import { collectOnce, optionsFromConfig, runAgent } from './agent.js';
import { parseCli, UsageError, USAGE } from './cli-args.js';
import { ConfigError, maskConfig } from './config.js';
import { SpoolDirError } from './disk-spool.js';
import { startHeapTrim } from './heap-trim.js';
import { createLogger } from './log.js';
import { AGENT_VERSION } from './version.js';

async function main(): Promise<number> {
  let cli: ReturnType<typeof parseCli>;
  try {
    cli = parseCli(process.argv.slice(2), process.env);
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`rackpulse-agent: ${e.message}\n${USAGE}\n`);
      return 2;
    }
    if (e instanceof ConfigError) {
      process.stderr.write(`rackpulse-agent: invalid ${e.message}\n`);
      return 2;
    }
    throw e;
  }
  if (cli === 'help') return process.stdout.write(`${USAGE}\n`), 0;
  if (cli === 'version') return process.stdout.write(`${AGENT_VERSION}\n`), 0;
  const { config } = cli;
  for (const w of cli.warnings) process.stderr.write(`rackpulse-agent: warning: ${w}\n`);

  if (cli.mode === 'check-config') {
    process.stdout.write(`${JSON.stringify({ file: cli.file, config: maskConfig(config) }, null, 2)}\n`);
    return 0;
  }

  const o = optionsFromConfig(config);
  if (cli.mode === 'once') {
    const r = await collectOnce({
      procRoot: o.procRoot, etcRoot: o.etcRoot, intervalMs: o.intervalMs, accounts: o.accounts,
      services: o.services, servicesConcurrency: o.servicesConcurrency, actions: o.actions,
    });
    process.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
    return r.sample ? 0 : 1;
  }

  const logger = createLogger(config.logLevel);
  let agent;
  try {
    agent = await runAgent({ ...o, hubUrl: config.hub!, token: config.token!, logger });
  } catch (e) {
    if (e instanceof SpoolDirError) {
      process.stderr.write(`rackpulse-agent: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
  // Runs only with node's --expose-gc, which the agent's own flags give (agent/heap-trim.ts).
  const trim = startHeapTrim();
  if (!trim) logger.info('node runs without --expose-gc: the agent leaves full collections to V8 (see deploy/rackpulse-agent.service)');
  return new Promise<number>((resolve) => {
    const shutdown = (signal: NodeJS.Signals): void => {
      logger.info({ signal, fullCollections: trim?.collections }, 'stopping');
      trim?.stop();
      // A second signal while draining stops at once.
      process.once(signal, () => resolve(0));
      agent.stop({ drainMs: 2000 }).then(() => resolve(0), () => resolve(1));
    };
    process.once('SIGINT', shutdown);
    process.once('SIGTERM', shutdown);
  });
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`rackpulse-agent: ${(e as Error)?.stack ?? String(e)}\n`);
    process.exit(1);
  },
);
