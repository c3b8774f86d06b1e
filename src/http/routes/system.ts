import type { FastifyInstance } from 'fastify';
import type { AppDeps } from '../deps.js';
import { VERSION } from '../../version.js';

export function systemRoutes(deps: AppDeps) {
  return async (app: FastifyInstance): Promise<void> => {
    app.get('/healthz', async () => ({ status: 'ok', version: VERSION, store: deps.store.kind, time: deps.clock() }));
    app.get('/metrics', { onRequest: deps.keys.hook('read') }, async (_req, reply) => {
      void reply.header('content-type', deps.metrics.registry.contentType);
      return deps.metrics.registry.metrics();
    });
  };
}
