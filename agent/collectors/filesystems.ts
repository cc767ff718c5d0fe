/**
 * Space on the machine's real filesystems: mounts from /proc/self/mounts
 * (falling back to /proc/mounts), then statfs(2) on each mount point.
 *
 * Left out, by filesystem type:
 *  - pseudo and memory filesystems (proc, sysfs, tmpfs, cgroup, …): no disk;
 *  - overlay/aufs (container layers) and squashfs/iso9660 (read-only images,
 *    always full): the disk beneath them is reported on its own mount;
 *  - network filesystems (nfs, cifs, sshfs, …): the space belongs to another
 *    server, and statfs on a dead server can block for minutes.
 * A device mounted several times (bind mounts, btrfs subvolumes) is reported
 * once, at its shortest mount path. Filesystems of size 0 are left out.
 */
import { statfsSync } from 'node:fs';
import { statfs as fsStatfs } from 'node:fs/promises';
import type { Disk } from '../../protocol/index.js';
import { diskSchema } from '../../protocol/index.js';
import { fail, ok, readProcText, type ProcOptions, type Reading } from './proc.js';

/** One line of the mount table. */
export interface MountEntry {
  /** Source, e.g. "/dev/sda1" or "tank/home". */
  device: string;
  /** Mount point, e.g. "/home" (octal escapes decoded). */
  mount: string;
  /** Filesystem type, e.g. "ext4". */
  fsType: string;
}

/** What statfs(2) tells; `fs.promises.statfs` returns a superset. */
export interface StatfsLike {
  /** Block size, bytes. */
  bsize: number;
  /** Total, blocks. */
  blocks: number;
  /** Free (including reserved for root), blocks. */
  bfree: number;
  /** Available to unprivileged users, blocks. */
  bavail: number;
}
export type StatfsFn = (path: string) => Promise<StatfsLike>;

export const SKIPPED_FS_TYPES: ReadonlySet<string> = new Set([
  // pseudo and memory
  'proc', 'sysfs', 'devtmpfs', 'devpts', 'tmpfs', 'ramfs', 'rootfs', 'securityfs', 'pstore', 'debugfs',
  'tracefs', 'configfs', 'fusectl', 'mqueue', 'hugetlbfs', 'bpf', 'autofs', 'binfmt_misc', 'rpc_pipefs',
  'nsfs', 'efivarfs', 'selinuxfs', 'nfsd', 'devfs', 'sockfs', 'pipefs', 'fuse.lxcfs', 'fuse.gvfsd-fuse',
  'fuse.portal', 'fuse.snapfuse',
  // layers and images
  'overlay', 'aufs', 'squashfs', 'iso9660', 'udf',
  // network
  'nfs', 'nfs4', 'cifs', 'smb3', 'smbfs', 'fuse.sshfs', 'sshfs', 'ceph', 'glusterfs', 'fuse.glusterfs',
  'lustre', 'afs', '9p',
]);

/**
 * Local block filesystems whose statfs answers from counters in memory, without
 * I/O: measured with statfsSync, every second, without a thread-pool round trip
 * or a timeout timer. Any other type (FUSE, unknown) goes through the thread
 * pool with a timeout, since its statfs may wait on something else.
 */
export const IN_MEMORY_STATFS_TYPES: ReadonlySet<string> = new Set(['ext2', 'ext3', 'ext4', 'xfs', 'btrfs', 'f2fs', 'jfs', 'reiserfs', 'vfat', 'exfat']);

/** Whether a filesystem type is left out (see the module comment). */
export function isSkippedFsType(fsType: string): boolean {
  return SKIPPED_FS_TYPES.has(fsType) || fsType.startsWith('cgroup');
}

/** Decode the octal escapes the kernel writes for space, tab, newline and backslash ("\040"). */
export function unescapeMountField(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
}

/** Parse a mount table (/proc/self/mounts format). Malformed lines are skipped. */
export function parseMounts(text: string): Reading<MountEntry[]> {
  const out: MountEntry[] = [];
  for (const line of text.split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f.length < 3 || !f[1].startsWith('/')) continue;
    out.push({ device: unescapeMountField(f[0]), mount: unescapeMountField(f[1]), fsType: f[2] });
  }
  return out.length > 0 ? ok(out) : fail('no mount lines');
}

/** The mounts worth reporting: skipped types removed, one per device (shortest mount path, then first listed). */
export function realMounts(entries: readonly MountEntry[]): MountEntry[] {
  const byDevice = new Map<string, MountEntry>();
  for (const e of entries) {
    if (isSkippedFsType(e.fsType)) continue;
    const seen = byDevice.get(e.device);
    if (!seen || e.mount.length < seen.mount.length) byDevice.set(e.device, e);
  }
  return [...byDevice.values()];
}

/** A Disk from a mount and its statfs, in bytes; used is size − free (root's reserve counts as used). */
export function toDisk(m: MountEntry, st: StatfsLike): Disk {
  const sizeBytes = st.blocks * st.bsize;
  return {
    mount: m.mount,
    device: m.device,
    fsType: m.fsType,
    sizeBytes,
    usedBytes: Math.max(0, (st.blocks - st.bfree) * st.bsize),
    availBytes: Math.min(sizeBytes, st.bavail * st.bsize),
  };
}

export interface FilesystemsOptions extends ProcOptions {
  /** statfs implementation (tests inject one), default fs.promises.statfs. */
  statfs?: StatfsFn;
  /** Give up on one mount's statfs after this long, ms. Default 2000. */
  statfsTimeoutMs?: number;
}

/** Disks found, plus one message per mount that could not be measured. */
export interface FilesystemsResult {
  disks: Disk[];
  errors: string[];
}

const withTimeout = <T>(p: Promise<T>, ms: number, what: string): Promise<T> => {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`${what}: timed out after ${ms} ms`)), ms); });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
};

/** Read the mount table and statfs every real mount. Fails only when no mount table can be read. */
export async function readFilesystems(opts: FilesystemsOptions = {}): Promise<Reading<FilesystemsResult>> {
  let text = await readProcText('self/mounts', opts);
  if (!text.ok) {
    const fallback = await readProcText('mounts', opts);
    if (!fallback.ok) return fail(`${text.error}; ${fallback.error}`);
    text = fallback;
  }
  const parsed = parseMounts(text.value);
  if (!parsed.ok) return fail(`mount table: ${parsed.error}`);
  return ok(await measureMounts(realMounts(parsed.value), opts));
}

/** statfs each of `mounts` (at once, each within the timeout): the reportable disks and one message per mount that failed. */
export async function measureMounts(mounts: readonly MountEntry[], opts: FilesystemsOptions = {}): Promise<FilesystemsResult> {
  const statfs = opts.statfs ?? ((p: string) => fsStatfs(p));
  const timeoutMs = opts.statfsTimeoutMs ?? 2000;
  const errors: string[] = [];
  const results = await Promise.all(mounts.map(async (m) => {
    try {
      const st = !opts.statfs && IN_MEMORY_STATFS_TYPES.has(m.fsType) ? statfsSync(m.mount)
        : await withTimeout(statfs(m.mount), timeoutMs, `statfs ${m.mount}`);
      const disk = toDisk(m, st);
      if (disk.sizeBytes === 0) return null;
      const valid = diskSchema.safeParse(disk);
      if (!valid.success) {
        errors.push(`${m.mount}: not reportable (${valid.error.issues[0]?.message ?? 'invalid'})`);
        return null;
      }
      return valid.data;
    } catch (e) {
      errors.push(`statfs ${m.mount}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
      return null;
    }
  }));
  return { disks: results.filter((d): d is Disk => d !== null), errors };
}
