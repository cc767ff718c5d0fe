/** Fixture paths of tests/fixtures/accounts and helpers shared by the accounts tests. */
import { readFileSync } from 'node:fs';
import { chmod, mkdtemp, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ACCOUNTS_FIXTURES = fileURLToPath(new URL('../../../fixtures/accounts/', import.meta.url));

/** Path inside tests/fixtures/accounts, e.g. at('proc-t0'), at('etc'). */
export const at = (...rel: string[]): string => join(ACCOUNTS_FIXTURES, ...rel);

/** Text of a fixture file, e.g. text('repquota', 'default.txt'). */
export const text = (...rel: string[]): string => readFileSync(at(...rel), 'utf8');

/** A temp directory, removed by cleanup(). */
export async function tempDir(prefix = 'rackpulse-accounts-'): Promise<{ dir: string; cleanup(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** A proc root that can be switched between fixture trees (a symlink replaced atomically), as /proc changes between scans. */
export async function switchableProc(): Promise<{ root: string; use(name: string): Promise<void>; cleanup(): Promise<void> }> {
  const { dir, cleanup } = await tempDir('rackpulse-proc-');
  const root = join(dir, 'proc');
  let n = 0;
  return {
    root,
    async use(name) {
      const tmp = join(dir, `next${n++}`);
      await symlink(at(name), tmp);
      await rename(tmp, root);
    },
    cleanup,
  };
}

/**
 * An executable standing in for repquota: prints a fixture file (or sleeps,
 * or fails), so the real execFile path is exercised without the quota package.
 */
export async function fakeRepquota(dir: string, behaviour: { fixture?: string; sleepS?: number; exitCode?: number; stderr?: string }): Promise<string> {
  const path = join(dir, `repquota-${Math.random().toString(36).slice(2)}`);
  const lines = ['#!/bin/sh'];
  if (behaviour.sleepS) lines.push(`sleep ${behaviour.sleepS}`);
  if (behaviour.fixture) lines.push(`cat '${at('repquota', behaviour.fixture)}'`);
  if (behaviour.stderr) lines.push(`echo '${behaviour.stderr}' >&2`);
  lines.push(`exit ${behaviour.exitCode ?? 0}`);
  await writeFile(path, lines.join('\n') + '\n');
  await chmod(path, 0o755);
  return path;
}
