/** A fixed-capacity ring buffer: the last N items, oldest first. */
export class Ring<T> {
  private buf: (T | undefined)[];
  private start = 0;
  private len = 0;
  constructor(readonly capacity: number) { this.buf = new Array(capacity); }

  push(item: T): void {
    const end = (this.start + this.len) % this.capacity;
    this.buf[end] = item;
    if (this.len < this.capacity) this.len++;
    else this.start = (this.start + 1) % this.capacity;
  }

  get size(): number { return this.len; }

  last(): T | undefined { return this.len ? this.buf[(this.start + this.len - 1) % this.capacity] : undefined; }

  toArray(): T[] {
    const out: T[] = new Array(this.len);
    for (let i = 0; i < this.len; i++) out[i] = this.buf[(this.start + i) % this.capacity] as T;
    return out;
  }
}
