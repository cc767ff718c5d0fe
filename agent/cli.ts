/**
 * `npm run agent -- --hub URL --token TOKEN [--interval MS] [--once]`
 *
 * Flags win over the environment (RACKPULSE_HUB, RACKPULSE_TOKEN,
 * RACKPULSE_INTERVAL_MS, PROC_ROOT, LOG_LEVEL). `--once` needs no hub: it
 * prints `{hello, sample, errors}` as JSON, the sample taken one interval
 * after a first reading so its rates are real, and exits 0.
 * Exit codes: 0 done or stopped by SIGINT/SIGTERM, 1 failure, 2 bad usage.
 */
import { collectOnce, runAgent } from './agent.js';
import { parseCli, UsageError, USAGE } from './cli-args.js';
import { createLogger } from './log.js';
import { AGENT_VERSION } from './version.js';

async function main(): Promise<number> {
  let cfg: ReturnType<typeof parseCli>;
  try {
    cfg = parseCli(process.argv.slice(2), process.env);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    process.stderr.write(`rackpulse-agent: ${e.message}\n${USAGE}\n`);
    return 2;
  }
  if (cfg === 'help') return process.stdout.write(`${USAGE}\n`), 0;
  if (cfg === 'version') return process.stdout.write(`${AGENT_VERSION}\n`), 0;

  if (cfg.once) {
    const r = await collectOnce({ procRoot: cfg.procRoot, intervalMs: cfg.intervalMs });
    process.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
    return r.sample ? 0 : 1;
  }

  const logger = createLogger(cfg.logLevel);
  const agent = await runAgent({ hubUrl: cfg.hubUrl!, token: cfg.token!, intervalMs: cfg.intervalMs, procRoot: cfg.procRoot, logger });
  return new Promise<number>((resolve) => {
    const shutdown = (signal: NodeJS.Signals): void => {
      logger.info({ signal }, 'stopping');
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
