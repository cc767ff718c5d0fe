/**
 * A Spool on disk: what the hub has not acknowledged survives an agent
 * restart, in order, and is resent after the next `hello`.
 *
 * Layout and file format: disk-spool.files.ts. Per stream, items are appended
 * as JSON lines to segment files; an index (seq, file, offset, length) stays in
 * memory and the items themselves are read back only to be resent. An ack or
 * a drop moves the stream's head (segment, offset) in `state.json`, and
 * segments wholly behind the head are deleted.
 *
 * Durability: every push is written at once (a crash of the agent loses
 * nothing); segment files are fdatasync'ed at most once per `fsyncIntervalMs`
 * (default 1 s), so a power loss costs at most that much. A last line torn by
 * a crash is cut off on load. The state file is replaced by rename on every
 * head move and fsync'ed on close; if it is older than the segments after a
 * power loss, acknowledged items are resent and the hub ignores them.
 *
 * Bounds, per stream: `maxItems` and `maxBytes` (of JSON); when either is
 * exceeded the oldest items are dropped and counted. Disk use per stream stays
 * below maxBytes plus one segment.
 *
 * One process per directory: two agents sharing a spool directory corrupt it.
 */
import { closeSync, fdatasyncSync, fsyncSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { STREAMS, type Stream } from '../protocol/index.js';
import {
  ensureDir, listSegments, loadSegment, readItems, readState, segmentName, SpoolDirError, writeState, type SpoolState,
} from './disk-spool.files.js';

export { SpoolDirError } from './disk-spool.files.js';
import type { Dropped, Spool, StreamItems } from './spool.js';

export interface DiskSpoolOptions {
  /** Directory of the spool; created if missing. */
  dir: string;
  /** Items held per stream, default 7200 (two hours of 1 s samples). */
  maxItems?: number;
  /** Bytes of JSON held per stream, default 32 MiB. */
  maxBytes?: number;
  /** A segment file is closed and a new one begun past this size, bytes. Default 1 MiB. */
  segmentBytes?: number;
  /** fdatasync written segments at most this often, ms; 0: after every push. Default 1000. */
  fsyncIntervalMs?: number;
}

export const DISK_SPOOL_DEFAULTS = { maxItems: 7200, maxBytes: 32 * 1024 * 1024, segmentBytes: 1024 * 1024, fsyncIntervalMs: 1000 } as const;

/** What was found in the directory when the spool was opened. */
export interface SpoolRecovery {
  /** Items held per stream after loading. */
  items: Record<Stream, number>;
  /** Segments whose last line was torn (cut off). */
  torn: number;
  /** Lines skipped because they were not a valid item of their stream. */
  corrupt: number;
  warnings: string[];
}

/** One held item: seq, and where its line is. */
interface Entry { seq: number; seg: number; offset: number; bytes: number }
/** A segment file; `fd` is open (for appending) only for the current one. */
interface Seg { n: number; path: string; fd: number | null; size: number; dirty: boolean }

class StreamStore {
  entries: Entry[] = [];
  /** Index of the first held entry. */
  head = 0;
  segs: Seg[] = [];
  current: Seg | null = null;
  nextSeg = 1;
  bytes = 0;
  dropped = 0;
  constructor(readonly stream: Stream, readonly dir: string) {}

  get length(): number {
    return this.entries.length - this.head;
  }

  lastHeld(): number {
    return this.length > 0 ? this.entries[this.entries.length - 1].seq : 0;
  }

  /** Index of the first entry with seq > `seq`. */
  upperBound(seq: number): number {
    let lo = this.head;
    let hi = this.entries.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.entries[mid].seq <= seq) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

export class DiskSpool implements Spool {
  readonly dir: string;
  /** What opening the directory found. */
  readonly recovery: SpoolRecovery;
  readonly #opts: Required<Omit<DiskSpoolOptions, 'dir'>>;
  readonly #stores = new Map<Stream, StreamStore>();
  #state!: SpoolState;
  #timer: NodeJS.Timeout | null = null;
  #closed = false;
  #syncError: Error | null = null;

  /** Open (or create) the spool in `opts.dir`; throws SpoolDirError if it cannot be used. */
  constructor(opts: DiskSpoolOptions) {
    this.dir = opts.dir;
    this.#opts = {
      maxItems: opts.maxItems ?? DISK_SPOOL_DEFAULTS.maxItems,
      maxBytes: opts.maxBytes ?? DISK_SPOOL_DEFAULTS.maxBytes,
      segmentBytes: opts.segmentBytes ?? DISK_SPOOL_DEFAULTS.segmentBytes,
      fsyncIntervalMs: opts.fsyncIntervalMs ?? DISK_SPOOL_DEFAULTS.fsyncIntervalMs,
    };
    for (const [k, v] of Object.entries(this.#opts)) {
      if (!Number.isInteger(v) || v < (k === 'fsyncIntervalMs' ? 0 : 1)) throw new RangeError(`DiskSpool ${k} must be a ${k === 'fsyncIntervalMs' ? 'non-negative' : 'positive'} integer, got ${v}`);
    }
    try {
      this.recovery = this.#load();
    } catch (e) {
      throw e instanceof RangeError ? e : new SpoolDirError(this.dir, e);
    }
    if (this.#opts.fsyncIntervalMs > 0) {
      this.#timer = setInterval(() => this.#sync(), this.#opts.fsyncIntervalMs);
      this.#timer.unref();
    }
  }

  push<S extends Stream>(stream: S, item: StreamItems[S]): Dropped | null {
    const st = this.#store(stream);
    if (this.#closed) throw new Error('spool is closed');
    if (!(item.seq > st.lastHeld())) throw new RangeError(`${stream}: seq ${item.seq} is not above the last held seq ${st.lastHeld()}`);
    const line = Buffer.from(`${JSON.stringify(item)}\n`, 'utf8');
    let cur = st.current;
    if (!cur || (cur.size > 0 && cur.size + line.length > this.#opts.segmentBytes)) cur = this.#roll(st);
    writeSync(cur.fd!, line);
    st.entries.push({ seq: item.seq, seg: cur.n, offset: cur.size, bytes: line.length });
    cur.size += line.length;
    st.bytes += line.length;
    const ss = this.#state[stream];
    ss.lastSeq = Math.max(ss.lastSeq, item.seq);
    if (this.#opts.fsyncIntervalMs === 0) fdatasyncSync(cur.fd!);
    else cur.dirty = true;
    return this.#enforceBounds(st);
  }

  pending<S extends Stream>(stream: S, afterSeq = 0): StreamItems[S][] {
    const st = this.#store(stream);
    const out: StreamItems[S][] = [];
    let i = st.upperBound(afterSeq);
    while (i < st.entries.length) {
      const seg = st.entries[i].seg;
      let j = i;
      while (j < st.entries.length && st.entries[j].seg === seg) j++;
      const buf = readFileSync(join(st.dir, segmentName(seg)));
      out.push(...readItems<StreamItems[S]>(buf, st.entries.slice(i, j)));
      i = j;
    }
    return out;
  }

  ack(stream: Stream, seq: number): number {
    const st = this.#store(stream);
    const ss = this.#state[stream];
    const above = seq > ss.lastSeq;
    if (above) ss.lastSeq = seq;
    const to = st.upperBound(seq);
    const n = to - st.head;
    if (n > 0) this.#advance(st, to);
    // Rare (a watermark left by an earlier history): numbering must continue above it after a restart.
    else if (above) writeState(this.dir, this.#state, false);
    return n;
  }

  size(stream?: Stream): number {
    if (stream !== undefined) return this.#store(stream).length;
    let n = 0;
    for (const st of this.#stores.values()) n += st.length;
    return n;
  }

  dropped(stream: Stream): number {
    return this.#store(stream).dropped;
  }

  lastSeq(stream: Stream): number {
    return Math.max(this.#state[stream].lastSeq, this.#store(stream).lastHeld());
  }

  /** Bytes of JSON held on `stream`. */
  bytes(stream: Stream): number {
    return this.#store(stream).bytes;
  }

  /** fdatasync what was written, write the state file (fsync'ed) and close the files. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#timer) clearInterval(this.#timer);
    for (const st of this.#stores.values()) {
      for (const seg of st.segs) {
        if (seg.fd === null) continue;
        if (seg.dirty) fdatasyncSync(seg.fd);
        closeSync(seg.fd);
        seg.fd = null;
      }
      st.current = null;
    }
    writeState(this.dir, this.#state, true);
  }

  #store(stream: Stream): StreamStore {
    const st = this.#stores.get(stream);
    if (!st) throw new RangeError(`unknown stream "${String(stream)}"`);
    return st;
  }

  #load(): SpoolRecovery {
    ensureDir(resolve(this.dir));
    const { state, warning } = readState(this.dir);
    this.#state = state;
    const rec: SpoolRecovery = { items: { samples: 0, quota: 0, services: 0 }, torn: 0, corrupt: 0, warnings: warning ? [warning] : [] };
    for (const stream of STREAMS) {
      const dir = join(this.dir, stream);
      ensureDir(dir);
      const st = new StreamStore(stream, dir);
      this.#stores.set(stream, st);
      const { head } = state[stream];
      const found = listSegments(dir);
      st.nextSeg = Math.max(head.seg, found.at(-1) ?? 0) + 1;
      for (const n of found) {
        const path = join(dir, segmentName(n));
        if (n < head.seg) { unlinkSync(path); continue; }
        const l = loadSegment(path, stream, n === head.seg ? head.offset : 0, st.lastHeld());
        if (l.torn) { rec.torn++; rec.warnings.push(`${stream}/${segmentName(n)}: torn last line cut off`); }
        if (l.corrupt) { rec.corrupt += l.corrupt; rec.warnings.push(`${stream}/${segmentName(n)}: ${l.corrupt} unreadable line(s) skipped`); }
        st.segs.push({ n, path, fd: null, size: l.size, dirty: false });
        for (const it of l.items) {
          st.entries.push({ seq: it.seq, seg: n, offset: it.offset, bytes: it.bytes });
          st.bytes += it.bytes;
        }
      }
      // Smaller bounds than the previous run's drop the excess now.
      this.#enforceBounds(st, false);
      this.#setHead(st);
      this.#collect(st);
      rec.items[stream] = st.length;
    }
    // Proves the directory writable before the agent relies on it.
    writeState(this.dir, this.#state, true);
    return rec;
  }

  /** Close the current segment and begin the next. */
  #roll(st: StreamStore): Seg {
    const old = st.current;
    if (old?.fd != null) {
      if (old.dirty) fdatasyncSync(old.fd);
      closeSync(old.fd);
      old.fd = null;
      old.dirty = false;
    }
    const n = st.nextSeg++;
    const path = join(st.dir, segmentName(n));
    const seg: Seg = { n, path, fd: openSync(path, 'a', 0o600), size: 0, dirty: false };
    st.segs.push(seg);
    st.current = seg;
    // The new file's directory entry, so it is found after a power loss.
    const dfd = openSync(st.dir, 'r');
    try { fsyncSync(dfd); } finally { closeSync(dfd); }
    return seg;
  }

  /** Drop the oldest items while a bound is exceeded (always keeping the newest). */
  #enforceBounds(st: StreamStore, persist = true): Dropped | null {
    let to = st.head;
    let items = st.length;
    let bytes = st.bytes;
    while (items > 1 && (items > this.#opts.maxItems || bytes > this.#opts.maxBytes)) {
      bytes -= st.entries[to].bytes;
      to++;
      items--;
    }
    if (to === st.head) return null;
    const dropped: Dropped = { count: to - st.head, firstSeq: st.entries[st.head].seq, lastSeq: st.entries[to - 1].seq };
    st.dropped += dropped.count;
    if (persist) this.#advance(st, to);
    else this.#forget(st, to);
    return dropped;
  }

  /** Forget entries before index `to`, record the new head, delete segments behind it. */
  #advance(st: StreamStore, to: number): void {
    this.#forget(st, to);
    this.#setHead(st);
    writeState(this.dir, this.#state, false);
    this.#collect(st);
  }

  #forget(st: StreamStore, to: number): void {
    for (let i = st.head; i < to; i++) st.bytes -= st.entries[i].bytes;
    st.head = to;
    if (st.head > 1024 && st.head * 2 > st.entries.length) {
      st.entries = st.entries.slice(st.head);
      st.head = 0;
    }
  }

  #setHead(st: StreamStore): void {
    const first = st.entries[st.head];
    const ss = this.#state[st.stream];
    if (first) ss.head = { seg: first.seg, offset: first.offset };
    else if (st.current) ss.head = { seg: st.current.n, offset: st.current.size };
    // Nothing held and no file open: the next segment begins clean.
    else ss.head = { seg: st.nextSeg, offset: 0 };
    ss.lastSeq = Math.max(ss.lastSeq, st.lastHeld());
  }

  /** Delete the segments wholly behind the head (never the one being appended to). */
  #collect(st: StreamStore): void {
    const head = this.#state[st.stream].head;
    st.segs = st.segs.filter((seg) => {
      const dead = seg.n < head.seg || (seg !== st.current && seg.n === head.seg && head.offset >= seg.size);
      if (!dead) return true;
      if (seg.fd !== null) closeSync(seg.fd);
      unlinkSync(seg.path);
      return false;
    });
  }

  /** The last error of the periodic sync (a full or failing disk), if any; pushes throw theirs. */
  get lastSyncError(): Error | null {
    return this.#syncError;
  }

  /** The periodic fdatasync of the current segments. */
  #sync(): void {
    if (this.#closed) return;
    try {
      this.#syncNow();
      this.#syncError = null;
    } catch (e) {
      this.#syncError = e as Error;
    }
  }

  #syncNow(): void {
    for (const st of this.#stores.values()) {
      const cur = st.current;
      if (cur?.fd != null && cur.dirty) {
        fdatasyncSync(cur.fd);
        cur.dirty = false;
      }
    }
  }
}
