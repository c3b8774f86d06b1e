import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The user documentation: README.md and docs/*.md (docs/history aside), paths relative to the checkout. */
export const DOCS = ['README.md', ...readdirSync(join(process.cwd(), 'docs')).filter((f) => f.endsWith('.md')).sort().map((f) => `docs/${f}`)];

/** A file of the checkout, as text. */
export const doc = (f: string): string => readFileSync(join(process.cwd(), f), 'utf8');

/** Whether a path of the docs (`/v1/models/churn/versions/1.4.0`, `.../:v/pause`, `.../NAME/versions`) is this route. */
export function sameRoute(route: string, docPath: string): boolean {
  const r = route.split('/');
  const d = docPath.replace(/\/$/, '').split('/');
  return r.length === d.length && r.every((seg, i) => {
    const ds = d[i] as string;
    const docParam = ds.startsWith(':') || /^[A-Z]+$/.test(ds);
    return seg.startsWith(':') ? true : !docParam && seg === ds;
  });
}
