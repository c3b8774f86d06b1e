import assert from 'node:assert/strict';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import { call, type Json } from './server.js';

/*
 * Checks real answers against the schemas GET /v1/openapi.json declares for them (src/http/answers/): Ajv 2020
 * resolving the document's components, one validator per operation and status (the Error schema for 4xx/5xx).
 * Used by test/oapi-answers and test/oapi-answers2.
 */

/**
 * The operations whose answers test/oapi-answers2 validates (registry, gateway, rollouts, SLOs, notifications,
 * actions, snapshots, /healthz); test/oapi-answers validates every other described one.
 */
export const ANSWERS2_OPS = [
  'get /healthz', 'get /v1/registry/limits', 'get /v1/models/{name}/versions', 'get /v1/models/{name}/versions/{version}',
  'put /v1/models/{name}/versions/{version}', 'patch /v1/models/{name}/versions/{version}', 'put /v1/models/{name}/versions/{version}/artifact',
  'get /v1/models/{name}/aliases', 'put /v1/models/{name}/aliases/{alias}', 'get /v1/models/{name}/deployments', 'post /v1/models/{name}/rollback',
  'post /v1/models/{name}/pause', 'post /v1/models/{name}/versions/{version}/pause', 'post /v1/models/{name}/resume',
  'post /v1/models/{name}/versions/{version}/resume', 'get /v1/models/{name}/serving', 'put /v1/models/{name}/serving',
  'post /v1/models/{name}/predict', 'get /v1/models/{name}/shadow', 'post /v1/models/{name}/switch',
  'get /v1/models/{name}/rollout', 'post /v1/models/{name}/rollout', 'get /v1/models/{name}/rollouts', 'post /v1/models/{name}/rollout/pause',
  'post /v1/models/{name}/rollout/resume', 'post /v1/models/{name}/rollout/abort', 'post /v1/rollouts/tick', 'post /v1/models/{name}/compare',
  'post /v1/models/{name}/promote', 'get /v1/monitors/stats', 'post /v1/monitors/run', 'get /v1/slos', 'post /v1/slos', 'delete /v1/slos/{id}',
  'get /v1/notifications', 'get /v1/actions', 'post /v1/actions/{id}/approve', 'post /v1/actions/{id}/reject',
  'post /v1/admin/snapshots', 'get /v1/admin/snapshots', 'delete /v1/admin/snapshots/{name}',
];

export type Op = { responses: Record<string, { content?: Record<string, { schema: { $ref?: string } }> }> };
export type Doc = { paths: Record<string, Record<string, Op>>; components: Record<string, unknown> };

export interface AnswerChecker {
  doc: Doc;
  /** Operations and statuses ("get /v1/models/{name}/drift 200") whose real answers were validated, and how many answers. */
  validated: Map<string, number>;
  /** The validator of the schema the document declares for the operation's answer of `status` (the Error schema for an error). */
  validatorOf(method: string, path: string, status: number): ValidateFunction;
  /**
   * Calls `method url` (path: the document's, as `/v1/models/{name}/drift`), expects `status`, validates the answer
   * (a 204: that the document declares it, and there is no body); returns it.
   */
  check(method: string, path: string, url: string, status?: number, body?: unknown, headers?: Record<string, string>): Promise<Json['body']>;
  /** The answer with one change made by `f` does NOT fit the schema of `status` (the validation catches it). */
  refused(method: string, path: string, answer: unknown, f: (a: Record<string, unknown>) => void, what: string, status?: number): void;
  /** Every "method path status" the document declares a JSON answer (or a 204) for. */
  described(): string[];
}

/** A checker of the answers of the server at `base()` (a function: a restarted server's URL changes). */
export async function answerChecker(base: () => string): Promise<AnswerChecker> {
  const r = await call(base(), 'GET', '/v1/openapi.json');
  assert.equal(r.status, 200);
  const doc = r.body as unknown as Doc;
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  ajv.addSchema({ $id: 'urn:lookout:openapi', components: doc.components });
  const validators = new Map<string, ValidateFunction>();
  const validated = new Map<string, number>();

  const validatorOf = (method: string, path: string, status: number): ValidateFunction => {
    const key = `${method} ${path} ${status}`;
    let v = validators.get(key);
    if (!v) {
      const op = doc.paths[path]?.[method];
      assert.ok(op, `no operation ${method} ${path}`);
      if (status >= 400) v = ajv.compile({ $ref: 'urn:lookout:openapi#/components/responses/Error/content/application~1json/schema' });
      else {
        const target = op.responses[String(status)]?.content?.['application/json']?.schema?.$ref;
        assert.ok(target?.startsWith('#/components/schemas/'), `${key}: the document declares no schema of this answer (${JSON.stringify(Object.keys(op.responses))})`);
        v = ajv.compile({ $ref: `urn:lookout:openapi${target}` });
      }
      validators.set(key, v);
    }
    return v;
  };

  const check: AnswerChecker['check'] = async (method, path, url, status = 200, body, headers) => {
    const res = await call(base(), method.toUpperCase(), url, body, headers);
    assert.equal(res.status, status, `${method} ${url}: ${res.status} ${JSON.stringify(res.body).slice(0, 400)}`);
    const key = `${method} ${path} ${status}`;
    if (status === 204) {
      const declared = doc.paths[path]?.[method]?.responses['204'];
      assert.ok(declared && declared.content === undefined, `${key}: not declared as an answer without a body`);
      assert.deepEqual(res.body, { raw: '' }, `${key}: a body`);
    } else {
      const v = validatorOf(method, path, status);
      assert.ok(v(res.body), `${method} ${url} (${status}) does not fit its schema: ${JSON.stringify(v.errors?.slice(0, 5))}\n${JSON.stringify(res.body).slice(0, 600)}`);
    }
    validated.set(key, (validated.get(key) ?? 0) + 1);
    return res.body;
  };

  const refused: AnswerChecker['refused'] = (method, path, answer, f, what, status = 200) => {
    const copy = structuredClone(answer) as Record<string, unknown>;
    f(copy);
    assert.equal(validatorOf(method, path, status)(copy), false, `${method} ${path}: ${what} was not caught`);
  };

  const described = (): string[] => {
    const out: string[] = [];
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        for (const [status, resp] of Object.entries(op.responses)) if (/^\d+$/.test(status) && (resp.content || status === '204')) out.push(`${method} ${path} ${status}`);
      }
    }
    return out;
  };
  return { doc, validated, validatorOf, check, refused, described };
}
