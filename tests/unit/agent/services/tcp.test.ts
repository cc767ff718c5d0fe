import { createServer, type Server } from 'node:net';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { checkTcp } from '../../../../agent/services/tcp.js';

const listen = (s: Server): Promise<number> => new Promise((r) => s.listen(0, '127.0.0.1', () => r((s.address() as { port: number }).port)));

const tcp = suite('checkTcp');
let server: Server;
let open = 0;
let closed = 0;
tcp.before(async () => {
  server = createServer((c) => c.destroy());
  open = await listen(server);
  const gone = createServer();
  closed = await listen(gone);
  await new Promise((r) => gone.close(r));
});
tcp.after(() => new Promise<void>((r) => server.close(() => r())));

tcp('should be up with a latency when the port accepts', async () => {
  const o = await checkTcp({ host: '127.0.0.1', port: open }, 2000);
  assert.is(o.status, 'up');
  assert.ok(o.latencyMs >= 0 && o.latencyMs < 2000);
  assert.is(o.reason, undefined);
});

tcp('should be down with "connection refused" on a closed port', async () => {
  const o = await checkTcp({ host: '127.0.0.1', port: closed }, 2000);
  assert.equal([o.status, o.reason], ['down', 'connection refused']);
});

tcp('should close its connection at once after it is accepted', async () => {
  const ended = new Promise<boolean>((resolve) => {
    const probe = createServer((c) => { c.on('close', () => resolve(true)); c.resume(); });
    probe.listen(0, '127.0.0.1', async () => {
      const o = await checkTcp({ host: '127.0.0.1', port: (probe.address() as { port: number }).port }, 2000);
      assert.is(o.status, 'up');
      probe.close();
    });
  });
  assert.ok(await ended);
});

tcp('should be down naming the failure when the host name does not resolve', async () => {
  const o = await checkTcp({ host: 'no-such-host.invalid', port: 80 }, 2000);
  assert.is(o.status, 'down');
  assert.match(o.reason!, /name not found|name lookup failed|timeout/);
});
tcp.run();
