/**
 * The single-file agent: `tsx agent/build.ts` bundles agent/cli.ts with
 * socket.io-client, zod and pino into `dist/agent/rackpulse-agent.mjs`,
 * which runs with nothing but `node` (>= 20):
 *
 *   node dist/agent/rackpulse-agent.mjs --once
 *
 * Then it runs the bundle with `--version` to prove it loads on its own
 * (`--no-verify` skips that). Uses esbuild from node_modules.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { AGENT_VERSION } from './version.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const outfile = `${root}dist/agent/rackpulse-agent.mjs`;

await build({
  entryPoints: [`${root}agent/cli.ts`],
  outfile,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  minify: false,
  sourcemap: false,
  legalComments: 'eof',
  // Optional native speed-ups of the ws package; without them it uses plain JS.
  external: ['bufferutil', 'utf-8-validate'],
  // CommonJS dependencies (pino, ws) call require() on Node built-ins.
  banner: {
    js: [
      '#!/usr/bin/env node',
      `// rackpulse-agent ${AGENT_VERSION}, single-file build (agent/build.ts)`,
      "import { createRequire as __rpCreateRequire } from 'node:module';",
      'const require = __rpCreateRequire(import.meta.url);',
    ].join('\n'),
  },
  logLevel: 'warning',
});
chmodSync(outfile, 0o755);
console.log(`built ${outfile} (${Math.round(statSync(outfile).size / 1024)} KiB)`);

if (!process.argv.includes('--no-verify')) {
  // Run from an empty directory with no NODE_PATH: nothing but the bundle can be found.
  const v = execFileSync(process.execPath, [outfile, '--version'], { cwd: '/', env: { PATH: process.env.PATH ?? '' } }).toString().trim();
  if (v !== AGENT_VERSION) throw new Error(`the bundle printed "${v}", expected "${AGENT_VERSION}"`);
  console.log(`verified: node ${outfile} --version → ${v}`);
}
