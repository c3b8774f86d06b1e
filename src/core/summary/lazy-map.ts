/**
 * A Map whose values can be given as decoders, run on first access. A window summary read from the store
 * holds 50 features' sketches; a chart of one feature, or of latency, needs one of them, so decoding the
 * others is wasted (decoding is most of a cold series query's time). Keys, `has` and `size` never decode;
 * `get` decodes one value; iterating (for..of, entries, values, forEach, spread) decodes every pending value
 * first, so code that walks the map sees plain values. Insertion order is kept.
 */
export class LazyMap<K, V> extends Map<K, V> {
  private pending: Map<K, () => V> | null = null;

  /** Sets `key` to the value `decode()` returns, decoded when first read. */
  defer(key: K, decode: () => V): this {
    (this.pending ??= new Map()).set(key, decode);
    // A placeholder keeps the key's place in the order and makes has/size/keys right without decoding.
    return super.set(key, undefined as V);
  }

  /** Pending values not decoded yet. */
  get pendingCount(): number {
    return this.pending?.size ?? 0;
  }

  override get(key: K): V | undefined {
    const decode = this.pending?.get(key);
    if (decode === undefined) return super.get(key);
    const v = decode();
    this.pending?.delete(key);
    super.set(key, v);
    return v;
  }

  override set(key: K, value: V): this {
    this.pending?.delete(key);
    return super.set(key, value);
  }

  override delete(key: K): boolean {
    this.pending?.delete(key);
    return super.delete(key);
  }

  override clear(): void {
    this.pending = null;
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

  /**
   * Every entry in order, pending ones decoded for this walk only (not kept): a reader that uses each value once (a
   * merge into another summary) lets the decoded values die young instead of keeping them alive with the map.
   */
  *peekEntries(): Generator<[K, V]> {
    for (const [key, v] of super.entries()) {
      const decode = this.pending?.get(key);
      yield [key, decode === undefined ? v : decode()];
    }
  }

  /** Decodes every pending value (a decoder that throws leaves its key pending and the error propagates). */
  decodeAll(): void {
    if (!this.pending || this.pending.size === 0) return;
    for (const key of [...this.pending.keys()]) this.get(key);
  }
}
