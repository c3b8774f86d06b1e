import type { FastifyInstance } from 'fastify';
import type { AppDeps } from '../deps.js';
import { VERSION } from '../../version.js';
import { ApiError } from '../errors.js';

export function systemRoutes(deps: AppDeps) {
  return async (app: FastifyInstance): Promise<void> => {
    app.get('/healthz', async () => {
      // A store that refuses writes until a restart makes the server unhealthy (an orchestrator's probe restarts it).
      // So does ingest stopped until a restart (summaries that could not be updated; a COMMIT of unknown outcome).
      const failure = deps.store.failure?.() ?? deps.pipeline.failure();
      if (failure !== null) throw new ApiError('unavailable', failure, { store: deps.store.kind, version: VERSION });
      return { status: 'ok', version: VERSION, store: deps.store.kind, time: deps.clock() };
    });
    app.get('/metrics', { onRequest: deps.keys.hook('read') }, async (_req, reply) => {
      void reply.header('content-type', deps.metrics.registry.contentType);
      return deps.metrics.registry.metrics();
    });
  };
}
