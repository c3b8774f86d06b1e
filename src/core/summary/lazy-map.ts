/**
 * A Map whose values can be given as sources, decoded on first access. A window summary read from the store
 * holds 50 features' sketches; a chart of one feature, or of latency, needs one of them, so decoding the
 * others is wasted (decoding is most of a cold series query's time). Keys, `has` and `size` never decode;
 * `get` decodes one value; iterating (for..of, entries, values, forEach, spread) decodes every pending value
 * first, so code that walks the map sees plain values. Insertion order is kept.
 */
export class LazyMap<K, V, S, C> extends Map<K, V> {
  /** Sources of the values not decoded yet. */
  private pending: Map<K, S> | null = null;
  private ctx: C | null;
  private released = false;

  /**
   * `decode`: a value from its key and source, given `context` (what every value decodes from, such as the stored
   * bytes: one function and one context for the map, not a closure per value). The context is let go once no value
   * is pending; deferring more after that is an error.
   */
  constructor(context: C, private readonly decode: (context: C, key: K, source: S) => V) {
    super();
    this.ctx = context;
  }

  /** Sets `key` to the value decoded from `source` when first read. */
  defer(key: K, source: S): this {
    if (this.released) throw new Error('LazyMap: every value was decoded and the context let go; nothing more can be deferred');
    (this.pending ??= new Map()).set(key, source);
    // A placeholder keeps the key's place in the order and makes has/size/keys right without decoding.
    return super.set(key, undefined as V);
  }

  /** Pending values not decoded yet. */
  get pendingCount(): number {
    return this.pending?.size ?? 0;
  }

  /** The source of `key` while its value is still to be decoded; undefined once decoded, set or deleted. */
  sourceOf(key: K): S | undefined {
    return this.pending?.get(key);
  }

  /** The context values decode from, while any is pending. */
  get context(): C | null {
    return this.ctx;
  }

  override get(key: K): V | undefined {
    if (this.pending?.has(key) !== true) return super.get(key);
    const v = this.decodeOne(key);
    this.forget(key);
    super.set(key, v);
    return v;
  }

  /**
   * The value of `key`, a pending one decoded for this call only (not kept): a reader that uses each value once (a
   * merge into another summary) lets the decoded values die young instead of keeping them alive with the map.
   */
  peek(key: K): V | undefined {
    return this.pending?.has(key) === true ? this.decodeOne(key) : super.get(key);
  }

  private decodeOne(key: K): V {
    return this.decode(this.ctx as C, key, this.pending?.get(key) as S);
  }

  /** Drops `key`'s source; the context with the last one. */
  private forget(key: K): void {
    if (this.pending === null) return;
    this.pending.delete(key);
    if (this.pending.size === 0) this.release();
  }

  private release(): void {
    this.pending = null;
    this.ctx = null;
    this.released = true;
  }

  override set(key: K, value: V): this {
    this.forget(key);
    return super.set(key, value);
  }

  override delete(key: K): boolean {
    this.forget(key);
    return super.delete(key);
  }

  override clear(): void {
    this.release();
    super.clear();
  }

  override forEach(f: (value: V, key: K, map: Map<K, V>) => void, thisArg?: unknown): void {
    this.decodeAll();
    super.forEach(f, thisArg);
  }

  override entries(): MapIterator<[K, V]> {
    this.decodeAll();
    return super.entries();
  }

  override values(): MapIterator<V> {
    this.decodeAll();
    return super.values();
  }

  override [Symbol.iterator](): MapIterator<[K, V]> {
    return this.entries();
  }

  /** Decodes every pending value (a decoder that throws leaves its key pending and the error propagates). */
  decodeAll(): void {
    if (!this.pending || this.pending.size === 0) return;
    for (const key of [...this.pending.keys()]) this.get(key);
  }
}
