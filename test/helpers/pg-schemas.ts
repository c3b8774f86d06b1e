import { after } from 'node:test';
import pg from 'pg';

/**
 * PostgreSQL schemas a test file creates (names unique to the process), dropped when the file's tests end. `name(tag)`
 * answers a new one; `url(tag)` the store URL of a new one (LOOKOUT_TEST_PG_URL with ?schema=).
 */
export function testSchemas(prefix: string, pgUrl: string | undefined): { name: (tag: string) => string; url: (tag: string) => string } {
  const schemas: string[] = [];
  after(async () => {
    if (!pgUrl || schemas.length === 0) return;
    const client = new pg.Client({ connectionString: pgUrl });
    await client.connect();
    for (const s of schemas) await client.query(`DROP SCHEMA IF EXISTS "${s}" CASCADE`);
    await client.end();
  });
  const name = (tag: string): string => {
    const s = `${prefix}_${tag}_${process.pid}`;
    schemas.push(s);
    return s;
  };
  return {
    name,
    url: (tag) => {
      const u = new URL(pgUrl ?? 'postgres://unset');
      u.searchParams.set('schema', name(tag));
      return u.toString();
    },
  };
}
