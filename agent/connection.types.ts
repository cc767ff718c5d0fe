/**
 * Options, state, statistics and events of AgentConnection (connection.ts).
 */
import type { AgentLogger } from './log.js';
import type { AckMessage, ActionReply, Hello, HelloReply, RefreshReply, RefreshRequest, RejectMessage, SpoolDropped, Stream } from '../protocol/index.js';
import type { Sequences } from './sequence.js';
import type { Spool } from './spool.js';

export interface AgentConnectionOptions {
  /** Hub base URL, e.g. "http://hub:8080". A path, if any, is where the hub's socket.io is mounted. */
  hubUrl: string;
  /** Agent token from `POST /api/hosts`. */
  token: string;
  /** Builds the `hello` payload; called on every connect. */
  hello: () => Hello | Promise<Hello>;
  /** Unacknowledged items. Default: a new MemorySpool. */
  spool?: Spool;
  /** Per-stream counters shared with the producers. Default: new ones. */
  sequences?: Sequences;
  logger?: AgentLogger;
  /** Answers the hub's `refresh`. Default: a reply saying refresh is not supported. */
  onRefresh?: (req: RefreshRequest) => Promise<RefreshReply>;
  /** Answers the hub's `action`; gets the payload unchecked (ActionRunner checks it). Default: a reply saying no actions are configured. */
  onAction?: (req: unknown) => Promise<ActionReply>;
  /** Least time between two `spoolDropped` reports of one stream, ms. Default 5000. */
  dropReportEveryMs?: number;
  /** Give up on a `hello` reply after this long and reconnect, ms. Default 10000. */
  helloTimeoutMs?: number;
  /** First reconnect delay, ms. Default 1000. */
  reconnectionDelay?: number;
  /** Largest reconnect delay, ms. Default 30000. */
  reconnectionDelayMax?: number;
  /** Jitter of reconnect delays, 0–1. Default 0.5. */
  randomizationFactor?: number;
}

/** idle → connecting → handshaking → ready, back to connecting on loss; stopped for good. */
export type ConnectionState = 'idle' | 'connecting' | 'handshaking' | 'ready' | 'stopped';

export interface ConnectionStats {
  state: ConnectionState;
  /** Host id from the last successful `hello`, or null. */
  hostId: number | null;
  /** Successful `hello`s. */
  connects: number;
  /** Failed connection attempts (refused or unreachable). */
  connectErrors: number;
  /** `hello`s answered with an error, invalid, or not answered in time. */
  helloFailures: number;
  /** socket.io messages emitted. */
  messages: number;
  /** Items emitted per stream, resends included. */
  sent: Record<Stream, number>;
  /** Highest seq acknowledged per stream (hub watermark). */
  acked: Record<Stream, number>;
  /** Items held in the spool per stream. */
  pending: Record<Stream, number>;
  /** Items the spool threw away when full, per stream. */
  dropped: Record<Stream, number>;
  /** `reject`s received. */
  rejected: number;
  /** Unsent items renumbered past a watermark left by an earlier run. */
  renumbered: number;
  /** Items that could not be written to the spool (sent live only, if the hub was connected). */
  spoolErrors: number;
}

export interface ConnectionEvents {
  state: [ConnectionState];
  /** `hello` succeeded and the backlog was sent. */
  ready: [HelloReply];
  ack: [AckMessage];
  reject: [RejectMessage];
  connectError: [Error & { data?: unknown }];
  /** A `spoolDropped` report was sent. */
  spoolDropped: [SpoolDropped];
}
