/**
 * The kiosk message queue. Messages and cursors live in the database, so they
 * survive a restart; long-polls are answered the moment a message arrives
 * (`queue.delivery.ts`).
 *
 * - Push: one INSERT, then a wake-up (`QueueWaker`). Pushes of one queue are
 *   serialized here, so their ids grow in the order they are committed and a
 *   cursor never passes a message of this hub that is not yet visible.
 * - A queue longer than `maxLength` loses its oldest messages (counted per queue),
 *   right after the push that overfilled it, off that push's answer (one hub: in
 *   memory at once, in the database with the next cursor write, `queue.memory.ts`).
 * - With the store in memory, a pop whose messages are already there is answered
 *   without waiting (`popReady`).
 * - A sweep expires messages, trims queues (several hubs can overfill one
 *   together), writes when consumers were seen and forgets those unseen for
 *   `forgetAfterMs`.
 */
import type { Registry } from 'prom-client';
import type { Dialect, Orm } from '../db/orm.js';
import type { Logger } from '../logger.js';
import { ConsumerCache } from './queue.consumers.js';
import { QueueDelivery, type GiveUp } from './queue.delivery.js';
import { createQueueMetrics, type QueueMetrics } from './queue.metrics.js';
import { QUEUE_DEFAULTS, type QueueOptions } from './queue.options.js';
import { QueueRepository, type StoredMessage } from './queue.repository.js';
import { MemoryQueueRepository } from './queue.memory.js';
import { KeyedSerial } from './queue.serial.js';
import type { QueueWaker } from './queue.waker.js';

export type { StoredMessage };

export class QueueService {
  readonly options: QueueOptions;
  readonly metrics: QueueMetrics;
  private repo: QueueRepository;
  private consumers = new ConsumerCache();
  private delivery: QueueDelivery;
  /** Messages per queue as far as this hub knows (missing: count them before trimming). */
  private lengths = new Map<string, number>();
  private pushes = new KeyedSerial();
  private sweepTimer: NodeJS.Timeout | null = null;
  private sweeping: Promise<void> | null = null;
  private unsubscribe: (() => void) | null = null;

  constructor(orm: Orm, dialect: Dialect, private waker: QueueWaker, options: Partial<QueueOptions> = {}, private log?: Logger, registry?: Registry) {
    this.options = { ...QUEUE_DEFAULTS, ...options };
    this.repo = this.options.exclusive ? new MemoryQueueRepository(orm, dialect, this.options.cursorFlushMs, log) : new QueueRepository(orm, dialect);
    this.metrics = createQueueMetrics(registry);
    this.delivery = new QueueDelivery(this.repo, this.consumers, this.options, this.metrics, log);
  }

  /** Listen to wake-ups and start the sweep. */
  start(): void {
    this.unsubscribe = this.waker.onWake((queue) => this.delivery.wake(queue));
    this.sweepTimer = setInterval(() => { void this.sweep(); }, this.options.sweepEveryMs);
    this.sweepTimer.unref();
    if (this.repo instanceof MemoryQueueRepository) this.repo.start();
  }

  /** Answer every waiting request with nothing (so the HTTP server can close) and let running statements finish. */
  async stop(): Promise<void> {
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    this.unsubscribe?.();
    await Promise.all([this.delivery.stop(), this.pushes.drain(), this.sweeping]);
    if (this.repo instanceof MemoryQueueRepository) await this.repo.close();
  }

  /** Store a message (`body`: its JSON text) and wake the consumers waiting on `queue`. Names are already checked. */
  push(queue: string, body: string): Promise<{ id: number; at: number }> {
    return this.pushes.run(queue, async () => {
      const at = Date.now();
      const id = await this.repo.insert(queue, body, at);
      this.waker.wake(queue);
      this.metrics.messages.inc({ event: 'pushed' });
      const known = this.lengths.get(queue);
      if (known !== undefined) this.lengths.set(queue, known + 1);
      if (known === undefined || known + 1 > this.options.maxLength) {
        // Behind this push and before the next one, but not on this push's answer.
        void this.pushes.run(queue, () => this.fit(queue)).catch((err) => this.log?.warn({ err: err?.message, queue }, 'queue trim failed'));
      }
      return { id, at };
    });
  }

  /**
   * The next messages (at most `limit`, oldest first) of `consumer` on `queue`, waiting up to `waitMs`
   * for one; empty when the wait ran out, the request went away (`signal`) or the hub is stopping.
   * An id seen for the first time starts at the current end of the queue. Names are already checked.
   */
  pop(queue: string, consumer: string, o: { waitMs: number; limit?: number; signal?: GiveUp }): Promise<StoredMessage[]> {
    return this.delivery.pop(queue, consumer, o);
  }

  /** Without waiting: `consumer`'s next messages if they are at hand, else null (then `pop`). See `QueueDelivery.popReady`. */
  popReady(queue: string, consumer: string, limit?: number): StoredMessage[] | null {
    return this.delivery.popReady(queue, consumer, limit);
  }

  /** Move `consumer`'s cursor to the current end of `queue`: its pending messages are skipped. */
  clear(queue: string, consumer: string): Promise<void> {
    return this.delivery.inTurn(queue, async () => {
      const now = Date.now();
      const end = await this.repo.lastId(queue);
      await this.repo.setCursor(queue, consumer, end, now);
      Object.assign(this.consumers.get(queue, consumer, now), { lastId: end, seenAt: now, persistedAt: now });
    });
  }

  /** Forget `consumer`'s cursor; its waiting requests are answered with nothing. */
  forget(queue: string, consumer: string): Promise<void> {
    return this.delivery.inTurn(queue, async () => {
      await this.repo.deleteConsumer(queue, consumer);
      this.delivery.release(queue, consumer);
      this.consumers.delete(queue, consumer);
    });
  }

  /** Messages held, consumer ids known, and messages dropped and expired so far, of one queue. */
  stats(queue: string) { return this.repo.stats(queue); }

  /** Run the sweep now (it runs every `sweepEveryMs`); resolves when it is done. */
  sweep(now = Date.now()): Promise<void> {
    if (!this.sweeping) {
      this.sweeping = this.sweepOnce(now)
        .catch((err) => this.log?.warn({ err: err?.message }, 'queue sweep failed'))
        .finally(() => { this.sweeping = null; });
    }
    return this.sweeping;
  }

  private async sweepOnce(now: number): Promise<void> {
    for (const [queue, consumer] of this.delivery.waiting()) this.consumers.see(queue, consumer, now);
    for (const g of this.consumers.takeUnsaved()) {
      for (let i = 0; i < g.consumers.length; i += 500) await this.repo.touch(g.queue, g.consumers.slice(i, i + 500), g.at);
    }
    const cutoff = now - this.options.forgetAfterMs;
    await this.repo.forgetBefore(cutoff);
    this.consumers.dropUnseenSince(cutoff);
    for (const n of (await this.repo.expire(now - this.options.ttlMs)).values()) this.metrics.messages.inc({ event: 'expired' }, n);
    for (const q of await this.repo.overfull(this.options.maxLength)) {
      this.metrics.messages.inc({ event: 'dropped' }, await this.repo.trim(q, this.options.maxLength));
    }
    this.lengths.clear();
  }

  /** Trim `queue` to its maximum length (runs in the queue's push order). */
  private async fit(queue: string): Promise<void> {
    const n = this.lengths.get(queue) ?? await this.repo.count(queue);
    const dropped = n > this.options.maxLength ? await this.repo.trim(queue, this.options.maxLength) : 0;
    if (dropped) this.metrics.messages.inc({ event: 'dropped' }, dropped);
    this.lengths.set(queue, dropped ? this.options.maxLength : n);
  }
}
