/**
 * The `/agent` namespace: agents authenticate with their host token and the
 * protocol version in the handshake, then stream samples, quota and services.
 * Every message is validated; a bad one is refused with a `reject` to that
 * agent only, and counted. Acks are cumulative (`ack` with the durable watermark).
 */
import type { Namespace, Server, Socket } from 'socket.io';
import type { ZodMiniType } from 'zod/mini';
import {
  agentAuthSchema, helloSchema, quotaSchema, samplesSchema, servicesSchema, spoolDroppedSchema, MAX_MESSAGE_BYTES, SUPPORTED_PROTOCOLS,
  type AgentToHubEvents, type HubToAgentEvents, type RejectMessage, type Stream,
} from '../../protocol/index.js';
import { hashToken } from '../auth/secrets.js';
import type { Logger } from '../logger.js';
import type { HubMetrics } from '../metrics.js';
import type { FleetState } from './fleet.state.js';
import type { IngestService } from './ingest.service.js';
import type { HostsRepository } from '../hosts/hosts.repository.js';
import { TokenBucket } from '../http/rate-limit.js';
import type { AuditService } from '../audit/audit.service.js';

/** Messages per second one agent connection may send, sustained, and at once. */
export interface AgentFloodLimit { rate: number; burst: number }

/**
 * Several hubs (server/cluster): a host's messages are handled only once this hub may write the host
 * (`claim` resolves; until then they wait, in order), and `released` is called when its agent leaves.
 */
export interface HostGate {
  claim(hostId: number, socket: { connected: boolean }): Promise<void>;
  released(hostId: number): void;
}

type AgentSocket = Socket<AgentToHubEvents, HubToAgentEvents, Record<string, never>, { hostId: number; agentVersion: string; oversized: number; tokenHash: string; bucket: TokenBucket }>;
const KNOWN_EVENTS = ['hello', 'samples', 'quota', 'services', 'spoolDropped'];

export class AgentGateway {
  readonly nsp: Namespace<AgentToHubEvents, HubToAgentEvents>;
  /** The connected agent of each host (a newer connection replaces an older one). */
  private byHost = new Map<number, AgentSocket>();
  /** Token hash → host id of tokens seen valid, so agents reconnect while the database is briefly away. Evicted on revoke/delete. */
  private tokenCache = new Map<string, number>();
  /** Counts evictions, so a token lookup that a revoke overtook is not cached. */
  private evictions = 0;
  /** Set when several hubs share the database. */
  gate: HostGate | null = null;
  /** Where agent token use is recorded: once per host per hour of connections (a reconnecting agent is not a new event). */
  audit: AuditService | null = null;
  private auditedAt = new Map<number, number>();
  private droppedListeners: ((hostId: number) => void)[] = [];

  constructor(io: Server, private hosts: HostsRepository, private ingest: IngestService, private fleet: FleetState, private log: Logger, private metrics: HubMetrics,
    private flood: AgentFloodLimit = { rate: 200, burst: 5000 }) {
    this.nsp = io.of('/agent') as any;
    this.nsp.use((socket, next) => { this.authenticate(socket as AgentSocket).then(() => next(), (err) => next(err)); });
    this.nsp.on('connection', (s) => this.onConnection(s as AgentSocket));
    ingest.onAck((hostId, stream, seq) => this.byHost.get(hostId)?.emit('ack', { stream, seq }));
  }

  private refuse(code: string, message: string, extra: Record<string, unknown> = {}): Error {
    this.metrics.authFailures.inc({ surface: 'agent' });
    return Object.assign(new Error(message), { data: { code, ...extra } });
  }

  private async authenticate(socket: AgentSocket): Promise<void> {
    const auth = agentAuthSchema.safeParse(socket.handshake.auth);
    if (!auth.success) throw this.refuse('bad_handshake', 'handshake auth must be {token, agentVersion, protocol}');
    if (!SUPPORTED_PROTOCOLS.includes(auth.data.protocol)) {
      throw this.refuse('unsupported_protocol', `protocol ${auth.data.protocol} is not supported`, { supported: SUPPORTED_PROTOCOLS });
    }
    const tokenHash = hashToken(auth.data.token);
    let hostId = this.tokenCache.get(tokenHash);
    if (hostId === undefined) {
      const epoch = this.evictions;
      let host;
      try {
        host = await this.hosts.byTokenHash(tokenHash);
      } catch {
        throw Object.assign(new Error('the hub cannot check tokens right now; retry'), { data: { code: 'unavailable' } });
      }
      if (!host || host.tokenRevokedAt !== null) throw this.refuse('invalid_token', 'unknown or revoked agent token');
      // A token revoked while it was being looked up: the row read may predate the revoke; let the agent retry.
      if (this.evictions !== epoch) throw Object.assign(new Error('the hub cannot check tokens right now; retry'), { data: { code: 'unavailable' } });
      hostId = host.id;
      this.tokenCache.set(tokenHash, hostId);
    }
    socket.data.hostId = hostId;
    socket.data.agentVersion = auth.data.agentVersion;
    socket.data.oversized = 0;
    socket.data.tokenHash = tokenHash;
    socket.data.bucket = new TokenBucket(this.flood.rate, this.flood.burst);
  }

  private onConnection(socket: AgentSocket): void {
    const hostId = socket.data.hostId;
    // Revoked between the handshake check and now.
    if (this.tokenCache.get(socket.data.tokenHash) !== hostId) { socket.disconnect(true); return; }
    const previous = this.byHost.get(hostId);
    if (previous) {
      this.log.warn({ hostId }, 'a second agent connected with the same token; closing the older connection');
      previous.disconnect(true);
    }
    this.byHost.set(hostId, socket);
    if (this.gate) {
      // Hold every message until this hub may write the host; a failed claim closes the connection (the agent retries).
      let claimed = false;
      const claim = this.gate.claim(hostId, socket).then(() => { claimed = true; return true; }, (err) => {
        this.log.warn({ hostId, err: err?.message }, 'could not take over the host; closing its agent connection');
        socket.disconnect(true);
        return false;
      });
      socket.use((_packet, next) => {
        if (claimed) return next();
        void claim.then((ok) => { if (ok) next(); });
      });
    }
    this.metrics.agents.inc();
    this.fleet.agentConnected(hostId, 1);
    this.log.info({ hostId, agentVersion: socket.data.agentVersion }, 'agent connected');
    const now = Date.now();
    if (this.audit && now - (this.auditedAt.get(hostId) ?? 0) >= 3_600_000) {
      this.auditedAt.set(hostId, now);
      void this.audit.record({ actor: { kind: 'agent', name: `host:${hostId}` }, action: 'agent.connect', target: `host:${hostId}`, outcome: 'succeeded',
        detail: { agentVersion: socket.data.agentVersion, address: socket.handshake.address } });
    }

    // The raw packet is seen before it is decoded: measure it there, refuse it when its event arrives.
    socket.conn.on('packet', (p: { type: string; data?: unknown }) => {
      if (p.type === 'message' && typeof p.data === 'string' && p.data.length > MAX_MESSAGE_BYTES) socket.data.oversized++;
      else if (p.type === 'message' && Buffer.isBuffer(p.data) && p.data.length > MAX_MESSAGE_BYTES) socket.data.oversized++;
    });

    const reject = (m: RejectMessage) => { this.metrics.rejected.inc({ reason: m.reason }); socket.emit('reject', m); };
    const guard = <T>(event: string, schema: ZodMiniType<T>, raw: unknown, stream?: Stream): T | null => {
      this.metrics.messages.inc({ event });
      if (!socket.connected) return null;
      if (!socket.data.bucket.take()) {
        // A flood: stop reading this agent at once (nothing after this message is taken, so no seq is
        // skipped); it reconnects with backoff and resends from its spool what was not acknowledged.
        reject({ event, reason: 'rate_limited', message: `more than ${this.flood.rate} messages per second; disconnecting` });
        this.log.warn({ hostId }, 'agent flooded the hub; disconnected');
        socket.disconnect(true);
        return null;
      }
      if (socket.data.oversized > 0) {
        socket.data.oversized--;
        reject({ event, reason: 'too_large', message: `message larger than ${MAX_MESSAGE_BYTES} bytes` });
        return null;
      }
      const r = schema.safeParse(raw);
      if (!r.success) {
        const i = r.error.issues[0];
        reject({ event, reason: 'invalid', message: `${i.path.join('.') || '(root)'}: ${i.message}`, ...(stream ? seqsOf(raw, stream) : {}) });
        return null;
      }
      return r.data;
    };

    socket.on('hello', async (raw, reply) => {
      const cb = typeof reply === 'function' ? reply : () => {};
      const hello = guard('hello', helloSchema, raw);
      if (!hello) return cb({ error: 'invalid hello' });
      this.fleet.hello(hostId, hello, socket.data.agentVersion);
      try { await this.hosts.recordHello(hostId, hello, socket.data.agentVersion); } catch (err: any) {
        this.log.warn({ hostId, err: err?.message }, 'could not store hello (database unreachable?)');
      }
      cb({ hostId, watermarks: this.ingest.watermarks(hostId) });
    });
    socket.on('samples', (raw) => {
      const m = guard('samples', samplesSchema, raw, 'samples');
      if (m) this.ingest.ingestSamples(hostId, m.samples);
    });
    socket.on('quota', (raw) => {
      const m = guard('quota', quotaSchema, raw, 'quota');
      if (m) this.ingest.ingestQuota(hostId, m);
    });
    socket.on('services', (raw) => {
      const m = guard('services', servicesSchema, raw, 'services');
      if (m) this.ingest.ingestServices(hostId, m);
    });
    socket.on('spoolDropped', (raw) => {
      const m = guard('spoolDropped', spoolDroppedSchema, raw);
      if (!m) return;
      const rt = this.fleet.hosts.get(hostId);
      const before = rt?.spoolDropped[m.stream] ?? 0;
      if (rt) rt.spoolDropped[m.stream] = m.dropped;
      if (m.dropped > before) this.metrics.spoolDropped.inc({ stream: m.stream }, m.dropped - before);
      this.log.warn({ hostId, stream: m.stream, dropped: m.dropped, firstSeq: m.firstSeq, lastSeq: m.lastSeq }, 'agent spool overflowed; the oldest items were dropped');
    });
    socket.onAny((event: string) => {
      if (!KNOWN_EVENTS.includes(event)) {
        if (!socket.connected) return;
        if (!socket.data.bucket.take()) {
          reject({ event: String(event).slice(0, 64), reason: 'rate_limited', message: 'too many messages; disconnecting' });
          socket.disconnect(true);
          return;
        }
        this.metrics.messages.inc({ event: 'unknown' });
        reject({ event: String(event).slice(0, 64), reason: 'unknown_event', message: 'unknown event' });
      }
    });
    socket.on('disconnect', (reason) => {
      if (this.byHost.get(hostId) === socket) { this.byHost.delete(hostId); this.gate?.released(hostId); }
      this.metrics.agents.dec();
      this.fleet.agentConnected(hostId, -1);
      this.log.info({ hostId, reason }, 'agent disconnected');
    });
  }

  /** The connected agent of a host, if any. */
  agentOf(hostId: number): AgentSocket | undefined { return this.byHost.get(hostId); }

  /** Called when a host's agent is cut off by `disconnectHost` here (other hubs do the same: see server/cluster). */
  onHostDropped(fn: (hostId: number) => void): void { this.droppedListeners.push(fn); }

  /** Close a host's agent connection (its token was revoked or the host deleted); `fromPeer`: another hub asked. */
  disconnectHost(hostId: number, fromPeer = false): void {
    if (!fromPeer) for (const l of this.droppedListeners) l(hostId);
    this.evictions++;
    for (const [hash, id] of this.tokenCache) if (id === hostId) this.tokenCache.delete(hash);
    this.byHost.get(hostId)?.disconnect(true);
  }

  get connected(): number { return this.byHost.size; }

  /** The agents connected here: host id and the hash of the token each came with. */
  *connections(): IterableIterator<{ hostId: number; tokenHash: string }> {
    for (const [hostId, s] of this.byHost) yield { hostId, tokenHash: s.data.tokenHash };
  }
}

/** First and last sequence number of a refused message, when they can be read. */
function seqsOf(raw: any, stream: Stream): { stream: Stream; seqs?: [number, number] } {
  try {
    if (stream === 'samples' && Array.isArray(raw?.samples) && raw.samples.length) {
      const a = raw.samples[0]?.seq, b = raw.samples[raw.samples.length - 1]?.seq;
      if (Number.isSafeInteger(a) && Number.isSafeInteger(b)) return { stream, seqs: [a, b] };
    } else if (Number.isSafeInteger(raw?.seq)) return { stream, seqs: [raw.seq, raw.seq] };
  } catch { /* unreadable: no seqs */ }
  return { stream };
}
