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
 * nothing). An item still unacknowledged `fsyncIntervalMs` (default 1 s)
 * after it was written is fdatasync'ed then, with everything written before
 * it, so a power loss costs at most that much of what the hub does not hold;
 * an item the hub acknowledged in the meantime is durable there and needs no
 * fdatasync here (with the hub committing once a second, that spares most of
 * them). A last line torn by a crash, or a line left unreadable by a power
 * loss, is skipped on load. The state file (each stream's head) is replaced by
 * rename at most every `stateIntervalMs` (default 10 s) after a head move, and
 * fsync'ed on close: after a crash it may be that much behind, and the items
 * acknowledged meanwhile are resent, which the hub ignores (at or below its
 * watermark). Acknowledged items are never needed again, so nothing the hub
 * lacks can be lost that way.
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
  /** An item still unacknowledged this long after it was written is fdatasync'ed, ms; 0: after every push. Default 1000. */
  fsyncIntervalMs?: number;
  /** After a head move (ack, drop), the state file is rewritten within this long, ms; 0: at once. Default 10000. */
  stateIntervalMs?: number;
}

export const DISK_SPOOL_DEFAULTS = {
  maxItems: 7200, maxBytes: 32 * 1024 * 1024, segmentBytes: 1024 * 1024, fsyncIntervalMs: 1000, stateIntervalMs: 10_000,
} as const;

/** What the spool wrote to disk since it was opened. */
export interface DiskSpoolStats {
  /** fdatasync calls of segment files. */
  fsyncs: number;
  /** Due syncs left out because every item written since the last one was acknowledged by then. */
  fsyncsSkipped: number;
  /** State file rewrites. */
  stateWrites: number;
}

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

/** One held item: seq, where its line is, and when it was written (performance.now() ms; 0 if loaded from disk). */
interface Entry { seq: number; seg: number; offset: number; bytes: number; at: number }
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
  /** Highest seq known to be on disk for good: fdatasync'ed, loaded, or acknowledged before its sync was due. */
  syncedUpTo = 0;
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
  #timerAt = Infinity;
  #closed = false;
  #syncError: Error | null = null;
  /** The state file is behind the heads in memory since this time (performance.now() ms), or null. */
  #stateDirtySince: number | null = null;
  readonly #stats: DiskSpoolStats = { fsyncs: 0, fsyncsSkipped: 0, stateWrites: 0 };

  /** Open (or create) the spool in `opts.dir`; throws SpoolDirError if it cannot be used. */
  constructor(opts: DiskSpoolOptions) {
    this.dir = opts.dir;
    this.#opts = {
      maxItems: opts.maxItems ?? DISK_SPOOL_DEFAULTS.maxItems,
      maxBytes: opts.maxBytes ?? DISK_SPOOL_DEFAULTS.maxBytes,
      segmentBytes: opts.segmentBytes ?? DISK_SPOOL_DEFAULTS.segmentBytes,
      fsyncIntervalMs: opts.fsyncIntervalMs ?? DISK_SPOOL_DEFAULTS.fsyncIntervalMs,
      stateIntervalMs: opts.stateIntervalMs ?? DISK_SPOOL_DEFAULTS.stateIntervalMs,
    };
    for (const [k, v] of Object.entries(this.#opts)) {
      const zeroOk = k === 'fsyncIntervalMs' || k === 'stateIntervalMs';
      if (!Number.isInteger(v) || v < (zeroOk ? 0 : 1)) throw new RangeError(`DiskSpool ${k} must be a ${zeroOk ? 'non-negative' : 'positive'} integer, got ${v}`);
    }
    try {
      this.recovery = this.#load();
    } catch (e) {
      throw e instanceof RangeError ? e : new SpoolDirError(this.dir, e);
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
    const at = performance.now();
    st.entries.push({ seq: item.seq, seg: cur.n, offset: cur.size, bytes: line.length, at });
    cur.size += line.length;
    st.bytes += line.length;
    const ss = this.#state[stream];
    ss.lastSeq = Math.max(ss.lastSeq, item.seq);
    if (this.#opts.fsyncIntervalMs === 0) {
      this.#fdatasync(cur.fd!);
      st.syncedUpTo = item.seq;
    } else {
      cur.dirty = true;
      this.#arm(at + this.#opts.fsyncIntervalMs);
    }
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
    else if (above) this.#writeState(false);
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

  /** Disk writes since the spool was opened. */
  stats(): DiskSpoolStats {
    return { ...this.#stats };
  }

  /**
   * Do now what is due later: fdatasync every unacknowledged item not yet
   * synced, and rewrite the state file if it is behind. (close() does this too.)
   */
  flush(): void {
    if (this.#closed) return;
    this.#syncDue(Infinity);
  }

  /** Bytes of JSON held on `stream`. */
  bytes(stream: Stream): number {
    return this.#store(stream).bytes;
  }

  /** fdatasync what was written, write the state file (fsync'ed) and close the files. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#timer) clearTimeout(this.#timer);
    for (const st of this.#stores.values()) {
      for (const seg of st.segs) {
        if (seg.fd === null) continue;
        if (seg.dirty) this.#fdatasync(seg.fd);
        closeSync(seg.fd);
        seg.fd = null;
      }
      st.current = null;
    }
    this.#writeState(true);
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
          st.entries.push({ seq: it.seq, seg: n, offset: it.offset, bytes: it.bytes, at: 0 });
          st.bytes += it.bytes;
        }
      }
      // Smaller bounds than the previous run's drop the excess now.
      this.#enforceBounds(st, false);
      this.#setHead(st);
      this.#collect(st);
      // What was found is on disk already (an earlier run's close or sync, or the kernel's writeback).
      st.syncedUpTo = st.lastHeld();
      rec.items[stream] = st.length;
    }
    // Proves the directory writable before the agent relies on it.
    this.#writeState(true);
    return rec;
  }

  /** Close the current segment and begin the next. */
  #roll(st: StreamStore): Seg {
    const old = st.current;
    if (old?.fd != null) {
      if (old.dirty) {
        this.#fdatasync(old.fd);
        st.syncedUpTo = st.lastHeld();
      }
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
    if (this.#opts.stateIntervalMs === 0) this.#writeState(false);
    else {
      this.#stateDirtySince ??= performance.now();
      this.#arm(this.#stateDirtySince + this.#opts.stateIntervalMs);
    }
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

  /** Have #onTimer run at `at` (performance.now() ms) or earlier. */
  #arm(at: number): void {
    if (this.#closed || at >= this.#timerAt) return;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timerAt = at;
    this.#timer = setTimeout(() => this.#onTimer(), Math.max(0, at - performance.now()));
    this.#timer.unref();
  }

  #onTimer(): void {
    this.#timer = null;
    this.#timerAt = Infinity;
    if (this.#closed) return;
    try {
      this.#syncDue(performance.now());
      this.#syncError = null;
    } catch (e) {
      this.#syncError = e as Error;
      // Try again one interval later rather than never.
      this.#arm(performance.now() + Math.max(this.#opts.fsyncIntervalMs, 1000));
    }
  }

  /**
   * fdatasync each current segment whose oldest unacknowledged, unsynced item
   * was written at least fsyncIntervalMs before `now`; rewrite the state file
   * if it has been behind for stateIntervalMs. Arms the timer for what is due later.
   */
  #syncDue(now: number): void {
    const interval = this.#opts.fsyncIntervalMs;
    for (const st of this.#stores.values()) {
      const cur = st.current;
      if (cur?.fd == null || !cur.dirty) continue;
      // Only held (unacknowledged) items count; everything before the head the hub holds durably.
      const i = st.upperBound(st.syncedUpTo);
      if (i >= st.entries.length) {
        // All written since the last sync is acknowledged already.
        this.#stats.fsyncsSkipped++;
        cur.dirty = false;
        st.syncedUpTo = st.lastHeld();
        continue;
      }
      const due = st.entries[i].at + interval;
      if (due <= now) {
        this.#fdatasync(cur.fd);
        cur.dirty = false;
        st.syncedUpTo = st.lastHeld();
      } else {
        this.#arm(due);
      }
    }
    const since = this.#stateDirtySince;
    if (since !== null) {
      if (since + this.#opts.stateIntervalMs <= now) this.#writeState(false);
      else this.#arm(since + this.#opts.stateIntervalMs);
    }
  }

  #fdatasync(fd: number): void {
    fdatasyncSync(fd);
    this.#stats.fsyncs++;
  }

  #writeState(sync: boolean): void {
    writeState(this.dir, this.#state, sync);
    this.#stats.stateWrites++;
    this.#stateDirtySince = null;
  }

  /** The last error of a timed sync or state write (a full or failing disk), if any; pushes throw theirs. */
  get lastSyncError(): Error | null {
    return this.#syncError;
  }
}
