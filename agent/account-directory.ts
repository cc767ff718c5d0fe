/**
 * Who the agent's accounts are, for the parts that act on a name from the
 * hub (actions, refresh) or from the config (process checks): /etc/passwd
 * read through the accounts collector's parser and selection rule. A reading
 * older than `maxAgeMs` is checked with one stat(2) of the file (passwdVersion)
 * and read again only if the file changed: parsing a passwd of a few hundred
 * users every few seconds was a good share of the agent's idle work.
 */
import { defaultHome, passwdVersion, readPasswd, selectAccounts, type AccountSelection, type PasswdEntry } from './accounts/passwd.js';

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
  /** Reuse a reading of passwd this long without looking at the file, ms; then stat it, and read it again if it changed. Default 5000. */
  maxAgeMs?: number;
}

interface Snapshot {
  at: number;
  /** passwdVersion() of the file read, or null if it could not be stat'ed (then it is read again each time). */
  file: string | null;
  entries: Map<string, PasswdEntry>;
  selected: Set<string>;
}

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
    const snap = this.#snap;
    if (snap && Date.now() - snap.at < (this.#opts.maxAgeMs ?? 5000)) return Promise.resolve(snap);
    this.#loading ??= (async () => {
      const file = await passwdVersion(this.#opts.etcRoot);
      if (snap && file !== null && file === snap.file) {
        snap.at = Date.now();
        return snap;
      }
      const r = await readPasswd(this.#opts.etcRoot);
      // An unreadable passwd knows no one: nothing runs, process checks are "unknown".
      const list = r.ok ? r.value.entries : [];
      const entries = new Map<string, PasswdEntry>();
      for (const e of list) if (!entries.has(e.name)) entries.set(e.name, e);
      const selected = new Set(selectAccounts(list, this.#opts).accounts.filter((a) => a.uid !== undefined).map((a) => a.name));
      // A file stat'ed before the read: a change during the read is seen at the next check.
      this.#snap = { at: Date.now(), file: r.ok ? file : null, entries, selected };
      return this.#snap;
    })().finally(() => { this.#loading = null; });
    return this.#loading;
  }
}
