/**
 * The on-disk format of DiskSpool (disk-spool.ts), and its directory helpers:
 *
 *   <dir>/state.json            where each stream's held items begin, its last seq, drops
 *   <dir>/<stream>/<n>.jsonl    segment files, n = 1, 2, 3 … (16 digits), one JSON item per line
 *
 * Segments are only ever appended to. The state file is replaced atomically
 * (write a temporary file, rename over). An item whose line has no final
 * newline was torn by a crash and is cut off when the segment is loaded.
 */
import { closeSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import * as z from 'zod/mini';
import { quotaSchema, sampleSchema, servicesSchema, STREAMS, type Stream } from '../protocol/index.js';

export const STATE_FILE = 'state.json';
const SEGMENT_RE = /^(\d{16})\.jsonl$/;

/** Segment file name of segment number `n`. */
export const segmentName = (n: number): string => `${String(n).padStart(16, '0')}.jsonl`;

/** Where the held items of a stream begin: segment number and byte offset in it. Everything before is gone. */
export interface Head { seg: number; offset: number }

export interface StreamState {
  head: Head;
  /** Highest seq ever pushed or acknowledged. */
  lastSeq: number;
}

const count = z.int().check(z.nonnegative());
const streamStateSchema = z.object({
  head: z.object({ seg: count, offset: count }),
  lastSeq: count,
});
const stateSchema = z.object({
  v: z.literal(1),
  streams: z.object(Object.fromEntries(STREAMS.map((s) => [s, z.optional(streamStateSchema)])) as Record<Stream, z.ZodMiniOptional<typeof streamStateSchema>>),
});
export type SpoolState = Record<Stream, StreamState>;

export const emptyStreamState = (): StreamState => ({ head: { seg: 0, offset: 0 }, lastSeq: 0 });

/** The state file, or fresh state when there is none; a damaged one is reported and treated as absent. */
export function readState(dir: string): { state: SpoolState; warning?: string } {
  const fresh = Object.fromEntries(STREAMS.map((s) => [s, emptyStreamState()])) as SpoolState;
  let text: string;
  try {
    text = readFileSync(join(dir, STATE_FILE), 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { state: fresh };
    throw e;
  }
  let parsed: z.infer<typeof stateSchema>;
  try {
    parsed = stateSchema.parse(JSON.parse(text));
  } catch {
    // Without the state, every item still in a segment is resent: the hub ignores what it already has.
    return { state: fresh, warning: `${STATE_FILE} unreadable; resending everything still in the segments` };
  }
  for (const s of STREAMS) if (parsed.streams[s]) fresh[s] = parsed.streams[s]!;
  return { state: fresh };
}

/** Replace the state file atomically; `sync`: fsync it before the rename (power-loss safe). */
export function writeState(dir: string, state: SpoolState, sync: boolean): void {
  const tmp = join(dir, `${STATE_FILE}.tmp`);
  const body = JSON.stringify({ v: 1, streams: state });
  if (sync) {
    const fd = openSync(tmp, 'w', 0o600);
    try {
      writeFileSync(fd, body);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } else {
    writeFileSync(tmp, body, { mode: 0o600 });
  }
  renameSync(tmp, join(dir, STATE_FILE));
}

/** Segment numbers present in a stream's directory, ascending. */
export function listSegments(streamDir: string): number[] {
  return readdirSync(streamDir)
    .map((f) => SEGMENT_RE.exec(f))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => Number(m[1]))
    .sort((a, b) => a - b);
}

const itemSchemas: Record<Stream, z.ZodMiniType<{ seq: number }>> = { samples: sampleSchema, quota: quotaSchema, services: servicesSchema };

/** One item found in a segment: its seq, where its line starts and how long it is (newline included), bytes. */
export interface LoadedItem { seq: number; offset: number; bytes: number }

export interface LoadedSegment {
  items: LoadedItem[];
  /** Bytes of the segment after a torn tail was cut. */
  size: number;
  /** A last line without its newline was found and cut off. */
  torn: boolean;
  /** Complete lines that were not a valid item, or out of order; skipped. */
  corrupt: number;
}

/**
 * Read the items of segment `path` from byte `from`, with seq above `afterSeq`
 * and in increasing seq order. Cuts a torn last line off the file.
 */
export function loadSegment(path: string, stream: Stream, from: number, afterSeq: number): LoadedSegment {
  const buf = readFileSync(path);
  const items: LoadedItem[] = [];
  let corrupt = 0;
  let last = afterSeq;
  let pos = from;
  while (pos < buf.length) {
    const nl = buf.indexOf(0x0a, pos);
    if (nl < 0) break;
    const item = parseLine(buf.subarray(pos, nl), stream);
    if (item && item.seq > last) {
      items.push({ seq: item.seq, offset: pos, bytes: nl + 1 - pos });
      last = item.seq;
    } else if (!item) {
      corrupt++;
    }
    pos = nl + 1;
  }
  const torn = pos < buf.length;
  if (torn) truncateSync(path, pos);
  return { items, size: pos, torn, corrupt };
}

function parseLine(line: Buffer, stream: Stream): { seq: number } | null {
  try {
    const r = itemSchemas[stream].safeParse(JSON.parse(line.toString('utf8')));
    return r.success ? r.data : null;
  } catch {
    return null;
  }
}

/** Parse the lines at the given places of one segment's bytes (checked when pushed or loaded, so parsed without a schema). */
export function readItems<T>(buf: Buffer, places: readonly { offset: number; bytes: number }[]): T[] {
  return places.map((p) => JSON.parse(buf.toString('utf8', p.offset, p.offset + p.bytes - 1)) as T);
}

/** The spool directory cannot be created, read or written. */
export class SpoolDirError extends Error {
  constructor(dir: string, cause: unknown) {
    const e = cause as NodeJS.ErrnoException;
    const why = e?.message ?? String(cause);
    super(`spool directory ${dir} is not usable: ${e?.code && !why.startsWith(e.code) ? `${e.code} ` : ''}${why}; `
      + 'set spool.dir in the config file or RACKPULSE_SPOOL_DIR to a writable directory');
    this.name = 'SpoolDirError';
  }
}

/**
 * mkdir -p, one level at a time. (Node 20's `mkdirSync(…, { recursive: true })`
 * spins forever on a path it cannot create under /proc.)
 */
export function ensureDir(dir: string): void {
  try {
    if (statSync(dir).isDirectory()) return;
    throw Object.assign(new Error(`${dir} is not a directory`), { code: 'ENOTDIR' });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  const parent = dirname(dir);
  if (parent !== dir) ensureDir(parent);
  try {
    mkdirSync(dir, { mode: 0o700 });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
  }
}
