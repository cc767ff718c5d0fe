/**
 * Build and dev server for the dashboard SPA.
 * `npm run build` writes `dist/client/`, which the hub serves at `/` with an SPA fallback.
 * `npx vite --config client/vite.config.ts` serves it in development and proxies the hub's
 * surfaces (REST and the socket.io websocket) to a hub on http://localhost:8080.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { defineConfig, type HtmlTagDescriptor, type Plugin } from 'vite';
import type { OutputBundle } from 'rolldown';
import { svelte } from '@sveltejs/vite-plugin-svelte';

const clientDir = fileURLToPath(new URL('.', import.meta.url));
const repoDir = fileURLToPath(new URL('..', import.meta.url));
const hub = process.env.RACKPULSE_HUB ?? 'http://localhost:8080';

type Chunk = Extract<OutputBundle[string], { type: 'chunk' }>;

/** The chunk of `facade` and every chunk it imports statically (what runs when it is imported). */
function chunkWithImports(bundle: OutputBundle, facade: (c: Chunk) => boolean): Chunk[] {
  const chunks = Object.values(bundle).flatMap((c) => (c.type === 'chunk' ? [c] : []));
  const start = chunks.find(facade);
  if (!start) throw new Error('no chunk for the facade');
  const out = new Map<string, Chunk>();
  const visit = (name: string) => {
    const c = chunks.find((x) => x.fileName === name);
    if (!c || out.has(name)) return;
    out.set(name, c);
    c.imports.forEach(visit);
  };
  visit(start.fileName);
  return [...out.values()];
}

/**
 * The entry (src/main.ts) is small: it starts the session check and the socket, then imports
 * the app (src/start-app.ts). This links the app's chunk, the chunks it imports and its CSS from
 * index.html, so the browser fetches them alongside the entry instead of after it has run.
 */
function preloadApp(facade: string): Plugin {
  return {
    name: 'rackpulse:preload-app',
    apply: 'build',
    transformIndexHtml: {
      order: 'post',
      handler(html, { bundle }) {
        const app = chunkWithImports(bundle ?? {}, (c) => !!c.facadeModuleId?.endsWith(facade));
        const js = new Set(app.map((c) => c.fileName));
        const css = new Set(app.flatMap((c) => [...(c.viteMetadata?.importedCss ?? [])]));
        const tags: HtmlTagDescriptor[] = [];
        for (const f of [...css, ...js]) if (html.includes(`/${f}"`)) { css.delete(f); js.delete(f); }
        for (const f of css) tags.push({ tag: 'link', attrs: { rel: 'stylesheet', crossorigin: true, href: `/${f}` }, injectTo: 'head' });
        for (const f of js) tags.push({ tag: 'link', attrs: { rel: 'modulepreload', crossorigin: true, href: `/${f}` }, injectTo: 'head' });
        return tags;
      },
    },
  };
}

/**
 * V8's explicit compile hint (`//# allFunctionsCalledOnLoad` as a file's first line): the
 * functions of the chunks the first screen runs (the entry, the app and what they import) are
 * compiled while the file streams in, off the main thread, instead of one by one on the main
 * thread when first called. Pages loaded later are left to lazy compilation. The hint is added
 * after hashing; the name still changes whenever the code does.
 */
function compileHints(facade: string): Plugin {
  return {
    name: 'rackpulse:compile-hints',
    apply: 'build',
    enforce: 'post',
    generateBundle: {
      order: 'post',
      handler(_options, bundle) {
        const first = new Set([
          ...chunkWithImports(bundle, (c) => c.isEntry),
          ...chunkWithImports(bundle, (c) => !!c.facadeModuleId?.endsWith(facade)),
        ]);
        for (const c of first) c.code = `//# allFunctionsCalledOnLoad\n${c.code}`;
      },
    },
  };
}

/**
 * Every script, style sheet and page of the build also as `<name>.gz` (gzip -9): the hub sends
 * that to a browser that accepts gzip (koa-static), so the scripts cross the network at their
 * gzipped size instead of whole.
 */
function precompress(): Plugin {
  return {
    name: 'rackpulse:precompress',
    apply: 'build',
    writeBundle(options, bundle) {
      const dir = options.dir;
      if (!dir) return;
      for (const name of Object.keys(bundle)) {
        if (!/\.(js|css|html|svg)$/.test(name)) continue;
        const file = join(dir, name);
        writeFileSync(`${file}.gz`, gzipSync(readFileSync(file), { level: 9 }));
      }
    },
  };
}

export default defineConfig({
  root: clientDir,
  base: '/',
  plugins: [
    svelte({
      // Runes mode for our own components; a future library in node_modules keeps its own mode.
      dynamicCompileOptions: ({ filename }) =>
        filename.includes('/node_modules/') ? undefined : { runes: true },
    }),
    preloadApp('/src/start-app.ts'),
    compileHints('/src/start-app.ts'),
    precompress(),
  ],
  build: {
    outDir: fileURLToPath(new URL('../dist/client', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    rolldownOptions: {
      // The Svelte runtime is shared by the app and the lazily loaded charts: its own chunk, named for it.
      output: { codeSplitting: { groups: [{ name: 'svelte', test: /[\\/]node_modules[\\/]svelte[\\/]/ }] } },
    },
  },
  server: {
    port: 5173,
    // protocol/ lives beside client/; let the dev server read it.
    fs: { allow: [repoDir] },
    proxy: {
      '/api': { target: hub, changeOrigin: false },
      '/socket.io': { target: hub, ws: true, changeOrigin: false },
    },
  },
});
