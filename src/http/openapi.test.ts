import { test } from 'node:test';
import assert from 'node:assert/strict';
import Fastify from 'fastify';
import { answer } from './answers/index.js';
import { useOpenApi } from './openapi.js';

test('a route with a Fastify response schema is refused (its serializer would drop unlisted properties); config.answer describes it', async () => {
  const app = Fastify();
  const doc = useOpenApi(app);
  assert.throws(() => app.get('/a', { schema: { response: { 200: { type: 'object', properties: { x: { type: 'number' } } } } } }, async () => ({ x: 1, y: 2 })), /schema\.response/);
  app.get('/b', { config: { answer: answer('HealthFigures', 'b') } }, async () => ({ x: 1, y: 2 }));
  await app.ready();
  // the answer is whole: nothing serialised by a schema
  assert.deepEqual((await app.inject({ url: '/b' })).json(), { x: 1, y: 2 });
  const paths = doc()['paths'] as Record<string, Record<string, { responses: Record<string, unknown> }>>;
  assert.deepEqual(paths['/b']?.['get']?.responses['200'], { description: 'b', content: { 'application/json': { schema: { $ref: '#/components/schemas/HealthFigures' } } } });
  assert.equal(paths['/a'], undefined);
  await app.close();
});
