import Fastify, { LogController, type FastifyInstance, type FastifyError, type FastifyReply, type FastifyRequest } from 'fastify';
import { clientErrorHandlerFor } from './client-error.js';
import { useRequestLogs, type RequestLogs } from './request-log.js';
import { requestTimeoutOptions, useRequestTimeout } from './request-timeout.js';
import { useMediaTypes } from './media-types.js';
import { useKnownQuery } from './known-query.js';
import { useOpenApi } from './openapi.js';
import { useJsonBodies } from './json-body.js';
import { useBodyFields } from './body-fields.js';
import { useContentEncodings } from './content-encoding.js';
import type { AppDeps } from './deps.js';
import { ApiError, ERROR_STATUS, type ErrorCode } from './errors.js';
import { useMethodIndex } from './method-not-allowed.js';
import { UnavailableError } from '../io/errors.js';
import { eventRoutes } from './routes/events.js';
import { gatewayRoutes } from './routes/gateway.js';
import { registryRoutes } from './routes/registry.js';
import { rolloutRoutes } from './routes/rollouts.js';
import { labelRoutes } from './routes/labels.js';
import { modelRoutes } from './routes/models.js';
import { queryRoutes } from './routes/queries.js';
import { snapshotRoutes } from './routes/snapshots.js';
import { overviewRoutes } from './routes/overview.js';
import { systemRoutes } from './routes/system.js';
import { alertingRoutes } from './routes/alerting.js';
import { uiRoutes } from './routes/ui.js';
import { distributionRoutes } from './routes/distribution.js';
import { seriesRoutes } from './routes/series.js';
import { shownErrors, validationMessage, type AjvError } from './validation-message.js';
import { sharedValidators } from './validators.js';

export const DEFAULT_BODY_LIMIT = 16 * 1024 * 1024;
/** Longest path parameter (decoded) a route accepts. */
const MAX_PATH_PARAM = 1024;

/** Builds the Fastify app: routes, structured errors ({error:{code,message,details}}), auth, metrics. */
export interface AppOptions {
  /** Log (pino, JSON lines on stdout or `logStream`); off by default. */
  logger?: boolean;
  logStream?: NodeJS.WritableStream;
  /** Which requests are logged when logging (default `errors`; request-log.ts). */
  requestLogs?: RequestLogs;
  /**
   * How long close() lets requests in flight finish before closing their connections (default: no limit), and what is
   * told of the connections it closed then.
   */
  shutdownGrace?: { ms: number; onClosed: (connections: number) => void };
  /** How long receiving a request may take before it is answered 408 and its connection closed (request-timeout.ts; 0: no limit but Node's 60 s for the headers, the default here). */
  requestTimeoutMs?: number;
  /** Serve HTTPS with this certificate and key (server.tls; tls.ts), else plain HTTP. */
  https?: { cert: Buffer; key: Buffer };
}

export function buildApp(deps: AppDeps, opts: AppOptions = {}): FastifyInstance {
  const timeouts = requestTimeoutOptions(opts.requestTimeoutMs ?? 0);
  const app = Fastify({
    logger: opts.logger ? { level: 'info', ...(opts.logStream ? { stream: opts.logStream } : {}) } : false,
    // Fastify's two lines per request replaced by useRequestLogs' choice.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: deps.bodyLimit ?? DEFAULT_BODY_LIMIT,
    ...(opts.https && { https: opts.https }),
    // A request whose headers stall is answered 408 and closed (request-timeout.ts; its body: useRequestTimeout below).
    ...timeouts,
    // Ids are ours: a request id per request for logs.
    genReqId: () => deps.newId(),
    // removeAdditional false: properties a schema does not allow are refused (400), not silently dropped.
    ajv: { customOptions: { coerceTypes: false, allErrors: false, removeAdditional: false, verbose: true } },
    // One Ajv and one compilation of each route schema for every app of the process (validators.ts).
    schemaController: { compilersFactory: { buildValidator: sharedValidators } },
    clientErrorHandler: clientErrorHandlerFor(timeouts.http.headersTimeout),
    // Requests arriving while the server stops are refused by the hook below, in the catalog's shape.
    return503OnClosing: false,
    // Path parameters hold names of up to 128 characters (models, versions) and feature names: Fastify's default limit
    // of 100 answered 414 for names that POST /v1/models accepts.
    routerOptions: { maxParamLength: MAX_PATH_PARAM },
    // The router's own refusals (a longer parameter, a path that is not valid percent-encoding) in the catalog's shape.
    frameworkErrors: (err: FastifyError, _req: FastifyRequest, reply: FastifyReply) => {
      const api = err.code === 'FST_ERR_MAX_PARAM_LENGTH' ? new ApiError('bad_request', `a path segment is longer than ${MAX_PATH_PARAM} characters`)
        : err.code === 'FST_ERR_BAD_URL' ? new ApiError('bad_request', 'the URL path is not valid percent-encoded UTF-8') : toApiError(err);
      void reply.status(api.status).send(api.toJSON());
    },
  });
  // A validator compiler of one's own (above) makes Fastify compile header schemas as they are written, without
  // lowercasing their property names as it does for its own: no route may have one (none does).
  app.addHook('onRoute', (route) => {
    if ((route.schema as { headers?: unknown } | undefined)?.headers !== undefined) throw new Error(`route ${route.url} has a schema.headers: check headers in the handler instead (src/http/validators.ts)`);
  });
  // A request that arrives once close() began (on a kept-alive connection; Fastify closes it after the answer) is not
  // processed: 503 unavailable, so the client retries it elsewhere or after the restart. Those in flight are answered.
  let closing = false;
  // Node's server.close() closes the connections idle at that moment only: one whose request was still in flight (an
  // ingest batch waiting for its commit) was kept alive after its answer until Fastify's keepAliveTimeout (72 s), and
  // the process with it: a SIGTERM under steady traffic took 72 s to exit (past Kubernetes' 30 s grace period). While
  // closing, connections are closed as soon as they fall idle; nothing is added to the request path.
  let reaper: NodeJS.Timeout | null = null;
  // A request whose body stalls (a client hung or gone without closing, mid-upload) was waited for for ever, and the
  // process with it (still running 593 s after a SIGTERM, until killed without its last checkpoint): once the grace
  // period is over, the connections left are closed (their requests were not answered: the clients retry them).
  let cutter: NodeJS.Timeout | null = null;
  const grace = opts.shutdownGrace;
  app.addHook('preClose', async () => {
    closing = true;
    reaper = setInterval(() => app.server.closeIdleConnections(), 50);
    reaper.unref();
    if (grace) {
      cutter = setTimeout(() => app.server.getConnections((err, n) => {
        if (!err && n > 0) grace.onClosed(n);
        app.server.closeAllConnections();
      }), grace.ms);
      cutter.unref();
    }
  });
  app.addHook('onClose', async () => {
    if (reaper) clearInterval(reaper);
    if (cutter) clearTimeout(cutter);
  });
  // One callback-style hook for both checks (each async hook cost a promise and a microtask per request):
  // U+0000 in a path or query string is refused alike on both stores (PostgreSQL text cannot hold it), first.
  app.addHook('onRequest', (req, _reply, done) => {
    if (!req.is404 && /%00/i.test(req.url)) return done(new ApiError('bad_request', 'the URL must not contain U+0000 (%00)'));
    if (closing) return done(new ApiError('unavailable', 'the server is shutting down; the request was not processed (retry it)'));
    if (crossSiteWrite(req)) return done(new ApiError('forbidden', `a browser request from another site may not ${req.method} here (Sec-Fetch-Site: ${String(req.headers['sec-fetch-site'])}): use the dashboard of this server, or a client that is not a browser`));
    done();
  });

  useRequestTimeout(app, opts.requestTimeoutMs ?? 0, opts.logger === true && opts.requestLogs !== 'off');
  if (opts.logger) useRequestLogs(app, opts.requestLogs ?? 'errors');
  // before any route is added: its onRoute hook refuses a route that declares no query parameters
  useKnownQuery(app);
  // and one that declares no body (POST, PUT, PATCH, DELETE)
  useBodyFields(app);
  const openApi = useOpenApi(app);
  useMediaTypes(app);
  useJsonBodies(app);
  useContentEncodings(app, deps.bodyLimit ?? DEFAULT_BODY_LIMIT);

  app.setErrorHandler((err: FastifyError | ApiError, req, reply) => {
    const api = toApiError(err);
    // A 503 the server answers on purpose (the store refusing writes or unreachable, shutting down) is an expected
    // condition, said once where it arises: its request line is enough, not a stack trace per request (each liveness
    // probe of /healthz logged one while the disk was full).
    const deliberate = api.status === 503 && (err instanceof ApiError || err instanceof UnavailableError);
    if (api.status >= 500 && !deliberate) req.log.error({ err }, 'request failed');
    void reply.status(api.status).send(api.toJSON());
  });
  // A path routed under other methods answers 405 with Allow (RFC 9110 15.5.6), an unknown one 404. Neither checks the
  // API key: an unauthenticated request with the right method answers 401 where an unknown path answers 404, so a
  // path's existence is no secret; the Allow list is the API reference's. OPTIONS answers 404 as before (no CORS).
  const methods = useMethodIndex(app, MAX_PATH_PARAM);
  app.setNotFoundHandler((req, reply) => {
    const path = req.url.split('?')[0] ?? '';
    const allow = req.method === 'OPTIONS' ? [] : methods.allowed(req.url);
    if (allow.length === 0) return void reply.status(404).send(new ApiError('not_found', `no route ${req.method} ${path}`).toJSON());
    void reply.status(405).header('allow', allow.join(', '))
      .send(new ApiError('method_not_allowed', `${req.method} is not allowed on ${path}: it takes ${allow.join(', ')}`, { allow }).toJSON());
  });

  app.get('/v1/openapi.json', { onRequest: deps.keys.hook('read'), config: { query: [] } }, async () => openApi());
  app.register(systemRoutes(deps));
  app.register(modelRoutes(deps));
  app.register(eventRoutes(deps));
  app.register(labelRoutes(deps));
  app.register(queryRoutes(deps));
  app.register(overviewRoutes(deps));
  app.register(snapshotRoutes(deps));
  if (deps.registry) {
    app.register(registryRoutes(deps, deps.registry));
    app.register(gatewayRoutes(deps, deps.registry));
    app.register(rolloutRoutes(deps, deps.registry));
  }
  if (deps.alerting) app.register(alertingRoutes(deps, deps.alerting));
  app.register(distributionRoutes(deps));
  app.register(seriesRoutes(deps));
  app.register(uiRoutes());
  return app;
}

/**
 * A write the server's disk refused for want of space (an artifact or reference upload): what to tell the client, else
 * null. Answered 503 with that, not 500 "internal error": the client can retry once space is freed.
 */
export function diskFull(err: unknown): string | null {
  const code = (err as { code?: unknown } | null)?.code;
  if (code === 'ENOSPC') return 'no space left on the server\'s disk (ENOSPC)';
  if (code === 'EDQUOT') return 'the server\'s disk quota is exceeded (EDQUOT)';
  return null;
}

/**
 * A request that would change something, sent by a browser on behalf of a page of another site (Fetch Metadata). Such a
 * page cannot read the answer (no CORS), but without API keys (the default) it could still send it: a page on any site
 * paused a model with fetch(url, {method: 'POST', mode: 'no-cors'}) (no Content-Type, no body). Other clients (curl, the
 * SDK, the CLI) send no Sec-Fetch-Site; the dashboard's own requests are same-origin.
 */
function crossSiteWrite(req: FastifyRequest): boolean {
  if (req.method === 'GET' || req.method === 'HEAD' || req.method === 'OPTIONS') return false;
  const site = req.headers['sec-fetch-site'];
  return site === 'cross-site' || site === 'same-site';
}

/** Maps Fastify's own errors (bad JSON, body too large, schema validation) onto the error catalog. */
export function toApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  if (err instanceof UnavailableError) return new ApiError('unavailable', err.message);
  const e = err as Partial<FastifyError> & { validation?: unknown };
  if (Array.isArray(e.validation) && e.validation.length > 0) {
    const errors = e.validation as AjvError[];
    // A bad query parameter is a 400 bad_request, as every route's own checks answer it (audit 26: the two routes with a
    // query schema, /v1/models and /v1/overview, said validation_failed, which is for bodies).
    return new ApiError(e.validationContext === 'querystring' ? 'bad_request' : 'validation_failed', validationMessage(e.validationContext, errors[0] as AjvError), { errors: shownErrors(errors) });
  }
  if (e.validation) return new ApiError('validation_failed', e.message ?? 'invalid request', e.validation);
  switch (e.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new ApiError('invalid_json', `request body is not valid JSON: ${e.message ?? ''}`.trim());
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new ApiError('payload_too_large', e.message ?? 'request body too large');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new ApiError('unsupported_media_type', e.message ?? 'unsupported content type');
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new ApiError('bad_request', e.message ?? 'invalid content length');
  }
  if (e instanceof SyntaxError) return new ApiError('invalid_json', `request body is not valid JSON: ${e.message}`);
  const full = diskFull(err);
  if (full !== null) return new ApiError('unavailable', `${full}: the request was not carried out (nothing of it was kept); free space in the data dir, then retry`);
  const status = typeof e.statusCode === 'number' ? e.statusCode : 500;
  if (status >= 400 && status < 500) {
    const code = (Object.entries(ERROR_STATUS).find(([, s]) => s === status)?.[0] ?? 'bad_request') as ErrorCode;
    return new ApiError(code, e.message ?? 'bad request');
  }
  return new ApiError('internal', 'internal error (see the server log)');
}
