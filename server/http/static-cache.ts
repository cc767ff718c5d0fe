/**
 * Headers of the built browser apps' files. Vite names every file under `assets/` by a hash of
 * its content, so a browser may keep them for a year without asking again (a new build has new
 * names); `index.html`, which names the current files, is asked for every time (max-age=0).
 * The build also writes each file gzipped (`<name>.gz`), which koa-static sends to a browser
 * that accepts gzip: responses vary by Accept-Encoding.
 */
import type { ServerResponse } from 'node:http';
import { relative, sep } from 'node:path';

export const IMMUTABLE = 'public, max-age=31536000, immutable';

/** koa-static's `setHeaders` for the app built into `dir`: hashed assets immutable, the rest left to `maxage`. */
export function clientFileHeaders(dir: string): (res: ServerResponse, path: string) => void {
  return (res, path) => {
    res.setHeader('Vary', 'Accept-Encoding');
    if (relative(dir, path).startsWith(`assets${sep}`)) res.setHeader('Cache-Control', IMMUTABLE);
  };
}
