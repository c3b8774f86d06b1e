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

/**
 * auth.keys' own mistakes: a list present but empty (no key: every endpoint open to anyone, where the README says that
 * with keys present every endpoint but /healthz needs one), and one key (its SHA-256, in any case) under two entries
 * (a line copied and its name edited: the first entry's scopes were the key's, silently). Undefined when none.
 */
export function authKeysProblem(keys: ReadonlyArray<{ name?: unknown; sha256?: unknown }> | undefined): string | undefined {
  if (keys === undefined) return undefined;
  if (keys.length === 0) {
    return 'auth.keys is empty: with no key every endpoint would be open to anyone who can reach the port; add a key (`lookout keys create --name NAME --scopes read`), or remove auth.keys to run without keys';
  }
  const seen = new Map<string, number>();
  for (const [i, k] of keys.entries()) {
    if (typeof k.sha256 !== 'string') continue;
    const hash = k.sha256.toLowerCase();
    const first = seen.get(hash);
    const name = (j: number): string => JSON.stringify(String(keys[j]?.name ?? '').slice(0, 100));
    if (first !== undefined) {
      return `auth.keys[${i}].sha256 (key ${name(i)}) is the hash of the same key as auth.keys[${first}] (key ${name(first)}): one key is one entry, its scopes listed there (a key carrying several scopes: scopes: [ingest, read]); \`lookout keys create\` makes a new key`;
    }
    seen.set(hash, i);
  }
  return undefined;
}
