/** Runs async jobs one at a time per key, in the order they were given; different keys run side by side. */
export class KeyedSerial {
  private tails = new Map<string, Promise<void>>();

  /** Run `job` after every job given before for `key` has settled (whether it succeeded or failed). */
  run<T>(key: string, job: () => Promise<T>): Promise<T> {
    const prev = this.tails.get(key);
    const result = prev ? prev.then(job) : job();
    const tail = result.then(() => undefined, () => undefined);
    this.tails.set(key, tail);
    void tail.then(() => { if (this.tails.get(key) === tail) this.tails.delete(key); });
    return result;
  }

  /** True while a job of `key` is queued or running. */
  busy(key: string): boolean {
    return this.tails.has(key);
  }

  /** Resolves when every job given so far has settled. */
  async drain(): Promise<void> {
    while (this.tails.size) await Promise.all([...this.tails.values()]);
  }
}
