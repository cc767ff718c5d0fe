/**
 * Asking a host's agent something live: "refresh now" or a named action. One hub asks the agent
 * connected to it; with several hubs (server/cluster/agent.relay.ts) a hub without the agent has
 * the call passed on by the hub that has it.
 */
import { accountQuotaSchema, serviceStatusSchema, type AccountQuota, type AgentCallEvent, type AgentCallMap, type RefreshReply, type ServiceStatus } from '../../protocol/index.js';
import type { AgentGateway } from './agent.socket.js';

/** `offline`: no hub has the host's agent; `timeout`: it did not answer within the time given. */
export type AgentCallResult<E extends AgentCallEvent> = { status: 'answered'; reply: AgentCallMap[E][1] } | { status: 'offline' } | { status: 'timeout' };

export interface AgentCalls {
  call<E extends AgentCallEvent>(hostId: number, event: E, payload: AgentCallMap[E][0], timeoutMs: number): Promise<AgentCallResult<E>>;
}

/** Calls to the agents connected to this hub. */
export class LocalAgentCalls implements AgentCalls {
  constructor(private agents: AgentGateway) {}

  async call<E extends AgentCallEvent>(hostId: number, event: E, payload: AgentCallMap[E][0], timeoutMs: number): Promise<AgentCallResult<E>> {
    const agent = this.agents.agentOf(hostId);
    if (!agent) return { status: 'offline' };
    try {
      // The event map types each event's own request and reply; E is one of them.
      const op = agent.timeout(timeoutMs);
      const emit = op.emitWithAck as unknown as (e: E, p: AgentCallMap[E][0]) => Promise<AgentCallMap[E][1]>;
      return { status: 'answered', reply: await emit.call(op, event, payload) };
    } catch {
      return { status: 'timeout' };
    }
  }
}

/** The valid figures of a refresh reply: the asked account's quota and every service status (the rest is dropped). */
export function refreshFigures(reply: RefreshReply, account?: string): { quota: AccountQuota[]; services: ServiceStatus[] } {
  return {
    quota: (Array.isArray(reply.quota) ? reply.quota : []).filter((q) => accountQuotaSchema.safeParse(q).success && (account === undefined || q.account === account)),
    services: (Array.isArray(reply.services) ? reply.services : []).filter((x) => serviceStatusSchema.safeParse(x).success),
  };
}
