/**
 * A TCP proxy in front of a real service, to play "the database host stops
 * answering": `cut()` drops every connection and refuses new ones; `restore()`
 * lets them through again.
 */
import net from 'node:net';

export interface TcpProxy { port: number; cut(): void; restore(): void; close(): Promise<void> }

export async function startTcpProxy(targetPort: number, targetHost = '127.0.0.1'): Promise<TcpProxy> {
  let open = true;
  const pairs = new Set<net.Socket>();
  const server = net.createServer((client) => {
    if (!open) { client.destroy(); return; }
    const upstream = net.connect(targetPort, targetHost);
    pairs.add(client); pairs.add(upstream);
    const drop = () => { client.destroy(); upstream.destroy(); pairs.delete(client); pairs.delete(upstream); };
    client.on('error', drop); upstream.on('error', drop);
    client.on('close', drop); upstream.on('close', drop);
    client.pipe(upstream); upstream.pipe(client);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    cut() { open = false; for (const s of pairs) s.destroy(); pairs.clear(); },
    restore() { open = true; },
    close: () => new Promise((r) => { for (const s of pairs) s.destroy(); server.close(() => r()); }),
  };
}
