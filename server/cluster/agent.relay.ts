/**
 * "Refresh now" and named actions from any hub. A hub without the host's agent sends the call to
 * the others (`rp:agent-call`); the hub that has the agent asks it and sends back the answer
 * (`rp:agent-answer`), or that it did not answer in time. Hubs without the agent stay silent, so the
 * asking hub tells "no hub has it" from the mirrored fleet state (the owner publishes whether its
 * agent is connected) and otherwise waits at most the call's time.
 */
import { fromPeers, toPeers } from './peers.js';
import type { Server } from 'socket.io';
import { actionRequestSchema, refreshRequestSchema, type AgentAnswer, type AgentCallEvent, type AgentCallMap } from '../../protocol/index.js';
import type { AgentCallResult, AgentCalls } from '../ingest/agent.calls.js';
import type { FleetState } from '../ingest/fleet.state.js';

/** What the relay takes off the agent's time for the two hops between hubs, ms. */
const HOPS_MS = 150;
/** The longest a relayed call may wait for its agent, ms (a named action's wait). */
const MAX_CALL_MS = 120_000;

export class AgentRelay implements AgentCalls {
  private seq = 0;
  private waiting = new Map<string, (a: AgentAnswer) => void>();

  /** `answered`: what this hub does with a reply its agent gave to another hub's call (a refresh's figures are kept and written here). */
  constructor(private io: Server, private local: AgentCalls, private fleet: FleetState, private hubId: string,
    answered: (hostId: number, event: AgentCallEvent, payload: unknown, reply: AgentCallMap[AgentCallEvent][1]) => void) {
    fromPeers(io, 'rp:agent-call', (c) => {
      // Only the two calls an agent knows, with payloads its own schemas accept, whatever reached Redis.
      const schema = c?.event === 'refresh' ? refreshRequestSchema : c?.event === 'action' ? actionRequestSchema : null;
      if (!schema || !schema.safeParse(c.payload).success || !Number.isInteger(c.hostId) || typeof c.id !== 'string') return;
      const timeoutMs = Math.min(Math.max(100, Number(c.timeoutMs) || 0), MAX_CALL_MS);
      void local.call(c.hostId, c.event, c.payload as never, timeoutMs).then((r) => {
        if (r.status === 'offline') return; // not here: the hub that has it answers
        if (r.status === 'answered') answered(c.hostId, c.event, c.payload, r.reply);
        toPeers(io, 'rp:agent-answer', { id: c.id, timedOut: r.status === 'timeout', reply: r.status === 'answered' ? r.reply : null });
      });
    });
    fromPeers(io, 'rp:agent-answer', (a) => this.waiting.get(a.id)?.(a));
  }

  async call<E extends AgentCallEvent>(hostId: number, event: E, payload: AgentCallMap[E][0], timeoutMs: number): Promise<AgentCallResult<E>> {
    const here = await this.local.call(hostId, event, payload, timeoutMs);
    if (here.status !== 'offline') return here;
    // Another hub has the agent only if the host's owner said so.
    if (!this.fleet.hosts.get(hostId)?.agents) return here;
    const id = `${this.hubId}:${++this.seq}`;
    return new Promise((resolve) => {
      const done = (r: AgentCallResult<E>) => { clearTimeout(timer); this.waiting.delete(id); resolve(r); };
      const timer = setTimeout(() => done({ status: 'timeout' }), timeoutMs);
      this.waiting.set(id, (a) => done(a.timedOut || a.reply === null ? { status: 'timeout' } : { status: 'answered', reply: a.reply as AgentCallMap[E][1] }));
      toPeers(this.io, 'rp:agent-call', { id, hostId, event, payload, timeoutMs: Math.max(100, timeoutMs - HOPS_MS) });
    });
  }
}
