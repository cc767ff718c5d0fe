/**
 * The single-file agent: `tsx agent/build.ts` bundles agent/cli.ts with
 * socket.io-client, zod/mini and pino into `dist/agent/rackpulse-agent.mjs`,
 * which runs with nothing but `node` (>= 20):
 *
 *   node dist/agent/rackpulse-agent.mjs --once
 *
 * Then it runs the bundle with `--version` to prove it loads on its own
 * (`--no-verify` skips that). Uses esbuild from node_modules.
 *
 * Memory: V8 keeps the whole source text of the module for as long as it
 * runs, so the bundle is minified (whitespace and syntax; names stay, for
 * readable stack traces) and zod's error messages in ~40 languages are left
 * out (only English is used): 1.3 MB of source became ~0.5 MB, ~4 MB less RSS.
 * The agent's schemas (its config, and protocol's agent messages) use zod's
 * functional API, zod/mini; the chained API would add ~4 MB of RSS by itself,
 * so the build fails if anything brings it into the bundle.
 * The V8 flags the agent runs with are in AGENT_NODE_FLAGS (shebang, and the
 * systemd unit's ExecStart).
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild';
import { AGENT_VERSION } from './version.js';

const root = fileURLToPath(new URL('..', import.meta.url));
/** `--outfile=PATH` builds elsewhere (e.g. to compare two builds); default dist/agent/rackpulse-agent.mjs. */
const outfile = process.argv.find((a) => a.startsWith('--outfile='))?.slice('--outfile='.length) ?? `${root}dist/agent/rackpulse-agent.mjs`;

/**
 * Node flags of the agent, the same as deploy/rackpulse-agent.service's ExecStart (whose comment
 * says what each saves; bench/agent.bench.ts runs the agent with the unit's): V8's interpreter only
 * (no machine code made at run time), 1 MiB semi-spaces that do not grow back, V8 favouring memory
 * over speed, unused bytecode dropped at the next full collection, and the `gc` that
 * agent/heap-trim.ts calls; and one malloc arena (the unit's Environment=MALLOC_ARENA_MAX=1), set by
 * env in the shebang.
 */
const AGENT_NODE_FLAGS = [
  '--jitless', '--no-expose-wasm', '--max-semi-space-size=1', '--semi-space-growth-factor=1', '--optimize-for-size',
  '--bytecode-old-age=1', '--expose-gc',
];
const AGENT_ENV = ['MALLOC_ARENA_MAX=1'];

/** zod's `locales` namespace with English only (the agent never switches locale). */
const zodEnglishOnly: Plugin = {
  name: 'zod-english-only',
  setup(b) {
    b.onLoad({ filter: /[\\/]zod[\\/]v4[\\/]locales[\\/]index\.js$/ }, () => ({
      contents: "export { default as en } from './en.js';",
      loader: 'js',
    }));
  },
};

/**
 * socket.io-client, engine.io-client and socket.io-parser resolve, for Node, to
 * their "esm-debug" builds, which load the `debug` package (with supports-color,
 * tty, os) and call a debug logger on every packet. Their "esm" builds are the
 * same code without those calls (the transports are still the Node ones).
 */
const socketIoWithoutDebug: Plugin = {
  name: 'socket.io-without-debug',
  setup(b) {
    b.onResolve({ filter: /^(socket\.io-client|engine\.io-client|socket\.io-parser)$/ }, async (args) => {
      if (args.pluginData === 'rp-nodebug') return undefined;
      const r = await b.resolve(args.path, { kind: args.kind, resolveDir: args.resolveDir, importer: args.importer, pluginData: 'rp-nodebug' });
      if (r.errors.length) return { errors: r.errors };
      const path = r.path.replace(/([\\/])build\1esm-debug\1/, '$1build$1esm$1');
      if (path === r.path) throw new Error(`${args.path}: expected its esm-debug build, resolved ${r.path}`);
      return { path };
    });
  },
};

/**
 * Modules the agent bundles but never runs, replaced by stubs that throw if
 * they ever are (so nothing changes silently): engine.io-client's HTTP
 * long-polling transport (xmlhttprequest-ssl, which loads child_process; the
 * agent connects by WebSocket only, connection.ts) and pino's worker-thread
 * transports (thread-stream, which loads worker_threads; the agent logs to
 * stderr synchronously, log.ts). Each Node built-in module loaded costs
 * memory: its compiled code, and the pages of the node executable holding
 * its source.
 */
const unusedModules: Plugin = {
  name: 'unused-modules',
  setup(b) {
    b.onResolve({ filter: /^(xmlhttprequest-ssl|thread-stream)$/ }, (args) => ({ path: args.path, namespace: 'rp-unused' }));
    b.onLoad({ filter: /.*/, namespace: 'rp-unused' }, (args) => ({
      contents: `module.exports = function unavailable() { throw new Error(${JSON.stringify(`${args.path} is left out of the agent's single-file build (agent/build.ts)`)}); };`,
      loader: 'js',
    }));
  },
};

/**
 * Two Node built-ins that logging dependencies load at start and the agent
 * does not need there. pino reads `isMainThread` from worker_threads (for
 * asynchronous logging only; the agent logs synchronously, log.ts): pino runs
 * on the agent's main thread, the only thread the agent has, so it gets
 * `true`. sonic-boom's `assert` (called only in its fsync path) loads on its
 * first call. Loaded at start, the two cost a `node` with the agent's flags
 * ~0.9 MB of RSS (worker_threads brings Node's worker and message-port
 * machinery with it).
 */
const lazyBuiltins: Plugin = {
  name: 'lazy-builtins',
  setup(b) {
    b.onResolve({ filter: /^(node:)?(worker_threads|assert)$/ }, (args) => {
      if (!/[\\/]node_modules[\\/](pino|sonic-boom)[\\/]/.test(args.importer)) return undefined;
      return { path: args.path.replace(/^node:/, ''), namespace: 'rp-lazy' };
    });
    b.onLoad({ filter: /^worker_threads$/, namespace: 'rp-lazy' }, () => ({
      contents: 'exports.isMainThread = true;',
      loader: 'js',
    }));
    b.onLoad({ filter: /^assert$/, namespace: 'rp-lazy' }, () => ({
      contents: "module.exports = function assert(...args) { return require('node:assert')(...args); };",
      loader: 'js',
    }));
  },
};

/**
 * protocol/ only declares schemas and types, and the agent uses a few of its
 * modules: marked free of side effects, the modules whose exports the agent
 * never uses (the dashboard's live, alerts and kiosk schemas) are left out of
 * the bundle instead of having their zod schemas built at start and kept; with
 * them goes zod's chained API, which those modules are written with.
 */
const protocolWithoutSideEffects: Plugin = {
  name: 'protocol-without-side-effects',
  setup(b) {
    b.onResolve({ filter: /protocol[\\/][^\\/]+\.js$/ }, async (args) => {
      if (args.pluginData === 'rp-protocol') return undefined;
      const r = await b.resolve(args.path, { kind: args.kind, resolveDir: args.resolveDir, importer: args.importer, pluginData: 'rp-protocol' });
      if (r.errors.length) return { errors: r.errors };
      return { ...r, sideEffects: false };
    });
  },
};

const result = await build({
  entryPoints: [`${root}agent/cli.ts`],
  metafile: true,
  outfile,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  minifyWhitespace: true,
  minifySyntax: true,
  sourcemap: false,
  plugins: [zodEnglishOnly, socketIoWithoutDebug, unusedModules, lazyBuiltins, protocolWithoutSideEffects],
  legalComments: 'eof',
  // Optional native speed-ups of the ws package; without them it uses plain JS.
  external: ['bufferutil', 'utf-8-validate'],
  // CommonJS dependencies (pino, ws) call require() on Node built-ins.
  banner: {
    js: [
      `#!/usr/bin/env -S ${AGENT_ENV.join(' ')} node ${AGENT_NODE_FLAGS.join(' ')}`,
      `// rackpulse-agent ${AGENT_VERSION}, single-file build (agent/build.ts)`,
      "import { createRequire as __rpCreateRequire } from 'node:module';",
      'const require = __rpCreateRequire(import.meta.url);',
    ].join('\n'),
  },
  logLevel: 'warning',
});
// What ended up in the output (a module whose code was all left out is still among the inputs).
const bundled = Object.values(result.metafile.outputs).flatMap((o) => Object.entries(o.inputs).filter(([, i]) => i.bytesInOutput > 0).map(([f]) => f));
const chained = bundled.filter((f) => /[\\/]zod[\\/]v4[\\/]classic[\\/]/.test(f));
if (chained.length) {
  throw new Error(`zod's chained API got into the agent's bundle (${chained.length} files, e.g. ${chained[0]}): ` +
    "the agent's schemas must import from 'zod/mini' (see protocol/agent.schema.ts)");
}
chmodSync(outfile, 0o755);
console.log(`built ${outfile} (${Math.round(statSync(outfile).size / 1024)} KiB)`);

if (!process.argv.includes('--no-verify')) {
  // Run from an empty directory with no NODE_PATH: nothing but the bundle can be found.
  const v = execFileSync(process.execPath, [outfile, '--version'], { cwd: '/', env: { PATH: process.env.PATH ?? '' } }).toString().trim();
  if (v !== AGENT_VERSION) throw new Error(`the bundle printed "${v}", expected "${AGENT_VERSION}"`);
  console.log(`verified: node ${outfile} --version → ${v}`);
}
