/**
 * Things to undo when the run ends, however it ends (databases to drop,
 * temporary directories): the runner calls `runCleanups()` on success, error
 * and ctrl-c. Children are killed separately (proc.ts), before these run.
 */
const tasks: { name: string; fn: () => Promise<void> | void }[] = [];

/** Register an undo step; returns a function that runs it now and unregisters it. */
export function onCleanup(name: string, fn: () => Promise<void> | void): () => Promise<void> {
  const task = { name, fn };
  tasks.push(task);
  return async () => {
    const i = tasks.indexOf(task);
    if (i >= 0) { tasks.splice(i, 1); await fn(); }
  };
}

/** Run every registered step, newest first, each at most `timeoutMs`; errors are printed, not thrown. */
export async function runCleanups(timeoutMs = 10000): Promise<void> {
  while (tasks.length) {
    const t = tasks.pop()!;
    try {
      await Promise.race([Promise.resolve().then(t.fn),
        new Promise((_, rej) => setTimeout(() => rej(new Error('timed out')), timeoutMs).unref())]);
    } catch (e) {
      process.stderr.write(`cleanup "${t.name}" failed: ${(e as Error).message}\n`);
    }
  }
}
