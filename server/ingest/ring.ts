/** The live ring: the last N points of a host. */

/** Fields of a live point, in storage order. */
const POINT_FIELDS = ['t', 'load1', 'load5', 'load15', 'cpuPct', 'memUsedBytes', 'memTotalBytes', 'netRxBps', 'netTxBps', 'diskReadBps', 'diskWriteBps'] as const;
type PointField = (typeof POINT_FIELDS)[number];
const F = POINT_FIELDS.length;

/**
 * The last N live points of a host, stored as numbers in one Float64Array
 * rather than N objects: a fleet of 1,000 hosts × 15 min of 1 s points is ~70 MB
 * the garbage collector never has to walk, instead of ~1M objects that make
 * its pauses long. Objects are made only when a snapshot or series asks.
 */
export class PointRing<P extends Record<PointField, number>> {
  private buf: Float64Array;
  private start = 0;
  private len = 0;
  constructor(readonly capacity: number) { this.buf = new Float64Array(capacity * F); }

  push(p: P): void {
    const slot = (this.start + this.len) % this.capacity;
    const o = slot * F;
    for (let i = 0; i < F; i++) this.buf[o + i] = p[POINT_FIELDS[i]];
    if (this.len < this.capacity) this.len++;
    else this.start = (this.start + 1) % this.capacity;
  }

  get size(): number { return this.len; }

  private at(i: number): P {
    const o = ((this.start + i) % this.capacity) * F;
    const p = {} as Record<PointField, number>;
    for (let k = 0; k < F; k++) p[POINT_FIELDS[k]] = this.buf[o + k];
    return p as P;
  }

  last(): P | undefined { return this.len ? this.at(this.len - 1) : undefined; }

  toArray(): P[] {
    const out: P[] = new Array(this.len);
    for (let i = 0; i < this.len; i++) out[i] = this.at(i);
    return out;
  }
}
