/**
 * Turns the collectors into one `Sample` per tick: keeps the previous counters
 * of every rate source, numbers the samples, and decides when the disks go out.
 */
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Disk, Sample } from '../protocol/index.js';
import { sampleSchema } from '../protocol/index.js';
import { cpuBusyPct, parseCpuTimes, type CpuTimes } from './collectors/cpu.js';
import { diskIoRates, parseDiskstats, type DiskStats } from './collectors/diskio.js';
import { measureMounts, parseMounts, realMounts, type FilesystemsResult, type MountEntry, type StatfsFn } from './collectors/filesystems.js';
import { parseLoadavg } from './collectors/loadavg.js';
import { parseMeminfo } from './collectors/memory.js';
import { netRates, parseNetDev, type NetDev } from './collectors/network.js';
import { fail, ok, type Reading } from './collectors/proc.js';
import { ProcReader } from './collectors/proc-reader.js';
import { Sequence } from './sequence.js';

export interface SamplerOptions {
  /** Root of the proc filesystem, default "/proc". */
  procRoot?: string;
  /** Keep the /proc files open between ticks (pread at 0). Default: true for "/proc", false elsewhere (fixture trees are swapped). */
  keepOpen?: boolean;
  /** Wall clock for `t`, Unix ms. Default Date.now. */
  now?: () => number;
  /** Monotonic clock for the time between readings, ms. Default performance.now, or `now` when only `now` is given. */
  monotonic?: () => number;
  /** Numbers of the `samples` stream (shared with the connection). Default: a new one starting at 1. */
  sequence?: Sequence;
  /** statfs used for the disks (tests inject one). */
  statfs?: StatfsFn;
  /** Send the disks at least this often, ms. Default 60000. */
  disksEveryMs?: number;
  /** A disk's used bytes moving by this share of its size counts as a change. Default 0.001 (0.1 %). */
  diskChangeFraction?: number;
}

export interface SampleResult {
  /** The sample, valid per `sampleSchema`; null only if it could not be made valid (then the seq is not used). */
  sample: Sample | null;
  /** One message per source that failed this tick; its fields are 0 in the sample. */
  errors: string[];
}

/** Previous counters of one rate source and when they were read (monotonic ms). */
interface Prev<T> { value: T; at: number }

/** Same mounts, sizes and devices, and no used figure moved by `fraction` of its size. */
export function sameDisks(a: readonly Disk[], b: readonly Disk[], fraction: number): boolean {
  if (a.length !== b.length) return false;
  const byMount = new Map(a.map((d) => [d.mount, d]));
  return b.every((d) => {
    const p = byMount.get(d.mount);
    return !!p && p.device === d.device && p.fsType === d.fsType && p.sizeBytes === d.sizeBytes
      && Math.abs(p.usedBytes - d.usedBytes) < fraction * d.sizeBytes;
  });
}

/** A parse failure's message prefixed with the file's path, as ProcReader.parse does. */
const prefixed = <T>(r: Reading<T>, root: string, rel: string): Reading<T> => (r.ok ? r : fail(`${join(root, rel)}: ${r.error}`));

/** Clamp to a finite non-negative number; collectors should never produce anything else, this makes sure. */
const nn = (n: number): number => (Number.isFinite(n) && n > 0 ? n : 0);
/**
 * Rates are rounded to keep messages small (an hour of backlog is resent as
 * JSON): bytes per second to whole bytes, CPU percent to 0.01.
 */
const bps = (n: number): number => Math.round(nn(n));
const pct = (n: number): number => Math.min(100, Math.round(nn(n) * 100) / 100);

export class Sampler {
  readonly sequence: Sequence;
  readonly #opts: SamplerOptions;
  readonly #now: () => number;
  readonly #mono: () => number;
  #cpu: Prev<CpuTimes> | null = null;
  #net: Prev<NetDev> | null = null;
  #disk: Prev<DiskStats> | null = null;
  /** Disks last sent, and when (monotonic ms). */
  #disksSent: Prev<Disk[]> | null = null;
  /** statfs in flight from an earlier tick: a slow mount must not pile up calls. */
  #fsInFlight: Promise<Reading<FilesystemsResult>> | null = null;
  /** Serialises sample(): two overlapping ticks would corrupt the previous counters. */
  #chain: Promise<unknown> = Promise.resolve();
  readonly #files: ProcReader;
  /** Which mount table was read last, and the mounts worth measuring in it (reparsed only when its bytes change). */
  #mounts: { rel: string; real: MountEntry[] } | null = null;

  constructor(opts: SamplerOptions = {}) {
    this.#opts = opts;
    this.#now = opts.now ?? Date.now;
    this.#mono = opts.monotonic ?? (opts.now ? opts.now : () => performance.now());
    this.sequence = opts.sequence ?? new Sequence();
    this.#files = new ProcReader({ procRoot: opts.procRoot, keepOpen: opts.keepOpen });
  }

  /** Close the /proc files kept open. */
  close(): void {
    this.#files.close();
  }

  /** The real mounts from the mount table (/proc/self/mounts, else /proc/mounts), then their statfs. */
  #filesystems(): Promise<Reading<FilesystemsResult>> {
    let rel = 'self/mounts';
    let text = this.#files.textIfChanged(rel);
    if (!text.ok) {
      rel = 'mounts';
      const fallback = this.#files.textIfChanged(rel);
      if (!fallback.ok) return Promise.resolve(fail(`${text.error}; ${fallback.error}`));
      text = fallback;
    }
    // Unchanged bytes (the usual case): the mounts parsed from them before.
    if (text.value === null && this.#mounts?.rel !== rel) text = this.#files.text(rel);
    if (!text.ok) return Promise.resolve(fail(text.error));
    if (text.value !== null) {
      const parsed = parseMounts(text.value);
      if (!parsed.ok) {
        this.#mounts = null;
        return Promise.resolve(fail(`mount table: ${parsed.error}`));
      }
      this.#mounts = { rel, real: realMounts(parsed.value) };
    }
    return measureMounts(this.#mounts!.real, { statfs: this.#opts.statfs }).then(ok);
  }

  /** Take one sample. Never rejects; calls are run one after the other. */
  sample(): Promise<SampleResult> {
    const run = this.#chain.then(() => this.#take());
    this.#chain = run.catch(() => undefined);
    return run.catch((e: unknown) => ({ sample: null, errors: [`sampler: ${(e as Error)?.message ?? String(e)}`] }));
  }

  async #take(): Promise<SampleResult> {
    const fsTask = this.#fsInFlight ?? this.#filesystems().finally(() => { this.#fsInFlight = null; });
    this.#fsInFlight = fsTask;
    const f = this.#files;
    const load = f.parse('loadavg', parseLoadavg);
    const mem = f.parse('meminfo', parseMeminfo);
    // The aggregate "cpu" line is the first of /proc/stat.
    const cpuLine = f.firstLine('stat');
    const cpu = cpuLine.ok ? prefixed(parseCpuTimes(cpuLine.value), f.root, 'stat') : cpuLine;
    const net = f.parse('net/dev', parseNetDev);
    const disk = f.parse('diskstats', parseDiskstats);
    // Wait for the disks only briefly: a slow statfs skips this tick's disks, not the sample.
    let timer: NodeJS.Timeout | undefined;
    const fs = await Promise.race([fsTask, new Promise<null>((r) => { timer = setTimeout(r, 250, null); })]);
    clearTimeout(timer);
    const at = this.#mono();
    const t = Math.round(this.#now());
    const errors: string[] = [];
    const got = <T>(r: Reading<T>): T | null => {
      if (r.ok) return r.value;
      errors.push(r.error);
      return null;
    };

    const l = got(load);
    const m = got(mem);
    const sample: Sample = {
      seq: this.sequence.peek(),
      t,
      load1: nn(l?.load1 ?? 0),
      load5: nn(l?.load5 ?? 0),
      load15: nn(l?.load15 ?? 0),
      cpuPct: 0,
      memUsedBytes: nn(m?.usedBytes ?? 0),
      memTotalBytes: nn(m?.totalBytes ?? 0),
      netRxBps: 0,
      netTxBps: 0,
      diskReadBps: 0,
      diskWriteBps: 0,
    };

    // Rates: against the last good reading of the same source, over the time
    // since it. A failed reading keeps the old one, so the next good reading
    // averages over the gap. The first reading of a source gives 0.
    const c = got(cpu);
    if (c) {
      if (this.#cpu && at > this.#cpu.at) sample.cpuPct = pct(cpuBusyPct(this.#cpu.value, c));
      this.#cpu = { value: c, at };
    }
    const n = got(net);
    if (n) {
      if (this.#net) {
        const r = netRates(this.#net.value, n, at - this.#net.at);
        sample.netRxBps = bps(r.rxBps);
        sample.netTxBps = bps(r.txBps);
      }
      this.#net = { value: n, at };
    }
    const d = got(disk);
    if (d) {
      if (this.#disk) {
        const r = diskIoRates(this.#disk.value, d, at - this.#disk.at);
        sample.diskReadBps = bps(r.readBps);
        sample.diskWriteBps = bps(r.writeBps);
      }
      this.#disk = { value: d, at };
    }

    if (fs === null) errors.push('filesystems: statfs still running, disks skipped this tick');
    else if (!fs.ok) errors.push(fs.error);
    else {
      errors.push(...fs.value.errors);
      const disks = fs.value.disks.slice(0, 256);
      const every = this.#opts.disksEveryMs ?? 60_000;
      const sent = this.#disksSent;
      if (!sent || at - sent.at >= every || !sameDisks(sent.value, disks, this.#opts.diskChangeFraction ?? 0.001)) {
        sample.disks = disks;
      }
    }

    const valid = sampleSchema.safeParse(sample);
    if (!valid.success) {
      errors.push(`sample invalid: ${valid.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
      return { sample: null, errors };
    }
    this.sequence.next();
    if (valid.data.disks) this.#disksSent = { value: valid.data.disks, at };
    return { sample: valid.data, errors };
  }
}
