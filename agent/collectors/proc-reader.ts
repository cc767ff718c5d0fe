/**
 * Reading the same small procfs files every second, cheaply: each file is
 * opened once and read again with pread at offset 0 into one reused buffer
 * (procfs regenerates the text on every read from the start), so a tick costs
 * one read(2) per file instead of open, fstat, read and close through the
 * thread pool. Reads are synchronous: procfs never waits on a disk.
 *
 * Files of a real procfs keep their identity for the life of the process; a
 * fixture tree in tests may be swapped under a path, so with `keepOpen: false`
 * every read opens and closes the file again (same buffer, same results).
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_PROC_ROOT, fail, ok, type Reading } from './proc.js';

export interface ProcReaderOptions {
  /** Root of the proc filesystem, default "/proc". */
  procRoot?: string;
  /** Keep files open between reads. Default: true for "/proc", false for any other root (fixture trees). */
  keepOpen?: boolean;
}

/** Largest file read whole, bytes (/proc/self/mounts of a container host can be long). */
const MAX_BYTES = 4 * 1024 * 1024;

export class ProcReader {
  readonly root: string;
  readonly #keepOpen: boolean;
  readonly #fds = new Map<string, number>();
  /** Bytes of the last textIfChanged() read per file. */
  readonly #last = new Map<string, Buffer>();
  #buf = Buffer.allocUnsafe(16 * 1024);

  constructor(opts: ProcReaderOptions = {}) {
    this.root = opts.procRoot ?? DEFAULT_PROC_ROOT;
    this.#keepOpen = opts.keepOpen ?? this.root === DEFAULT_PROC_ROOT;
  }

  /** The whole text of `<root>/<rel>` (latin1: procfs text is ASCII), or a Reading error naming the path and the cause. */
  text(rel: string): Reading<string> {
    const n = this.#read(rel);
    return typeof n === 'string' ? fail(n) : ok(this.#buf.toString('latin1', 0, n));
  }

  /**
   * Only the first line of `<root>/<rel>` (without its newline): /proc/stat's
   * aggregate cpu line without turning the kilobytes after it into a string every second.
   */
  firstLine(rel: string): Reading<string> {
    const n = this.#read(rel);
    if (typeof n === 'string') return fail(n);
    const nl = this.#buf.indexOf(10);
    return ok(this.#buf.toString('latin1', 0, nl < 0 || nl > n ? n : nl));
  }

  /**
   * The text of `<root>/<rel>` if its bytes differ from the last read through
   * this method (null when unchanged): a file that rarely changes (the mount
   * table) is compared, not decoded, every second.
   */
  textIfChanged(rel: string): Reading<string | null> {
    const n = this.#read(rel);
    if (typeof n === 'string') return fail(n);
    const last = this.#last.get(rel);
    if (last && last.length === n && this.#buf.compare(last, 0, n, 0, n) === 0) return ok(null);
    this.#last.set(rel, Buffer.from(this.#buf.subarray(0, n)));
    return ok(this.#buf.toString('latin1', 0, n));
  }

  /** Read the whole file into #buf: its length, or the error message. */
  #read(rel: string): number | string {
    const path = join(this.root, rel);
    let fd = this.#fds.get(rel);
    try {
      if (fd === undefined) {
        fd = openSync(path, 'r');
        if (this.#keepOpen) this.#fds.set(rel, fd);
      }
      for (;;) {
        const n = readSync(fd, this.#buf, 0, this.#buf.length, 0);
        if (n < this.#buf.length) return n;
        if (this.#buf.length >= MAX_BYTES) return `${path}: longer than ${MAX_BYTES} bytes`;
        this.#buf = Buffer.allocUnsafe(this.#buf.length * 2);
      }
    } catch (e) {
      // A file that failed is opened afresh next time.
      if (this.#fds.get(rel) === fd) this.#fds.delete(rel);
      if (fd !== undefined) try { closeSync(fd); } catch { /* already closed */ }
      fd = undefined;
      const code = (e as NodeJS.ErrnoException).code;
      return `${path}: ${code === 'ENOENT' ? 'missing' : code ?? (e as Error).message}`;
    } finally {
      if (fd !== undefined && !this.#keepOpen) closeSync(fd);
    }
  }

  /** Read `rel` and hand its text to a pure parser; errors are prefixed with the path. */
  parse<T>(rel: string, parse: (text: string) => Reading<T>): Reading<T> {
    const t = this.text(rel);
    if (!t.ok) return t;
    const r = parse(t.value);
    return r.ok ? r : fail(`${join(this.root, rel)}: ${r.error}`);
  }

  /** Close every file kept open. */
  close(): void {
    for (const fd of this.#fds.values()) try { closeSync(fd); } catch { /* already closed */ }
    this.#fds.clear();
  }
}
