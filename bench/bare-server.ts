/**
 * The ingest baseline: a bare socket.io server that does only what the
 * transport forces on the hub. On `/agent` it accepts any auth, answers `hello`,
 * counts `samples` messages and acknowledges cumulatively like the hub
 * (`ack` {stream:'samples', seq} with the highest seq, every ACK_INTERVAL_MS).
 * No validation, no state, no storage, no dashboards.
 *
 * Env: PORT (0 = any), HOST (127.0.0.1), ACK_INTERVAL_MS (250, the hub's default flush interval).
 * GET /healthz → 200; GET /stats → {connections, messages, samples}.
 */
import { createServer } from 'node:http';
import { Server, type Socket } from 'socket.io';
import { MAX_MESSAGE_BYTES, type AgentToHubEvents, type HubToAgentEvents } from '../protocol/index.js';

const port = Number(process.env.PORT ?? 0);
const host = process.env.HOST ?? '127.0.0.1';
const ackIntervalMs = Number(process.env.ACK_INTERVAL_MS ?? 250);

let messages = 0;
let samples = 0;

interface Conn { socket: Socket<AgentToHubEvents, HubToAgentEvents>; seq: number }
/** Connections that received samples since the last ack round. */
const dirty = new Set<Conn>();

const http = createServer((req, res) => {
  if (req.url === '/healthz') { res.writeHead(200, { 'content-type': 'text/plain' }).end('ok'); return; }
  if (req.url === '/stats') {
    res.writeHead(200, { 'content-type': 'application/json' })
      .end(JSON.stringify({ connections: io.of('/agent').sockets.size, messages, samples }));
    return;
  }
  res.writeHead(404).end();
});

const io = new Server(http, { serveClient: false, maxHttpBufferSize: MAX_MESSAGE_BYTES });

io.of('/agent').on('connection', (socket: Socket<AgentToHubEvents, HubToAgentEvents>) => {
  const conn: Conn = { socket, seq: 0 };
  socket.on('hello', (_hello, reply) => {
    if (typeof reply === 'function') reply({ hostId: 1, watermarks: { samples: 0, quota: 0, services: 0 } });
  });
  socket.on('samples', (m) => {
    messages++;
    // Not validation: only enough not to crash on junk.
    const list = m && Array.isArray(m.samples) ? m.samples : null;
    if (!list || list.length === 0) return;
    samples += list.length;
    const last = list[list.length - 1]?.seq;
    if (typeof last === 'number' && last > conn.seq) { conn.seq = last; dirty.add(conn); }
  });
  socket.on('disconnect', () => dirty.delete(conn));
});

setInterval(() => {
  for (const c of dirty) c.socket.emit('ack', { stream: 'samples', seq: c.seq });
  dirty.clear();
}, ackIntervalMs);

// Exit with the runner even if it dies without killing us (we get re-parented).
const parent = process.ppid;
setInterval(() => { if (process.ppid !== parent) process.exit(0); }, 1000).unref();
for (const sig of ['SIGTERM', 'SIGINT'] as const) process.on(sig, () => process.exit(0));

http.listen(port, host, () => {
  const addr = http.address();
  console.log(`bare socket.io server on ${host}:${typeof addr === 'object' && addr ? addr.port : port}`);
});
