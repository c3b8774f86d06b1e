import type { FastifyInstance } from 'fastify';
import type { AppDeps } from '../deps.js';
import { VERSION } from '../../version.js';
import { answer } from '../answers/index.js';
import { ApiError } from '../errors.js';
import { ANY_QUERY } from '../known-query.js';

export function systemRoutes(deps: AppDeps) {
  return async (app: FastifyInstance): Promise<void> => {
    // Probes and scrapers read no query parameter and let any pass: a load balancer's or a Prometheus job's `params:`
    // must not turn the health probe or the scrape into a 400 (known-query.ts).
    const probe = { config: { query: ANY_QUERY } };
    app.get('/healthz', { config: { query: ANY_QUERY, answer: answer('Healthz', 'the server is up and its store accepts writes') } }, async () => {
      // A store that refuses writes until a restart makes the server unhealthy (an orchestrator's probe restarts it).
      // So does ingest stopped until a restart (summaries that could not be updated; a COMMIT of unknown outcome).
      // So does ingest refusing until the summary journal can be written again (its disk full before the store's: the
      // store then refuses nothing, and this answered 200 while every ingest request was refused).
      const failure = deps.store.failure?.() ?? deps.pipeline.failure() ?? await deps.pipeline.refusal();
      if (failure !== null) throw new ApiError('unavailable', failure, { store: deps.store.kind, version: VERSION });
      return { status: 'ok', version: VERSION, store: deps.store.kind, time: deps.clock() };
    });
    app.get('/metrics', { onRequest: deps.keys.hook('read'), ...probe }, async (_req, reply) => {
      void reply.header('content-type', deps.metrics.registry.contentType);
      return deps.metrics.registry.metrics();
    });
  };
}
