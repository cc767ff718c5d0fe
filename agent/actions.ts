/**
 * Named actions: commands the agent's own config defines, which the hub may
 * ask to run for an account (e.g. "restart-services").
 *
 * Nothing from the wire reaches a command line. The hub's `action` names an
 * action and an account; both are checked (schema, name pattern, the action
 * exists and applies to the account, the account is one of the agent's
 * accounts, never uid 0), then the configured argv runs with spawn — no shell
 * — as the account (uid, gid, its home as cwd, a minimal environment), in a
 * process group of its own. Past `timeoutMs` the group gets SIGTERM, and
 * SIGKILL `killGraceMs` later. One action at a time per account.
 *
 * The reply carries the exit status and the last lines of output (64 lines /
 * 8 KiB). `ok` is true when the command ran and exited 0 in time; `error`
 * says why a command did not run. Processes the command leaves behind with
 * the output pipes (daemons it started without redirecting their output) do
 * not hold the reply up: it goes when the command exits, and the pipes are
 * drained and discarded until they close.
 */
import { statSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { childProcess } from './child-process.js';
import { silentLogger, type AgentLogger } from './log.js';
import * as z from 'zod/mini';
import { actionRequestSchema, type ActionReply, type Hello } from '../protocol/index.js';
import type { KnownAccount } from './account-directory.js';
import { OutputTail } from './output-tail.js';
import { ACCOUNT_NAME_RE, intIn } from './services/spec.js';

/** Action names, as the protocol's actionRequestSchema allows them. */
export const ACTION_NAME_RE = /^[a-z0-9][a-z0-9_-]{0,63}$/;

/** The schema of one action of the config file (built anew on each call, like serviceCheckSchemas()). */
export function actionSchema() {
  return z.strictObject({
    /** The program (an absolute path) and its fixed arguments; run without a shell. */
    command: z.array(z.string().check(z.minLength(1), z.maxLength(4096), z.refine((a) => !a.includes('\0'), 'no NUL characters')))
      .check(z.minLength(1), z.maxLength(64), z.refine((c) => c.length === 0 || c[0].startsWith('/'), 'command[0] must be an absolute path')),
    /** Killed (SIGTERM to its process group) after this long, ms. Default 60000. */
    timeoutMs: z._default(intIn(100, 3_600_000), 60_000),
    /** Time between SIGTERM and SIGKILL, ms. Default 5000. */
    killGraceMs: z._default(intIn(0, 60_000), 5000),
    /**
     * Who runs it: "account" (default) as the account's uid and gid, which needs
     * the agent to hold CAP_SETUID and CAP_SETGID; "agent" as the agent's own
     * user (for commands that do their own privilege handling, and for tests).
     */
    runAs: z._default(z.enum(['account', 'agent']), 'account'),
    /** Accounts the action is offered for; absent: every account of the agent. */
    accounts: z.optional(z.array(z.string().check(z.regex(ACCOUNT_NAME_RE, 'a unix user name'))).check(z.minLength(1), z.maxLength(100_000))),
    /** Shown to the customer next to the button, e.g. "Restart rtorrent and the web UI". */
    description: z.optional(z.string().check(z.minLength(1), z.maxLength(200))),
  });
}
export type ActionConfig = z.infer<ReturnType<typeof actionSchema>>;

/** The `actions` map of the config file: action name → action (at most 100, as `hello` can list). */
export function actionsSchema() {
  return z.record(z.string().check(z.regex(ACTION_NAME_RE, 'an action name (a-z, 0-9, _ and -)')), actionSchema())
    .check(z.refine((m) => Object.keys(m).length <= 100, 'at most 100 actions'));
}
export type ActionsConfig = z.infer<ReturnType<typeof actionsSchema>>;

export interface ActionRunnerOptions {
  actions: ActionsConfig;
  /** The account of a name if the agent knows it (AccountDirectory.account). */
  lookup: (account: string) => Promise<KnownAccount | null>;
  logger?: AgentLogger;
}

/** PATH of an action's environment. */
const ACTION_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

export class ActionRunner {
  readonly #actions: Map<string, ActionConfig>;
  readonly #lookup: ActionRunnerOptions['lookup'];
  readonly #log: AgentLogger;
  readonly #busy = new Set<string>();

  constructor(opts: ActionRunnerOptions) {
    // A Map, not the object: a name like "constructor" must not find a prototype member.
    this.#actions = new Map(Object.entries(opts.actions));
    this.#lookup = opts.lookup;
    this.#log = opts.logger ?? silentLogger;
  }

  /** Action names configured. */
  get names(): string[] {
    return [...this.#actions.keys()];
  }

  /** What `hello` tells the hub the agent offers: names, descriptions, and to which accounts (absent: all). */
  offered(): NonNullable<Hello['actions']> {
    return [...this.#actions].map(([name, a]) => ({
      name,
      ...(a.description ? { description: a.description } : {}),
      ...(a.accounts ? { accounts: [...a.accounts] } : {}),
    }));
  }

  /** Check a request from the hub and run the action it names. Never rejects. */
  async run(req: unknown): Promise<ActionReply> {
    const r = actionRequestSchema.safeParse(req);
    if (!r.success) return { ok: false, error: 'invalid action request' };
    const { account, action } = r.data;
    if (!ACCOUNT_NAME_RE.test(account)) return { ok: false, error: 'invalid account name' };
    const cfg = this.#actions.get(action);
    if (!cfg) return { ok: false, error: `unknown action "${action}"` };
    if (cfg.accounts && !cfg.accounts.includes(account)) return { ok: false, error: `action "${action}" is not offered for account "${account}"` };
    let acc: KnownAccount | null;
    try {
      acc = await this.#lookup(account);
    } catch {
      acc = null;
    }
    if (!acc) return { ok: false, error: `unknown account "${account}"` };
    if (cfg.runAs === 'account' && (acc.uid === 0 || acc.gid === 0)) return { ok: false, error: 'refusing to run an action as root' };
    if (this.#busy.has(account)) return { ok: false, error: 'busy: an action is already running for this account' };
    this.#busy.add(account);
    try {
      this.#log.info({ action, account }, 'running action');
      const reply = await this.#spawn(action, cfg, acc);
      this.#log.info({ action, account, ok: reply.ok, exitCode: reply.exitCode, signal: reply.signal, timedOut: reply.timedOut, durationMs: reply.durationMs, error: reply.error }, 'action done');
      return reply;
    } finally {
      this.#busy.delete(account);
    }
  }

  async #spawn(action: string, cfg: ActionConfig, acc: KnownAccount): Promise<ActionReply> {
    const { spawn } = await childProcess();
    const asAccount = cfg.runAs === 'account';
    const home = isDir(acc.home) ? acc.home : '/';
    const t0 = performance.now();
    const tail = new OutputTail();
    return new Promise<ActionReply>((resolve) => {
      let child;
      try {
        child = spawn(cfg.command[0], cfg.command.slice(1), {
          ...(asAccount ? { uid: acc.uid, gid: acc.gid } : {}),
          cwd: asAccount ? home : '/',
          env: {
            PATH: ACTION_PATH, LANG: 'C.UTF-8',
            ...(asAccount ? { HOME: home, USER: acc.name, LOGNAME: acc.name } : {}),
            RACKPULSE_ACTION: action, RACKPULSE_ACCOUNT: acc.name,
          },
          shell: false,
          detached: true,
          stdio: ['ignore', 'pipe', 'pipe'],
        });
      } catch (e) {
        return resolve({ ok: false, error: startError(e, asAccount) });
      }
      let timedOut = false;
      let killTimer: NodeJS.Timeout | undefined;
      const group = (sig: NodeJS.Signals): void => {
        try {
          process.kill(-child.pid!, sig);
        } catch {
          // The group is gone already.
        }
      };
      const timer = setTimeout(() => {
        timedOut = true;
        group('SIGTERM');
        killTimer = setTimeout(() => group('SIGKILL'), cfg.killGraceMs);
      }, cfg.timeoutMs);
      child.stdout!.on('data', tail.decoder());
      child.stderr!.on('data', tail.decoder());
      child.once('error', (e) => {
        clearTimeout(timer);
        resolve({ ok: false, error: startError(e, asAccount), durationMs: Math.round(performance.now() - t0) });
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        clearTimeout(killTimer);
        const durationMs = Math.round(performance.now() - t0);
        // Output still in the pipes comes within a moment; processes left holding them are not waited for.
        const ended = Promise.all([child.stdout!, child.stderr!].map((s) => new Promise((r) => { if (s.readableEnded) r(null); else s.once('end', r); })));
        void Promise.race([ended, new Promise((r) => setTimeout(r, 200))]).then(() => {
          resolve({ ok: code === 0 && !timedOut, exitCode: code, signal, timedOut, durationMs, output: tail.value() });
        });
      });
    });
  }
}

function isDir(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/** Why a command could not start, without echoing anything but the error code. */
function startError(e: unknown, asAccount: boolean): string {
  const code = (e as NodeJS.ErrnoException)?.code ?? 'error';
  if (asAccount && code === 'EPERM') return 'cannot start the command: EPERM (running as the account needs CAP_SETUID and CAP_SETGID)';
  return `cannot start the command: ${code}`;
}
