/**
 * What the hub sends an agent on `/agent`: the reply to `hello`, cumulative
 * acks and refusals. The agent checks each against these schemas; nothing from
 * the wire is trusted or executed. Written with `zod/mini`, like agent.schema.ts.
 */
import * as z from 'zod/mini';
import { STREAMS } from './agent.schema.js';

/** A watermark: the highest durable seq of a stream, 0 when there is none. */
const watermark = z.int().check(z.nonnegative(), z.maximum(Number.MAX_SAFE_INTEGER));

/** Hub → agent in reply to `hello`: where the durable watermarks stand. A missing stream counts as 0 (resending is safe: the hub ignores duplicates). */
export const helloOkSchema = z.object({
  hostId: z.int(),
  watermarks: z.object({ samples: z._default(watermark, 0), quota: z._default(watermark, 0), services: z._default(watermark, 0) }),
});
export type HelloReply = z.infer<typeof helloOkSchema>;
/** The whole reply: the watermarks, or why the hello was refused. */
export const helloReplySchema = z.union([z.object({ error: z.string().check(z.maxLength(1000)) }), helloOkSchema]);

/** Hub → agent: cumulative acknowledgement; everything at or below `seq` on `stream` is durable. */
export const ackSchema = z.object({ stream: z.enum(STREAMS), seq: watermark });
export type AckMessage = z.infer<typeof ackSchema>;

/** Hub → agent: a message was refused. */
export const rejectSchema = z.object({
  /** Event the refused message came on. */
  event: z.string().check(z.maxLength(100)),
  /** Machine-readable reason: "invalid", "too_large", "unknown_event", "rate_limited". */
  reason: z.string().check(z.maxLength(100)),
  /** Human-readable detail (field path and problem). */
  message: z._default(z.string().check(z.maxLength(2000)), ''),
  /** Stream and first/last sequence number of the refused message, when they could be read from it. */
  stream: z.optional(z.enum(STREAMS)),
  seqs: z.optional(z.tuple([watermark, watermark])),
});
export type RejectMessage = z.infer<typeof rejectSchema>;
