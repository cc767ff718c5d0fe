/** Real unix users for tests (we are root here and in CI); always removed afterwards. */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';

export interface UnixUser { name: string; uid: number; gid: number; home: string }

const run = (cmd: string, args: string[]): Promise<void> => new Promise((resolve, reject) => {
  execFile(cmd, args, { timeout: 30_000, env: { ...process.env, PATH: `${process.env.PATH}:/usr/sbin:/sbin` } }, (err, _o, stderr) =>
    (err ? reject(new Error(`${cmd} ${args.join(' ')} failed: ${stderr || err.message}`)) : resolve()));
});

export async function createUnixUser(prefix = 'rpit'): Promise<UnixUser> {
  if (process.getuid?.() !== 0) throw new Error('tests with real unix users need root (CI runs as root)');
  const used = new Set<number>();
  for (const f of ['/etc/passwd', '/etc/group']) for (const l of (await readFile(f, 'utf8')).split('\n')) used.add(Number(l.split(':')[2]));
  let uid = 0;
  do uid = 20_000 + Math.floor(Math.random() * 40_000); while (used.has(uid));
  const name = `${prefix}_${randomBytes(3).toString('hex')}`;
  await run('useradd', ['-m', '-u', String(uid), '-U', '-s', '/bin/sh', name]);
  const line = (await readFile('/etc/passwd', 'utf8')).split('\n').find((l) => l.startsWith(`${name}:`))!;
  const f = line.split(':');
  return { name, uid: Number(f[2]), gid: Number(f[3]), home: f[5] };
}

export async function removeUnixUser(u: UnixUser): Promise<void> {
  await run('pkill', ['-KILL', '-u', u.name]).catch(() => {});
  await run('userdel', ['-r', '-f', u.name]).catch(() => {});
}
