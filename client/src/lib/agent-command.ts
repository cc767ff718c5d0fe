/** The commands an admin copies to run a new server's agent, with the hub's origin and the token filled in. */

/** Quotes a value for a POSIX shell when it holds anything but safe characters. */
export function shellQuote(v: string): string {
  return /^[A-Za-z0-9_./:@%+=,-]+$/.test(v) ? v : `'${v.replace(/'/g, `'\\''`)}'`;
}

/** From a checkout (`npm run agent`) and with the single-file build (`node rackpulse-agent.mjs`). */
export function agentCommands(origin: string, token: string): { checkout: string; singleFile: string } {
  const args = `--hub ${shellQuote(origin)} --token ${shellQuote(token)}`;
  return { checkout: `npm run agent -- ${args}`, singleFile: `node rackpulse-agent.mjs ${args}` };
}
