/**
 * Wake-ups across several hubs on one database, over Redis pub/sub (ioredis API).
 * A push wakes this hub's long-polls directly and publishes `<hub id> <queue>` on one
 * channel; every other hub wakes its own. Redis only carries the nudge: the messages
 * and cursors are in the database, so a lost nudge delays an answer, it never loses a
 * message. After a connection comes back, every queue is re-checked (`*`), here and,
 * for the nudges this hub could not publish meanwhile, on the other hubs.
 */
import { randomBytes } from 'node:crypto';
import type { Logger } from '../logger.js';
import { LocalQueueWaker } from './queue.waker.js';

/** The part of an ioredis client used here (an `ioredis` `Redis` instance satisfies it). */
export interface RedisPubSubClient {
  publish(channel: string, message: string): Promise<unknown>;
  subscribe(channel: string): Promise<unknown>;
  on(event: string, fn: (...args: any[]) => void): unknown;
  quit(): Promise<unknown>;
}

export const WAKE_CHANNEL = 'rackpulse:queue:wake';
const ANY_QUEUE = '*';

export class RedisQueueWaker extends LocalQueueWaker {
  /** Tells this hub's own messages apart from the other hubs'. */
  readonly hubId = randomBytes(6).toString('hex');
  private pubDown = false;
  private closed = false;

  /** `pub` publishes; `sub` is a second connection, which subscribing turns into subscriber mode. */
  constructor(private pub: RedisPubSubClient, private sub: RedisPubSubClient, private log?: Logger, private channel = WAKE_CHANNEL) {
    super();
    sub.on('message', (ch: string, message: string) => {
      if (ch !== this.channel) return;
      const sp = message.indexOf(' ');
      if (sp < 0 || message.slice(0, sp) === this.hubId) return;
      const queue = message.slice(sp + 1);
      this.emit(queue === ANY_QUEUE ? null : queue);
    });
    // ioredis subscribes again by itself after a reconnect; what was published meanwhile is lost, so look again.
    let subReady = false;
    sub.on('ready', () => { if (subReady) this.emit(null); subReady = true; });
    pub.on('ready', () => {
      if (!this.pubDown) return;
      this.pubDown = false;
      this.publish(ANY_QUEUE);
    });
    for (const c of [pub, sub]) c.on('error', (err: Error) => this.log?.warn({ err: err?.message }, 'queue wake-up: redis error'));
  }

  /** Subscribe; resolves once the other hubs' wake-ups reach this one. */
  async start(): Promise<void> {
    await this.sub.subscribe(this.channel);
  }

  override wake(queue: string): void {
    this.emit(queue);
    this.publish(queue);
  }

  private publish(queue: string): void {
    if (this.closed) return;
    this.pub.publish(this.channel, `${this.hubId} ${queue}`).catch((err: Error) => {
      if (!this.pubDown) this.log?.warn({ err: err?.message }, 'queue wake-up not published; other hubs answer at their long-poll timeout');
      this.pubDown = true;
    });
  }

  override async close(): Promise<void> {
    this.closed = true;
    await super.close();
    await Promise.allSettled([this.pub.quit(), this.sub.quit()]);
  }
}

/** How long `connectRedisWaker` waits for Redis, ms. */
const CONNECT_TIMEOUT_MS = 5000;

/**
 * A Redis waker connected to `url` (`redis://…`), subscribed before it resolves; rejects when Redis
 * cannot be reached within 5 s. `ioredis` is loaded only here, so a hub without REDIS_URL does not need it.
 */
export async function connectRedisWaker(url: string, opts: { log?: Logger; channel?: string } = {}): Promise<RedisQueueWaker> {
  const specifier = 'ioredis';
  const mod: any = await import(specifier);
  const Redis = mod.Redis ?? mod.default;
  // RESP2 (ioredis 6 defaults to RESP3, 5 ignores the option): classic subscriber-mode pub/sub on both majors.
  const common = { connectTimeout: CONNECT_TIMEOUT_MS, protocol: 2 };
  // No offline queue on the publisher: a nudge that cannot go out now is worthless later (see `pubDown`).
  const pub = new Redis(url, { ...common, enableOfflineQueue: false, maxRetriesPerRequest: 1 });
  const sub = new Redis(url, { ...common, maxRetriesPerRequest: null });
  const waker = new RedisQueueWaker(pub, sub, opts.log, opts.channel);
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      Promise.all([
        pub.status === 'ready' ? undefined : new Promise<void>((res) => pub.once('ready', res)),
        waker.start(),
      ]),
      new Promise((_, rej) => { timer = setTimeout(() => rej(new Error(`redis at ${url} not reachable within ${CONNECT_TIMEOUT_MS} ms`)), CONNECT_TIMEOUT_MS); }),
    ]);
  } catch (err) {
    pub.disconnect();
    sub.disconnect();
    throw err;
  } finally {
    clearTimeout(timer);
  }
  return waker;
}
