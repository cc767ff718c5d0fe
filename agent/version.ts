/** Release of the agent, sent in the handshake (`auth.agentVersion`). */
export const AGENT_VERSION = '0.1.0';
