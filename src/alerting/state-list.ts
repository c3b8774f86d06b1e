/**
 * The states a `state` query parameter (or the CLI's `--state`) asks for: `all` or absent (every one of `known`), or a
 * comma-separated list of them (repeats once). Anything else throws a message naming the known states.
 */
export function parseStates<T extends string>(v: unknown, known: readonly T[]): T[] {
  if (v === undefined || v === 'all') return [...known];
  const given = typeof v === 'string' ? v.split(',').map((x) => x.trim()) : [];
  if (given.length === 0 || given.some((x) => !(known as readonly string[]).includes(x))) {
    throw new Error(`state must be all or a comma-separated list of ${known.join(', ')} (got ${JSON.stringify(v)})`);
  }
  return [...new Set(given as T[])];
}
