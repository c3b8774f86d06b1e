import assert from 'node:assert/strict';
import { after, before } from 'node:test';
import type { Server } from '../../src/server.js';
import { lookout } from './cli.js';
import { call, testServer } from './server.js';

/** What `lookout drift --json` prints, as far as the offline tests read it. */
export interface DriftJson {
  features: Array<{ name: string; kind: string; score: number | null; drifted: boolean; note?: string; stats: Record<string, unknown> }>;
  reference: { rows: number };
  current: { rows: number };
}

/** The feature names `lookout drift --json` compares between two files (the run must succeed). */
export function driftFeatureNames(reference: string, current: string): string[] {
  const r = lookout(['drift', '--reference', reference, '--current', current, '--json']);
  assert.equal(r.code, 0, r.stderr);
  return (JSON.parse(r.stdout) as DriftJson).features.map((f) => f.name);
}

/**
 * A test server for the tests of the describe block that calls this: started before them, closed after them.
 * Its `url` is read inside a test.
 */
export function blockServer(): { readonly url: string } {
  let s: Server | undefined;
  before(async () => {
    s = await testServer();
  });
  after(async () => {
    await s?.close();
  });
  return {
    get url(): string {
      assert.ok(s, 'the block\'s server is started before its tests');
      return s.url;
    },
  };
}

/** A binary model `name` (version 1, classes no/yes) whose features are `props` (JSON schema types), for reference uploads. */
export async function referenceModel(url: string, name: string, props: Record<string, string>): Promise<void> {
  const properties = Object.fromEntries(Object.entries(props).map(([k, type]) => [k, { type }]));
  assert.equal((await call(url, 'POST', '/v1/models', { name, outputKind: 'binary', classes: ['no', 'yes'], inputSchema: { type: 'object', properties } })).status, 201);
  assert.equal((await call(url, 'POST', `/v1/models/${name}/versions`, { version: '1' })).status, 201);
}

/**
 * Uploads `body` (content-type `type`) as the reference of version 1 of the model `name` (see referenceModel): it must
 * be refused 422 with an error message equal to `message` (a string) or matching it (a RegExp), and no reference kept.
 */
export async function refusedReference(url: string, name: string, body: string | Buffer, type: string, message: string | RegExp): Promise<void> {
  const r = await call(url, 'PUT', `/v1/models/${name}/versions/1/reference`, body, { 'content-type': type });
  assert.equal(r.status, 422, JSON.stringify(r.body));
  const got = (r.body as { error: { message: string } }).error.message;
  if (typeof message === 'string') assert.equal(got, message);
  else assert.match(got, message);
  const m = await call(url, 'GET', `/v1/models/${name}`);
  assert.equal((m.body as { versions: Array<{ reference: unknown }> }).versions[0]?.reference, null, JSON.stringify(m.body));
}
