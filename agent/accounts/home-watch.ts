/**
 * Tells whether anything changed under a home since its last walk, so an
 * unchanged home is not walked again: every directory a pass opens is
 * watched with inotify (fs.watch, one watch per directory, added BEFORE the
 * directory is read, so a change after the read is seen and one before it is
 * in the figure). The first event of any kind (an entry created, deleted,
 * renamed, written or its attributes changed; the directory itself deleted or
 * moved; a watch error) marks the home changed and closes all its watches:
 * one callback per home per pass, however busy the home is, and nothing
 * watched while the next pass is due anyway.
 *
 * What inotify does not see, so the scheduler still walks a watched home
 * every `recheckMs` (walk-scheduler.ts): writes through a hard link from
 * outside the home, writes to a shared mmap, and events lost when the
 * kernel's queue overflows.
 *
 * Watches are counted over all homes against one limit (WatchBudget): the
 * kernel's own (fs.inotify.max_user_watches, 8192 on older kernels) is per
 * user, and the agent runs as a user of its own. A home that would go over
 * it, or whose watch the kernel refuses (ENOSPC), is not watched: it is
 * walked every passGapMs as without watching.
 */
import { watch, type FSWatcher } from 'node:fs';

/** Watches in use over all homes, against a limit. */
export class WatchBudget {
  used = 0;
  constructor(readonly limit: number) {}
}

export class HomeWatch {
  readonly #budget: WatchBudget;
  readonly #onChange: () => void;
  readonly #watchers: FSWatcher[] = [];
  #changed = false;
  #complete = true;
  #closed = false;

  /** `onChange` is called once, at the first change (not after close()). */
  constructor(budget: WatchBudget, onChange: () => void) {
    this.#budget = budget;
    this.#onChange = onChange;
  }

  /** Something changed since the watch began (then no watch is left open). */
  get changed(): boolean {
    return this.#changed;
  }

  /** Every directory given to add() is watched, and nothing has changed: the home's last figure still holds. */
  get holds(): boolean {
    return this.#complete && !this.#changed && !this.#closed;
  }

  /** Watches open now. */
  get size(): number {
    return this.#watchers.length;
  }

  /**
   * Watch one directory (call before reading it). False when it cannot be
   * watched (over the budget, refused by the kernel, already changed or
   * closed): then this home is not watched at all and its watches are closed.
   */
  add(dir: string): boolean {
    if (!this.holds) return false;
    if (this.#budget.used >= this.#budget.limit) return this.#giveUp();
    let w: FSWatcher;
    try {
      w = watch(dir, { persistent: false }, this.#fire);
    } catch {
      // ENOSPC (the kernel's limit), ENOENT (gone meanwhile: the walk skips it too), EACCES.
      return this.#giveUp();
    }
    w.on('error', this.#fire);
    this.#watchers.push(w);
    this.#budget.used++;
    return true;
  }

  /** Close every watch; `changed` and `holds` stay as they were, but holds is false from now on. */
  close(): void {
    this.#closed = true;
    this.#release();
  }

  readonly #fire = (): void => {
    if (this.#changed || this.#closed) return;
    this.#changed = true;
    this.#release();
    this.#onChange();
  };

  #giveUp(): false {
    this.#complete = false;
    this.#release();
    return false;
  }

  #release(): void {
    for (const w of this.#watchers) {
      try { w.close(); } catch { /* already closed */ }
    }
    this.#budget.used -= this.#watchers.length;
    this.#watchers.length = 0;
  }
}
