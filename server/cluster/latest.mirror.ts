/**
 * Account cards on every hub: the hub with a host's agent passes each usage and services update it
 * takes (from the agent's streams or a refresh) to the other hubs, which keep it in memory and push
 * it to their `account:<id>` subscribers. Only the owner writes it to the database.
 */
import { fromPeers, toPeers } from './peers.js';
import type { Server } from 'socket.io';
import type { AgentGateway } from '../ingest/agent.socket.js';
import type { IngestService } from '../ingest/ingest.service.js';

export function mirrorLatest(io: Server, agents: AgentGateway, ingest: IngestService): void {
  ingest.onLatest((hostId, quota, services, at) => {
    if (agents.agentOf(hostId)) toPeers(io, 'rp:latest', { hostId, quota, services, at });
  });
  fromPeers(io, 'rp:latest', (u) => {
    // This hub has the agent itself now: its own figures are the newer ones.
    if (!agents.agentOf(u.hostId)) ingest.rememberLatest(u.hostId, u.quota, u.services, u.at);
  });
}
