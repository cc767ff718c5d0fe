/**
 * Builds the browser apps (the dashboard in client/, the kiosk in kiosk/) with Vite
 * when their output is missing or older than their sources. Used by `npm start`
 * and the browser tests; `npm run build` always builds.
 * Each build writes to a fresh directory that then replaces the old output, so a
 * hub serving the old one (or a second build running at the same time) never sees
 * a half-written app.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

export interface UiApp { name: string; config: string; outDir: string; sources: string[] }

const root = resolve(import.meta.dirname, '..');
export const UI_APPS: UiApp[] = [
  { name: 'dashboard', config: 'client/vite.config.ts', outDir: 'dist/client', sources: ['client', 'protocol'] },
  { name: 'kiosk', config: 'kiosk/vite.config.ts', outDir: 'dist/kiosk', sources: ['kiosk', 'protocol'] },
];

function newestMtime(dir: string): number {
  let t = 0;
  if (!existsSync(dir)) return t;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return t;
}

export function isStale(app: UiApp): boolean {
  const index = join(root, app.outDir, 'index.html');
  return !existsSync(index) || statSync(index).mtimeMs < Math.max(...app.sources.map((s) => newestMtime(join(root, s))));
}

export function buildApp(app: UiApp, log: (m: string) => void = console.log): void {
  if (!existsSync(join(root, app.config))) return;
  log(`Building the ${app.name}…`);
  const out = join(root, app.outDir);
  const tmp = `${out}.build-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  execFileSync(process.execPath, [join(root, 'node_modules/vite/bin/vite.js'), 'build', '--config', join(root, app.config), '--outDir', tmp, '--emptyOutDir', '--logLevel', 'warn'],
    { stdio: ['ignore', 'inherit', 'inherit'], cwd: root });
  rmSync(out, { recursive: true, force: true });
  renameSync(tmp, out);
}

/** Builds every app whose output is missing or stale. */
export function ensureUiBuilt(log?: (m: string) => void): void {
  for (const app of UI_APPS) if (existsSync(join(root, app.config)) && isStale(app)) buildApp(app, log);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const app of UI_APPS) buildApp(app);
}
