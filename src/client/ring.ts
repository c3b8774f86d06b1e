/**
 * A FIFO queue with O(1) push and shift over a circular array. It grows by doubling up to `capacity`
 * (so an idle client holds little memory); callers check `full` before pushing.
 */
export class Ring<T> {
  private buf: Array<T | undefined>;
  private head = 0;
  private size = 0;

  constructor(readonly capacity: number) {
    this.buf = new Array<T | undefined>(Math.min(capacity, 1024));
  }

  get length(): number {
    return this.size;
  }

  get full(): boolean {
    return this.size >= this.capacity;
  }

  push(v: T): void {
    if (this.size === this.buf.length) this.grow();
    this.buf[(this.head + this.size) % this.buf.length] = v;
    this.size++;
  }

  shift(): T | undefined {
    if (this.size === 0) return undefined;
    const v = this.buf[this.head];
    this.buf[this.head] = undefined;
    this.head = (this.head + 1) % this.buf.length;
    this.size--;
    return v;
  }

  peek(): T | undefined {
    return this.size === 0 ? undefined : this.buf[this.head];
  }

  private grow(): void {
    const next = new Array<T | undefined>(Math.min(this.capacity, Math.max(1, this.buf.length * 2)));
    for (let i = 0; i < this.size; i++) next[i] = this.buf[(this.head + i) % this.buf.length];
    this.buf = next;
    this.head = 0;
  }
}
