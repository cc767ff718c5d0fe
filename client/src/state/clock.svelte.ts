/** A reactive "now" for relative times ("12 s ago"); ticks only while something reads it. */
import { createSubscriber } from 'svelte/reactivity';

export class Clock {
  readonly #subscribe: () => void;

  /** `periodMs`: how often readers are told the time moved (default 1 000). */
  constructor(periodMs = 1000) {
    this.#subscribe = createSubscriber((update) => {
      const timer = setInterval(update, periodMs);
      return () => clearInterval(timer);
    });
  }

  /** The viewer's clock, Unix ms. */
  get now(): number {
    this.#subscribe();
    return Date.now();
  }
}
