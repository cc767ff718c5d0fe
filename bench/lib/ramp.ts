/**
 * Search for the highest rate a target sustains: probe, widen geometrically
 * until one rate passes and a higher one fails, then bisect (geometric mean)
 * until the two are within `precision` of each other.
 */

export interface RampOptions {
  /** First rate, always tested (the fixed-load point, e.g. 5,000/s). */
  floor: number;
  /** A previous result: the search starts just below it and widens slowly (steps of precision, 2×, 4× …). Without it, rates double. */
  hint?: number;
  /** Stop when fail/pass ≤ 1 + precision (0.05 = 5 %). */
  precision: number;
  /** At most this many tests, the floor included. */
  maxSteps: number;
  /** Never test above this… */
  ceiling: number;
  /** …nor below this (when even the floor fails). */
  min: number;
  /** Rates are rounded to a multiple of this. */
  quantum: number;
}

export interface RampResult {
  /** Highest rate that passed; 0 if even `min` failed. */
  best: number;
  /** Lowest rate that failed, or null if none did. */
  failedAt: number | null;
  tested: { rate: number; pass: boolean }[];
}

/** Run `test(rate)` at the rates the search picks; see the module comment. */
export async function rampSearch(test: (rate: number) => Promise<boolean>, o: RampOptions): Promise<RampResult> {
  const tested: RampResult['tested'] = [];
  const q = (r: number) => Math.min(o.ceiling, Math.max(o.quantum, Math.round(r / o.quantum) * o.quantum));
  const run = async (rate: number) => {
    const pass = await test(rate);
    tested.push({ rate, pass });
    return pass;
  };
  let lo = 0;
  let hi = Infinity;
  const budget = () => tested.length < o.maxSteps;

  if (!(await run(q(o.floor)))) {
    // Below the fixed-load point: halve down to `min`.
    hi = q(o.floor);
    for (let r = q(o.floor / 2); budget() && r >= o.min && r < hi; r = q(r / 2)) {
      if (await run(r)) { lo = r; break; }
      hi = r;
    }
    if (lo === 0) return { best: 0, failedAt: hi, tested };
  } else {
    lo = q(o.floor);
  }

  // Widen: up from the probe while it passes, or down while it fails.
  let grow = o.hint ? o.precision : 1;
  const probe = q(o.hint ? Math.max(o.hint * (1 - o.precision), lo * (1 + o.precision)) : lo * 2);
  if (hi === Infinity && probe > lo && budget()) {
    if (await run(probe)) {
      lo = probe;
      while (budget() && lo < o.ceiling) {
        const next = q(lo * (1 + grow));
        if (next <= lo) break;
        if (await run(next)) { lo = next; if (o.hint) grow *= 2; } else { hi = next; break; }
      }
    } else {
      hi = probe;
      while (budget()) {
        const next = q(hi / (1 + grow));
        if (next <= lo || next >= hi) break;
        if (await run(next)) { lo = next; break; }
        hi = next; grow *= 2;
      }
    }
  }
  // Bisect.
  while (budget() && Number.isFinite(hi) && hi / lo > 1 + o.precision) {
    const mid = q(Math.sqrt(lo * hi));
    if (mid <= lo || mid >= hi) break;
    if (await run(mid)) lo = mid; else hi = mid;
  }
  return { best: lo, failedAt: Number.isFinite(hi) ? hi : null, tested };
}
