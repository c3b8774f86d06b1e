/**
 * The second item of a list that has the same `key` as an earlier one (the second silently replaced the first: a
 * monitor, a model's declaration), as an error naming both; undefined when there is none.
 */
export function declaredTwice(list: readonly unknown[] | undefined, key: string, at: string): string | undefined {
  const seen = new Map<unknown, number>();
  for (const [i, item] of (list ?? []).entries()) {
    const v = typeof item === 'object' && item !== null ? (item as Record<string, unknown>)[key] : undefined;
    if (typeof v !== 'string') continue;
    const first = seen.get(v);
    if (first !== undefined) return `${at}[${i}].${key} ${JSON.stringify(v.slice(0, 100))} is declared twice (also ${at}[${first}])`;
    seen.set(v, i);
  }
  return undefined;
}
