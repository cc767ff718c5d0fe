/**
 * Build and dev server for the dashboard SPA.
 * `npm run build` writes `dist/client/`, which the hub serves at `/` with an SPA fallback.
 * `npx vite --config client/vite.config.ts` serves it in development and proxies the hub's
 * surfaces (REST and the socket.io websocket) to a hub on http://localhost:8080.
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';

const clientDir = fileURLToPath(new URL('.', import.meta.url));
const repoDir = fileURLToPath(new URL('..', import.meta.url));
const hub = process.env.RACKPULSE_HUB ?? 'http://localhost:8080';

export default defineConfig({
  root: clientDir,
  base: '/',
  plugins: [
    svelte({
      // Runes mode for our own components; a future library in node_modules keeps its own mode.
      dynamicCompileOptions: ({ filename }) =>
        filename.includes('/node_modules/') ? undefined : { runes: true },
    }),
  ],
  build: {
    outDir: fileURLToPath(new URL('../dist/client', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
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
