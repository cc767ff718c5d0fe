/** Fixture trees of tests/fixtures/proc and helpers shared by the agent's unit tests. */
import { readFileSync } from 'node:fs';
import { mkdtemp, rename, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { StatfsLike } from '../../../agent/collectors/filesystems.js';

export const PROC_FIXTURES = fileURLToPath(new URL('../../fixtures/proc/', import.meta.url));

/** Path of a fixture tree: "t0", "t1", "bad", "old-kernel". */
export const tree = (name: string): string => join(PROC_FIXTURES, name);

/** Text of a fixture file, e.g. fixture('t0', 'net/dev'). */
export const fixture = (name: string, rel: string): string => readFileSync(join(tree(name), rel), 'utf8');

/**
 * A proc root that can be switched between fixture trees, as /proc changes
 * between two readings: a symlink in a temp dir, replaced atomically.
 */
export async function switchableRoot(): Promise<{ root: string; use(name: string): Promise<void>; cleanup(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'rackpulse-proc-'));
  const root = join(dir, 'proc');
  let n = 0;
  return {
    root,
    async use(name) {
      const tmp = join(dir, `next${n++}`);
      await symlink(tree(name), tmp);
      await rename(tmp, root);
    },
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}

/** 4 KiB blocks of the fixture mounts; "/data" only exists in t1. */
export const FIXTURE_STATFS: Record<string, StatfsLike> = {
  '/': { bsize: 4096, blocks: 25_000_000, bfree: 10_000_000, bavail: 8_750_000 },
  '/boot/efi': { bsize: 4096, blocks: 130_000, bfree: 120_000, bavail: 120_000 },
  '/home': { bsize: 4096, blocks: 250_000_000, bfree: 200_000_000, bavail: 200_000_000 },
  '/data': { bsize: 4096, blocks: 500_000_000, bfree: 500_000_000, bavail: 475_000_000 },
};

/** A statfs over a table; unknown paths fail like the real one (ENOENT). */
export function fakeStatfs(table: Record<string, StatfsLike> = FIXTURE_STATFS) {
  return async (path: string): Promise<StatfsLike> => {
    const st = table[path];
    if (!st) throw Object.assign(new Error(`ENOENT: ${path}`), { code: 'ENOENT' });
    return st;
  };
}
