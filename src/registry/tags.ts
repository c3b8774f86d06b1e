import { RegistryError } from './errors.js';

/** A version's tags as kept: trimmed, each once, in the order given; a blank one is refused (it names nothing). */
export function normalizeTags(tags: readonly string[]): string[] {
  const out: string[] = [];
  tags.forEach((t, i) => {
    const s = t.trim();
    if (s === '') throw new RegistryError('bad_request', `tags[${i}] is blank`);
    if (!out.includes(s)) out.push(s);
  });
  return out;
}
