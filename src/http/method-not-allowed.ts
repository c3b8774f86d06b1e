import FindMyWay from 'find-my-way';
import type { FastifyInstance } from 'fastify';

/**
 * The methods each path takes, for answering 405 (with Allow) rather than 404 when a path exists under other methods.
 * Fastify's router is not exposed, so the routes are collected into a second find-my-way router (the one Fastify
 * uses) as they are added; `allowed(url)` matches the request's URL like Fastify's router does.
 */
export interface MethodIndex {
  /** The methods routed for this URL (its path: a query string is ignored), sorted; empty for an unknown path. */
  allowed(url: string): string[];
}

/** Registers the onRoute hook on `app`: call before any route or plugin is added. */
export function useMethodIndex(app: FastifyInstance, maxParamLength: number): MethodIndex {
  const router = FindMyWay({ maxParamLength });
  const methods = new Set<FindMyWay.HTTPMethod>();
  const noop = (): void => {};
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat() as FindMyWay.HTTPMethod[]) {
      // Fastify adds a HEAD route per GET route (exposeHeadRoutes) through this hook too; a route under two prefixes
      // (a plugin's '' and '/') is one path here: each (method, pattern) once.
      if (router.hasRoute(method, route.url)) continue;
      router.on(method, route.url, noop);
      methods.add(method);
    }
  });
  return {
    allowed(url: string): string[] {
      return [...methods].filter((m) => router.find(m, url) !== null).sort();
    },
  };
}
