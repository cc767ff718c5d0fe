/**
 * A minimal HTTP/1.1 client for load generators: one keep-alive TCP connection,
 * one request at a time, answers read by Content-Length. It costs the generator
 * a fraction of what node:http's client does, so when one process receives 50
 * answers at once the last one is timed when it arrives, not after the parsing
 * of the 49 before it. Enough for the servers under test (Koa answers with
 * Content-Length, or 204/304 without a body); anything else is an error.
 */
import { connect, type Socket } from 'node:net';

export interface LeanReply {
  status: number;
  text: string;
  /** performance.now() when the last byte of the answer was read. */
  at: number;
}

const HEAD_END = Buffer.from('\r\n\r\n');

export class LeanConnection {
  private socket: Socket | null = null;
  private buf: Buffer = Buffer.alloc(0);
  private waiting: { resolve(r: LeanReply): void; reject(e: Error): void; headOnly: boolean } | null = null;

  constructor(private host: string, private port: number, private baseHeaders: Record<string, string> = {}) {}

  /** Send one request and read its answer; `body` is sent as JSON. */
  request(method: string, path: string, body?: unknown): Promise<LeanReply> {
    if (this.waiting) return Promise.reject(new Error('one request at a time'));
    const sock = this.socket && !this.socket.destroyed ? this.socket : this.open();
    const data = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    let head = `${method} ${path} HTTP/1.1\r\nhost: ${this.host}:${this.port}\r\n`;
    for (const [k, v] of Object.entries(this.baseHeaders)) head += `${k}: ${v}\r\n`;
    if (data) head += `content-type: application/json\r\ncontent-length: ${data.length}\r\n`;
    head += '\r\n';
    return new Promise((resolve, reject) => {
      this.waiting = { resolve, reject, headOnly: method === 'HEAD' };
      sock.write(data ? Buffer.concat([Buffer.from(head), data]) : head);
    });
  }

  close(): void {
    this.socket?.destroy();
    this.socket = null;
  }

  private open(): Socket {
    const sock = connect({ host: this.host, port: this.port, noDelay: true });
    this.socket = sock;
    this.buf = Buffer.alloc(0);
    sock.on('data', (chunk) => this.onData(chunk));
    const fail = (e: Error) => {
      if (this.socket !== sock) return; // an old connection, closed on purpose
      this.socket = null;
      const w = this.waiting;
      this.waiting = null;
      w?.reject(e);
    };
    sock.on('error', fail);
    sock.on('close', () => fail(new Error('connection closed before the answer')));
    return sock;
  }

  private onData(chunk: Buffer): void {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    const w = this.waiting;
    if (!w) return;
    const end = this.buf.indexOf(HEAD_END);
    if (end < 0) return;
    const head = this.buf.toString('latin1', 0, end);
    const status = Number(head.slice(9, 12));
    const m = /\r\ncontent-length:\s*(\d+)/i.exec(head);
    let length = 0;
    if (m) length = Number(m[1]);
    else if (!(status === 204 || status === 304 || w.headOnly)) {
      this.waiting = null;
      this.close();
      w.reject(new Error(`answer without Content-Length (HTTP ${status})`));
      return;
    }
    if (w.headOnly) length = 0;
    const total = end + 4 + length;
    if (this.buf.length < total) return;
    const text = this.buf.toString('utf8', end + 4, total);
    this.buf = this.buf.subarray(total);
    this.waiting = null;
    if (/\r\nconnection:\s*close/i.test(head)) this.close();
    w.resolve({ status, text, at: performance.now() });
  }
}
