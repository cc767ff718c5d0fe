/**
 * The hub's serving of a built browser app: hashed assets cached for good, index.html
 * (and the SPA fallback to it) asked for every time, so a new build is picked up at once.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { gzipSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { IMMUTABLE } from '../../server/http/static-cache.js';
import { startHub, type TestHub } from '../helpers/hub.js';

const ctx = { h: undefined as unknown as TestHub, dir: '' };
const cache = suite('clientFileHeaders', ctx);
cache.before(async (c) => {
  c.dir = mkdtempSync(join(tmpdir(), 'rp-static-'));
  mkdirSync(join(c.dir, 'assets'));
  writeFileSync(join(c.dir, 'index.html'), '<!doctype html><script type="module" src="/assets/app-Ab12Cd.js"></script>');
  writeFileSync(join(c.dir, 'assets/app-Ab12Cd.js'), 'export {};');
  writeFileSync(join(c.dir, 'assets/app-Ab12Cd.js.gz'), gzipSync('export {};'));
  writeFileSync(join(c.dir, 'favicon.ico'), 'icon');
  c.h = await startHub('sqlite', { CLIENT_DIR: c.dir });
});
cache.after(async (c) => {
  await c.h?.stop();
  rmSync(c.dir, { recursive: true, force: true });
});

const get = (h: TestHub, path: string) => fetch(h.url + path);

cache('should let a browser keep a hashed asset for a year without asking again', async ({ h }) => {
  const res = await get(h, '/assets/app-Ab12Cd.js');
  assert.is(res.status, 200);
  assert.is(res.headers.get('cache-control'), IMMUTABLE);
  assert.is(await res.text(), 'export {};');
});

cache('should have index.html asked for every time, by its name, at / and through the SPA fallback', async ({ h }) => {
  for (const path of ['/', '/index.html', '/some/page']) {
    const res = await get(h, path);
    assert.is(res.status, 200, path);
    assert.is(res.headers.get('cache-control'), 'max-age=0', path);
    assert.match(await res.text(), /app-Ab12Cd\.js/, path);
  }
});

cache('should not mark other files or a missing asset immutable', async ({ h }) => {
  assert.is((await get(h, '/favicon.ico')).headers.get('cache-control'), 'max-age=0');
  const missing = await get(h, '/assets/gone-Zz99.js');
  assert.is.not(missing.headers.get('cache-control'), IMMUTABLE);
});

/** A GET with exactly these request headers (fetch always asks for gzip); the raw body and headers. */
function raw(h: TestHub, path: string, headers: Record<string, string>): Promise<{ headers: Record<string, unknown>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    request(h.url + path, { headers }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (d) => parts.push(d)).on('end', () => resolve({ headers: res.headers, body: Buffer.concat(parts) })).on('error', reject);
    }).on('error', reject).end();
  });
}

cache('should send the gzipped build of a file to a browser that accepts gzip, and the file itself otherwise', async ({ h }) => {
  const gz = await raw(h, '/assets/app-Ab12Cd.js', { 'accept-encoding': 'gzip' });
  assert.is(gz.headers['content-encoding'], 'gzip');
  assert.match(String(gz.headers['content-type']), /javascript/);
  assert.is(gz.headers.vary, 'Accept-Encoding');
  assert.equal(gz.body, gzipSync('export {};'));
  const plain = await raw(h, '/assets/app-Ab12Cd.js', {});
  assert.is(plain.headers['content-encoding'], undefined);
  assert.is(plain.body.toString(), 'export {};');
});

cache.run();
