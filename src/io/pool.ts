/** `f` over items with at most `n` calls in flight, results in the items' order (the first rejection rejects it all). */
export async function pool<T, U>(items: readonly T[], n: number, f: (x: T) => Promise<U>): Promise<U[]> {
  const out: U[] = new Array<U>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await f(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(n, items.length) }, worker));
  return out;
}
