/** Prometheus metrics of the kiosk message queue, registered on the hub's registry (served at GET /metrics). */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

export function createQueueMetrics(registry?: Registry) {
  const registers = registry ? [registry] : [];
  return {
    /** Totals over all queues (queue names are chosen by clients, so they are not labels). */
    messages: new Counter({ name: 'rackpulse_queue_messages_total', help: 'Kiosk queue messages, by event: pushed, delivered (once per consumer id), dropped (queue full), expired', labelNames: ['event'] as const, registers }),
    waiting: new Gauge({ name: 'rackpulse_queue_waiting_polls', help: 'Long-polls waiting for a kiosk queue message', registers }),
    deliverSeconds: new Histogram({ name: 'rackpulse_queue_deliver_seconds', help: 'From a message being stored to a waiting long-poll being answered with it (ms resolution)', buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1], registers }),
  };
}
export type QueueMetrics = ReturnType<typeof createQueueMetrics>;
