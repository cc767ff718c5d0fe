/**
 * Build and dev server for the NOC kiosk: the wall display (`index.html`, served by the hub
 * at `/kiosk/`) and the touchscreen controller (`touch.html`, served at `/kiosk/touch`).
 * `npm run build` writes `dist/kiosk/`. `npx vite --config kiosk/vite.config.ts` serves both
 * pages in development and proxies the hub's REST and socket.io surfaces to a hub on
 * http://localhost:8080.
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const kioskDir = fileURLToPath(new URL('.', import.meta.url));
const repoDir = fileURLToPath(new URL('..', import.meta.url));
const hub = process.env.RACKPULSE_HUB ?? 'http://localhost:8080';

export default defineConfig({
  root: kioskDir,
  base: '/kiosk/',
  build: {
    outDir: fileURLToPath(new URL('../dist/kiosk', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    // The hub's CSP allows only same-origin scripts: no inline polyfill.
    modulePreload: { polyfill: false },
    rollupOptions: {
      input: {
        index: fileURLToPath(new URL('index.html', import.meta.url)),
        touch: fileURLToPath(new URL('touch.html', import.meta.url)),
      },
    },
  },
  server: {
    port: 5174,
    fs: { allow: [repoDir] },
    proxy: {
      '/api': { target: hub, changeOrigin: false },
      '/socket.io': { target: hub, ws: true, changeOrigin: false },
    },
  },
});
