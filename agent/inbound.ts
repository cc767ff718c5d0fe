/**
 * Runtime checks of what the hub sends the agent. protocol/ declares these
 * payloads as interfaces only (HelloReply, AckMessage, RejectMessage), so the
 * schemas live here, typed against those interfaces; nothing from the wire is
 * trusted or executed.
 */
import { z } from 'zod';
import type { AckMessage, HelloReply, RejectMessage } from '../protocol/index.js';
import { STREAMS } from '../protocol/index.js';

/** A watermark: highest durable seq, 0 when there is none. */
const watermark = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);

/** Reply to `hello`. A missing stream watermark counts as 0: resending is safe, the hub ignores duplicates. */
export const helloReplySchema = z.union([
  z.object({ error: z.string().max(1000) }),
  z.object({
    hostId: z.number().int(),
    watermarks: z.object({ samples: watermark.default(0), quota: watermark.default(0), services: watermark.default(0) }),
  }),
]);

export const ackSchema = z.object({ stream: z.enum(STREAMS), seq: watermark });

export const rejectSchema = z.object({
  event: z.string().max(100),
  reason: z.string().max(100),
  message: z.string().max(2000).default(''),
});

// Compile-time check that the schemas match the protocol's interfaces.
type Expect<T extends true> = T;
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
export type _Checks = [
  Expect<Same<Exclude<z.infer<typeof helloReplySchema>, { error: string }>, HelloReply>>,
  Expect<Same<z.infer<typeof ackSchema>, AckMessage>>,
  Expect<Same<z.infer<typeof rejectSchema>, RejectMessage>>,
];
