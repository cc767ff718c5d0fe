/**
 * `npm start`: builds the dashboard and kiosk if needed, starts the hub on embedded SQLite
 * (data/), creates the first admin, registers this machine as a host and runs
 * a local agent for it. Ctrl-C stops both.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { loadConfig, ConfigError } from '../server/config.js';
import { createHub } from '../server/hub.js';
import { createLogger } from '../server/logger.js';
import { hashToken } from '../server/auth/secrets.js';
import { runAgent } from '../agent/agent.js';
import { ensureUiBuilt } from './build-ui.js';

const root = new URL('..', import.meta.url).pathname;
process.chdir(root);

// 1. The dashboard and the kiosk: built when missing or older than their sources.
ensureUiBuilt();

// 2. The hub, on embedded SQLite unless DATABASE_URL says otherwise.
let config;
try { config = loadConfig(); } catch (e) {
  if (e instanceof ConfigError) { console.error(e.message); process.exit(2); }
  throw e;
}
mkdirSync('data', { recursive: true });
const log = createLogger(config.LOG_LEVEL === 'info' ? 'warn' : config.LOG_LEVEL);
const hub = await createHub(config, { log });

// 3. This machine as a host, its token kept in data/local-agent.json (readable by this user only).
const stateFile = 'data/local-agent.json';
let local: { hostId: number; token: string } | null = null;
if (existsSync(stateFile)) {
  try {
    const s = JSON.parse(readFileSync(stateFile, 'utf8'));
    const h = await hub.deps.hosts.byTokenHash(hashToken(String(s.token)));
    if (h && h.tokenRevokedAt === null) local = { hostId: h.id, token: s.token };
  } catch { /* unreadable: register anew */ }
}
if (!local) {
  const base = (hostname() || 'localhost').replace(/[^A-Za-z0-9._-]/g, '-').replace(/^[^A-Za-z0-9]+/, '') || 'localhost';
  const taken = new Set((await hub.deps.hosts.list()).map((h) => h.name));
  let name = base;
  for (let i = 2; taken.has(name); i++) name = `${base}-${i}`;
  const { host, token } = await hub.deps.hosts.create(name, null);
  hub.deps.fleet.upsertHost({ id: host.id, name: host.name, monthlyCostCents: null });
  local = { hostId: host.id, token };
  writeFileSync(stateFile, JSON.stringify(local), { mode: 0o600 });
}

// 4. The local agent.
// Its spool in data/ (the agent's own default, /var/lib/rackpulse-agent, is for the systemd unit).
const agent = await runAgent({ hubUrl: hub.url, token: local.token, spool: { dir: 'data/agent-spool' }, logger: createLogger('warn').child({ svc: 'agent' }) });

const shown = config.HOST === '0.0.0.0' ? `http://localhost:${hub.port}` : hub.url;
console.log(`\nRackpulse is running at ${shown}`);
if (hub.firstAdmin) {
  console.log(`First admin: ${hub.firstAdmin.email}` + (hub.firstAdmin.password ? `  password: ${hub.firstAdmin.password}  (shown once; stored hashed)` : ' (password from ADMIN_PASSWORD)'));
}
console.log('This machine reports as a host; press Ctrl-C to stop.\n');

let stopping = false;
async function stop() {
  if (stopping) return;
  stopping = true;
  console.log('\nStopping…');
  await agent.stop({ drainMs: 1000 }).catch(() => {});
  await hub.close();
  process.exit(0);
}
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
