/** Wire protocol version spoken on `/agent`. Bump it, and give changed payloads new event names, when a payload changes shape. */
export const PROTOCOL_VERSION = 1;
/** Protocol versions the hub accepts from agents. */
export const SUPPORTED_PROTOCOLS: readonly number[] = [1];
/** Largest message the hub accepts on any socket, in bytes (1 MiB). */
export const MAX_MESSAGE_BYTES = 1024 * 1024;
/** Most samples one `samples` message may carry (one hour at 1 s). */
export const MAX_SAMPLES_PER_MESSAGE = 3600;
