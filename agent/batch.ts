/**
 * Cutting a backlog of samples into `samples` messages the hub accepts: at
 * most MAX_SAMPLES_PER_MESSAGE samples and, measured as JSON, at most half of
 * MAX_MESSAGE_BYTES. The byte bound matters: an hour of samples is close to
 * 1 MiB, and a message over the hub's limit closes the socket, which would
 * resend the same message after every reconnect, forever.
 */
import type { Sample } from '../protocol/index.js';
import { MAX_MESSAGE_BYTES, MAX_SAMPLES_PER_MESSAGE } from '../protocol/index.js';

/** Largest `samples` message the agent sends, bytes of JSON; headroom for framing. */
export const MAX_BATCH_BYTES = MAX_MESSAGE_BYTES / 2;

/** Split `samples` (in seq order) into consecutive batches within both bounds. */
export function batchSamples(samples: readonly Sample[], maxCount = MAX_SAMPLES_PER_MESSAGE, maxBytes = MAX_BATCH_BYTES): Sample[][] {
  const out: Sample[][] = [];
  let cur: Sample[] = [];
  let bytes = 0;
  for (const s of samples) {
    // +1 for the comma between array elements.
    const size = JSON.stringify(s).length + 1;
    if (cur.length > 0 && (cur.length >= maxCount || bytes + size > maxBytes)) {
      out.push(cur);
      cur = [];
      bytes = 0;
    }
    cur.push(s);
    bytes += size;
  }
  if (cur.length > 0) out.push(cur);
  return out;
}
