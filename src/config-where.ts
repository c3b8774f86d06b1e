import { InputError } from './io/errors.js';

/*
 * Errors about a part of the config file name the file and the entry, as its schema errors do:
 * `invalid config lookout.yaml: monitors[1] (id "x"): unknown metric "bogus"`.
 */

/** `at[i]`, with the item's identifying field when it has one: `monitors[1] (id "x")`. */
export function entry(at: string, i: number, item: unknown, key = 'id'): string {
  const v = typeof item === 'object' && item !== null ? (item as Record<string, unknown>)[key] : undefined;
  return typeof v === 'string' || typeof v === 'number' ? `${at}[${i}] (${key} ${JSON.stringify(String(v).slice(0, 100))})` : `${at}[${i}]`;
}

/**
 * The message of an error about `where` in the config file `source` (undefined: a config built in code). A message that
 * starts with the key path itself ("alerting.groupWait must be ...") is not prefixed with it again.
 */
export function invalidConfig(source: string | undefined, where: string, message: string): string {
  const head = source === undefined ? 'invalid config' : `invalid config ${source}`;
  const own = message.startsWith(`${where}.`) || message.startsWith(`${where}[`);
  return own ? `${head}: ${message}` : `${head}: ${where}: ${message}`;
}

/** Runs `f`; an error it throws (or its promise rejects with) becomes an InputError about `where` (exit code 2). */
export function configError<T>(source: string | undefined, where: string, f: () => T): T {
  const wrap = (e: unknown): never => {
    throw new InputError(invalidConfig(source, where, e instanceof Error ? e.message : String(e)));
  };
  try {
    const r = f();
    return (r instanceof Promise ? r.catch(wrap) : r) as T;
  } catch (e) {
    return wrap(e);
  }
}
