/**
 * node:child_process, loaded on first use: only systemd checks, repquota and
 * named actions run commands, and a host configured without them never
 * loads it (with it come internal/child_process, dgram and their memory, kept
 * for the agent's whole life).
 */
type ChildProcessModule = typeof import('node:child_process');

let loading: Promise<ChildProcessModule> | null = null;

/** The node:child_process module. */
export function childProcess(): Promise<ChildProcessModule> {
  loading ??= import('node:child_process');
  return loading;
}
