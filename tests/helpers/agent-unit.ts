/**
 * How deploy/rackpulse-agent.service runs the agent: the node flags of its
 * ExecStart= and the variables of its Environment= lines. The benchmark runs
 * the agent with them, and a test checks that the built agent carries them.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const UNIT = fileURLToPath(new URL('../../deploy/rackpulse-agent.service', import.meta.url));

/** The options given to node by the unit's ExecStart line (those before the script). */
export function deployedNodeFlags(): string[] {
  const exec = /^ExecStart=(.*)$/m.exec(readFileSync(UNIT, 'utf8'))?.[1].trim().split(/\s+/) ?? [];
  return exec.slice(1).filter((a, i, all) => a.startsWith('--') && all.slice(1, i + 1).every((b) => b.startsWith('--')));
}

/** The variables set by the unit's Environment= lines (unquoted NAME=value words). */
export function deployedEnvironment(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const m of readFileSync(UNIT, 'utf8').matchAll(/^Environment=(.*)$/gm)) {
    for (const word of m[1].trim().split(/\s+/)) {
      const eq = word.indexOf('=');
      if (eq > 0) env[word.slice(0, eq)] = word.slice(eq + 1);
    }
  }
  return env;
}
