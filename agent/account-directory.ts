/**
 * Who the agent's accounts are, for the parts that act on a name from the
 * hub (actions, refresh) or from the config (process checks): /etc/passwd
 * read through the accounts collector's parser and selection rule, re-read
 * when older than `maxAgeMs`.
 */
import { defaultHome, readPasswd, selectAccounts, type AccountSelection, type PasswdEntry } from './accounts/passwd.js';

/** An account with everything needed to run a command as it. */
export interface KnownAccount {
  name: string;
  uid: number;
  gid: number;
  /** Home directory (passwd's, or /home/<name> when that is unusable). */
  home: string;
}

export interface AccountDirectoryOptions extends AccountSelection {
  /** Where passwd is, default "/etc". */
  etcRoot?: string;
  /** Reuse a reading of passwd this long, ms. Default 5000. */
  maxAgeMs?: number;
}

interface Snapshot { at: number; entries: Map<string, PasswdEntry>; selected: Set<string> }

export class AccountDirectory {
  readonly #opts: AccountDirectoryOptions;
  #snap: Snapshot | null = null;
  #loading: Promise<Snapshot> | null = null;

  constructor(opts: AccountDirectoryOptions = {}) {
    this.#opts = opts;
  }

  /** The account of that name if it is one of the agent's accounts (selected, with a passwd entry), else null. */
  async account(name: string): Promise<KnownAccount | null> {
    const s = await this.#load();
    const e = s.entries.get(name);
    if (!e || !s.selected.has(name)) return null;
    return { name, uid: e.uid, gid: e.gid, home: defaultHome(e) };
  }

  /** Names of the agent's accounts. */
  async names(): Promise<string[]> {
    return [...(await this.#load()).selected];
  }

  /** uid of any unix user of that name (accounts or not), or null. */
  async uidOf(name: string): Promise<number | null> {
    return (await this.#load()).entries.get(name)?.uid ?? null;
  }

  #load(): Promise<Snapshot> {
    if (this.#snap && Date.now() - this.#snap.at < (this.#opts.maxAgeMs ?? 5000)) return Promise.resolve(this.#snap);
    this.#loading ??= (async () => {
      const r = await readPasswd(this.#opts.etcRoot);
      // An unreadable passwd knows no one: nothing runs, process checks are "unknown".
      const list = r.ok ? r.value.entries : [];
      const entries = new Map<string, PasswdEntry>();
      for (const e of list) if (!entries.has(e.name)) entries.set(e.name, e);
      const selected = new Set(selectAccounts(list, this.#opts).accounts.filter((a) => a.uid !== undefined).map((a) => a.name));
      this.#snap = { at: Date.now(), entries, selected };
      return this.#snap;
    })().finally(() => { this.#loading = null; });
    return this.#loading;
  }
}
