import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { LocalQueueWaker } from '../../../../server/queue/queue.waker.js';
import { RedisQueueWaker, WAKE_CHANNEL, type RedisPubSubClient } from '../../../../server/queue/queue.waker.redis.js';

// ---------------------------------------------------------------------------
const local = suite('LocalQueueWaker');

local('should call every listener with the queue at once, and no longer after its removal', () => {
  const w = new LocalQueueWaker();
  const a: (string | null)[] = [], b: (string | null)[] = [];
  const offA = w.onWake((q) => a.push(q));
  w.onWake((q) => b.push(q));
  w.wake('wall');
  offA();
  w.wake('touch');
  assert.equal(a, ['wall']);
  assert.equal(b, ['wall', 'touch']);
});

local('should call the other listeners when one throws', () => {
  const w = new LocalQueueWaker();
  const got: (string | null)[] = [];
  w.onWake(() => { throw new Error('listener failed'); });
  w.onWake((q) => got.push(q));
  w.wake('wall');
  assert.equal(got, ['wall']);
});

local.run();

// ---------------------------------------------------------------------------
/** A fake of the ioredis calls used: one bus, any number of clients. */
class FakeBus {
  subscribers: FakeRedis[] = [];
  publish(channel: string, message: string) { for (const s of this.subscribers) if (s.channels.has(channel)) s.fire('message', channel, message); }
}
class FakeRedis implements RedisPubSubClient {
  channels = new Set<string>();
  published: string[] = [];
  failPublish = false;
  quitted = false;
  private handlers = new Map<string, ((...a: any[]) => void)[]>();
  constructor(private bus: FakeBus) {}
  async publish(channel: string, message: string) {
    if (this.failPublish) throw new Error('Stream isn\'t writeable');
    this.published.push(message);
    this.bus.publish(channel, message);
    return 1;
  }
  async subscribe(channel: string) { this.channels.add(channel); this.bus.subscribers.push(this); return 1; }
  on(event: string, fn: (...a: any[]) => void) { this.handlers.set(event, [...(this.handlers.get(event) ?? []), fn]); return this; }
  fire(event: string, ...args: any[]) { for (const fn of this.handlers.get(event) ?? []) fn(...args); }
  async quit() { this.quitted = true; return 'OK'; }
}

async function pair(bus = new FakeBus()) {
  const pub = new FakeRedis(bus), sub = new FakeRedis(bus);
  const w = new RedisQueueWaker(pub, sub);
  await w.start();
  const got: (string | null)[] = [];
  w.onWake((q) => got.push(q));
  return { w, pub, sub, got, bus };
}
const flush = () => new Promise((r) => setImmediate(r));

const redis = suite('RedisQueueWaker');

redis('should wake its own listeners at once and publish "<hub id> <queue>" on the wake channel', async () => {
  const { w, pub, sub, got } = await pair();
  w.wake('wall');
  assert.equal(got, ['wall'], 'called synchronously, before any round trip');
  await flush();
  assert.equal(pub.published, [`${w.hubId} wall`]);
  assert.ok(sub.channels.has(WAKE_CHANNEL));
});

redis("should wake a hub for another hub's queue, and not twice for its own", async () => {
  const bus = new FakeBus();
  const a = await pair(bus), b = await pair(bus);
  a.w.wake('wall');
  await flush();
  assert.equal(a.got, ['wall']);
  assert.equal(b.got, ['wall']);
  assert.is.not(a.w.hubId, b.w.hubId);
});

redis('should ignore other channels and malformed messages', async () => {
  const { sub, got } = await pair();
  sub.fire('message', 'other', 'abc wall');
  sub.fire('message', WAKE_CHANNEL, 'no-space');
  assert.equal(got, []);
});

redis('should wake every queue (null) after its subscriber reconnects, not on the first connect', async () => {
  const { sub, got } = await pair();
  sub.fire('ready');
  assert.equal(got, []);
  sub.fire('ready');
  assert.equal(got, [null]);
});

redis('should tell every hub to look at every queue once its publisher is back after a failed publish', async () => {
  const bus = new FakeBus();
  const a = await pair(bus), b = await pair(bus);
  a.pub.failPublish = true;
  a.w.wake('wall');
  await flush();
  assert.equal(b.got, [], 'the nudge was lost');
  a.pub.failPublish = false;
  a.pub.fire('ready');
  await flush();
  assert.equal(b.got, [null]);
  a.pub.fire('ready');
  await flush();
  assert.equal(b.got, [null], 'only once per outage');
});

redis('should quit both connections on close, and stop publishing', async () => {
  const { w, pub, sub } = await pair();
  await w.close();
  w.wake('wall');
  await flush();
  assert.ok(pub.quitted && sub.quitted);
  assert.equal(pub.published, []);
});

redis.run();
