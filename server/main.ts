/** `npm run hub`: run the hub with the environment (see server/config.ts). */
import { loadConfig, ConfigError } from './config.js';
import { createHub } from './hub.js';
import { createLogger } from './logger.js';

let config;
try {
  config = loadConfig();
} catch (e) {
  if (e instanceof ConfigError) { console.error(e.message); process.exit(2); }
  throw e;
}
const log = createLogger(config.LOG_LEVEL);
const hub = await createHub(config, { log });
if (hub.firstAdmin?.password) {
  // Printed once, to the terminal only: it is stored hashed.
  process.stderr.write(`\nFirst admin created: ${hub.firstAdmin.email}  password: ${hub.firstAdmin.password}\n(shown once; change it after signing in)\n\n`);
}
let stopping = false;
const stop = async (signal: string) => {
  if (stopping) return;
  stopping = true;
  log.info({ signal }, 'stopping');
  await hub.close();
  process.exit(0);
};
process.on('SIGINT', () => void stop('SIGINT'));
process.on('SIGTERM', () => void stop('SIGTERM'));
