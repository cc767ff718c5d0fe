/** Typed sending to and listening for the other hubs (protocol/cluster.types.ts). */
import type { Server } from 'socket.io';
import type { InterHubEvents } from '../../protocol/index.js';

export function toPeers<E extends keyof InterHubEvents>(io: Server, event: E, ...args: Parameters<InterHubEvents[E]>): void {
  (io.serverSideEmit as (e: string, ...a: unknown[]) => boolean)(event, ...args);
}

export function fromPeers<E extends keyof InterHubEvents>(io: Server, event: E, fn: InterHubEvents[E]): void {
  (io.on as (e: string, fn: (...a: any[]) => void) => unknown).call(io, event, fn);
}
