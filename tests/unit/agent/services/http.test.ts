import { createServer, type Server } from 'node:http';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { checkHttp } from '../../../../agent/services/http.js';

/** A server whose behaviour the test switches: answer 200, answer too late, answer 500, redirect. */
let mode: 'ok' | 'slow' | 'error' | 'redirect' = 'ok';
let server: Server;
let base = '';
const spec = (path = '/', o: Partial<Parameters<typeof checkHttp>[0]> = {}) => ({
  url: `${base}${path}`, method: 'GET' as const, followRedirects: 0, tlsVerify: true, ...o,
});

const http = suite('checkHttp');
http.before(async () => {
  server = createServer((req, res) => {
    if (req.url === '/target') return void res.writeHead(204).end();
    if (mode === 'ok') return void res.writeHead(200).end('fine');
    if (mode === 'error') return void res.writeHead(500).end('broken');
    if (mode === 'redirect') return void res.writeHead(302, { location: '/target' }).end();
    setTimeout(() => { if (!res.destroyed) res.writeHead(200).end('late'); }, 1000);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
http.after(() => {
  server.closeAllConnections();
  return new Promise<void>((r) => server.close(() => r()));
});

http('should be up with "HTTP 200" when the server answers 200', async () => {
  mode = 'ok';
  const o = await checkHttp(spec(), 2000);
  assert.equal([o.status, o.reason], ['up', 'HTTP 200']);
  assert.ok(o.latencyMs < 2000);
});

http('should be down with "timeout after N ms" when the server turns slow', async () => {
  mode = 'slow';
  const t0 = Date.now();
  const o = await checkHttp(spec(), 200);
  assert.equal([o.status, o.reason], ['down', 'timeout after 200 ms']);
  assert.ok(Date.now() - t0 < 900, 'gave up at its timeout');
});

http('should be down with "HTTP 500" when the server answers 500', async () => {
  mode = 'error';
  const o = await checkHttp(spec(), 2000);
  assert.equal([o.status, o.reason], ['down', 'HTTP 500']);
});

http('should judge by expectStatus when given', async () => {
  mode = 'error';
  assert.is((await checkHttp(spec('/', { expectStatus: [500] }), 2000)).status, 'up');
  mode = 'ok';
  const o = await checkHttp(spec('/', { expectStatus: [204] }), 2000);
  assert.equal([o.status, o.reason], ['down', 'HTTP 200, expected 204']);
});

http('should take a redirect as the answer unless followRedirects allows one', async () => {
  mode = 'redirect';
  assert.equal((await checkHttp(spec('/', { expectStatus: [204] }), 2000)).reason, 'HTTP 302, expected 204');
  const o = await checkHttp(spec('/', { expectStatus: [204], followRedirects: 1 }), 2000);
  assert.equal([o.status, o.reason], ['up', 'HTTP 204']);
});

http('should be down with "connection refused" when nothing listens', async () => {
  const o = await checkHttp({ ...spec(), url: 'http://127.0.0.1:1/' }, 2000);
  assert.equal([o.status, o.reason], ['down', 'connection refused']);
});
http.run();
