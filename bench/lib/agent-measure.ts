/**
 * Measuring small always-on processes side by side: the agent and its
 * baseline, Debian's prometheus-node-exporter scraped once a second by this
 * process (as Prometheus would), both pinned to the same core and measured
 * over the same windows.
 *
 * CPU is utime + stime of the whole process (all threads) from
 * /proc/<pid>/stat over the window, percent of one core; RSS is VmRSS, read
 * every second, the highest reading of the window. The cores are measured too
 * (/proc/stat), so what other processes did on the measured core during a
 * window can be reported.
 */
import { existsSync, readFileSync } from 'node:fs';
import { CoreMeter, CpuMeter, freePort, rssMb, sleep, spawnPinned, waitForHttp, type Child } from './proc.js';

/** Where Debian's package puts node_exporter (`apt-get install prometheus-node-exporter`). */
export const NODE_EXPORTER = '/usr/bin/prometheus-node-exporter';

export interface NodeExporter {
  child: Child;
  url: string;
  scraper: Scraper;
  stop(): Promise<void>;
}

/**
 * Start node_exporter on `core` with its default collectors (Debian's ARGS is
 * empty), listening on a free port of 127.0.0.1, and scrape it every second
 * from now on. Null when the binary is not there.
 */
export async function startNodeExporter(core: number, path = NODE_EXPORTER): Promise<NodeExporter | null> {
  if (!existsSync(path)) return null;
  const port = await freePort();
  const child = spawnPinned('node_exporter', core, path, [`--web.listen-address=127.0.0.1:${port}`]);
  const url = `http://127.0.0.1:${port}/metrics`;
  try {
    await waitForHttp(url, child, 15000);
  } catch (e) {
    await child.stop();
    throw e;
  }
  const scraper = new Scraper(url, 1000);
  scraper.start();
  return { child, url, scraper, stop: async () => { await scraper.stop(); await child.stop(); } };
}

/** GET `url` every `everyMs` on a fixed grid (a slow scrape skips a beat, never queues), reading the whole body. */
export class Scraper {
  ok = 0;
  failed = 0;
  bytes = 0;
  lastError = '';
  private timer: NodeJS.Timeout | null = null;
  private inFlight: Promise<void> | null = null;
  private t0 = 0;
  private k = 0;
  constructor(readonly url: string, readonly everyMs: number) {}

  start(): void {
    this.t0 = performance.now();
    this.k = 0;
    this.tick();
  }

  private tick(): void {
    this.k = Math.max(this.k + 1, Math.ceil((performance.now() - this.t0) / this.everyMs));
    this.timer = setTimeout(() => this.tick(), this.t0 + this.k * this.everyMs - performance.now());
    if (this.inFlight) return;
    this.inFlight = this.scrape().finally(() => { this.inFlight = null; });
  }

  private async scrape(): Promise<void> {
    try {
      const res = await fetch(this.url, { signal: AbortSignal.timeout(5000) });
      const body = await res.text();
      if (res.status !== 200) throw new Error(`HTTP ${res.status}`);
      this.ok++;
      this.bytes += body.length;
    } catch (e) {
      this.failed++;
      this.lastError = (e as Error).message;
    }
  }

  async stop(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.inFlight;
  }
}

/** A process measured in a window. */
export interface Subject { name: string; pid: number }

export interface WindowMeasure {
  wallS: number;
  /** CPU over the window, percent of one core, per subject name. */
  cpuPct: Record<string, number>;
  /** Highest VmRSS read during the window, MiB, per subject name. */
  rssMaxMb: Record<string, number>;
  /** Busy share of each core over the window (user + nice + system), percent. */
  coreBusyPct: number[];
  /** VmRSS split at the end of the window, MiB, per subject name: anonymous, file-backed (the executable, libraries), shared memory. */
  rssSplitMb: Record<string, { anon: number; file: number; shmem: number }>;
}

/** RssAnon, RssFile and RssShmem of a process, MiB. */
export function rssSplit(pid: number): { anon: number; file: number; shmem: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) / 1024;
  return { anon: kb('RssAnon'), file: kb('RssFile'), shmem: kb('RssShmem') };
}

/**
 * Measure `subjects` for `seconds`: CPU from start to end, RSS every second.
 * Throws if a subject exits meanwhile (its /proc entry disappears).
 */
export async function measureWindow(subjects: Subject[], seconds: number): Promise<WindowMeasure> {
  const meters = subjects.map((s) => new CpuMeter(s.pid));
  const rss = subjects.map(() => 0);
  const cores = new CoreMeter();
  const readRss = () => subjects.forEach((s, i) => {
    const r = rssMb(s.pid);
    if (!Number.isFinite(r)) throw new Error(`${s.name} (pid ${s.pid}) is gone`);
    rss[i] = Math.max(rss[i], r);
  });
  const t0 = performance.now();
  cores.start();
  for (const m of meters) m.start();
  readRss();
  const end = t0 + seconds * 1000;
  for (let k = 1; ; k++) {
    const next = Math.min(end, t0 + k * 1000);
    await sleep(Math.max(0, next - performance.now()));
    if (next >= end) break;
    readRss();
  }
  const cpu = meters.map((m) => m.stop());
  const coreBusyPct = cores.stop();
  readRss();
  const wallS = (performance.now() - t0) / 1000;
  return {
    wallS,
    rssSplitMb: Object.fromEntries(subjects.map((s) => [s.name, rssSplit(s.pid)])),
    cpuPct: Object.fromEntries(subjects.map((s, i) => [s.name, cpu[i]])),
    rssMaxMb: Object.fromEntries(subjects.map((s, i) => [s.name, rss[i]])),
    coreBusyPct,
  };
}
