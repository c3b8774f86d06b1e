import { readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { extname, join, normalize, sep } from 'node:path';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { ApiError } from '../errors.js';
import { ANY_QUERY } from '../known-query.js';
import { WEB_DIST } from '../../paths.js';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml', '.png': 'image/png', '.ico': 'image/x-icon', '.json': 'application/json', '.woff2': 'font/woff2',
};

/**
 * The dashboard's own files only (no inline script or style, no eval, no other origin: the page reads this server's
 * API and holds an API key, so text from the API that got parsed as markup could not run), never inside a frame.
 * `h()` sets styles through the CSSOM, which style-src does not govern; the favicon is a data: URL.
 */
export const DASHBOARD_CSP = [
  "default-src 'self'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:", "connect-src 'self'",
  "object-src 'none'", "base-uri 'none'", "form-action 'self'", "frame-ancestors 'none'",
].join('; ');

const SECURITY_HEADERS = {
  'x-content-type-options': 'nosniff', 'content-security-policy': DASHBOARD_CSP, 'x-frame-options': 'DENY', 'referrer-policy': 'no-referrer',
};

/**
 * The dashboard: static files of web/dist under /ui/ (no data in them, so no API key needed; the page sends
 * the key with every API call). Unknown paths under /ui/ get index.html (client-side routes); / redirects.
 */
export function uiRoutes(root: string = WEB_DIST) {
  const cache = new Map<string, Buffer>();
  const load = async (rel: string): Promise<Buffer | null> => {
    const path = normalize(join(root, rel));
    if (!path.startsWith(normalize(root + sep)) && path !== normalize(root)) return null;
    const hit = cache.get(path);
    if (hit) return hit;
    try {
      const data = await readFile(path);
      // Hashed assets never change; index.html is re-read so a rebuild shows without a restart.
      if (rel.startsWith('assets/')) cache.set(path, data);
      return data;
    } catch {
      return null;
    }
  };
  const send = (reply: FastifyReply, rel: string, data: Buffer): FastifyReply => reply
    .header('content-type', TYPES[extname(rel)] ?? 'application/octet-stream')
    .header('cache-control', rel.startsWith('assets/') ? 'public, max-age=31536000, immutable' : 'no-cache')
    .headers(SECURITY_HEADERS)
    .send(data);

  // In the catalog's shape here, not thrown: the plugin answers alike in an app without Lookout's error handler.
  const refuse = (reply: FastifyReply, e: ApiError): FastifyReply => reply.status(e.status).send(e.toJSON());

  return async (app: FastifyInstance): Promise<void> => {
    // Static files and redirects read no query parameter and let any pass (a link's `?utm_source=`, a cache-busting
    // `?v=2`): the dashboard's own state is in the URL's fragment (#/model/churn?range=7d), never sent.
    const files = { config: { query: ANY_QUERY } };
    app.get('/', files, async (_req, reply) => reply.redirect('/ui/'));
    app.get('/ui', files, async (_req, reply) => reply.redirect('/ui/'));
    app.get<{ Params: { '*': string } }>('/ui/*', files, async (req, reply) => {
      // The router has decoded the path once already: decoding it again threw (500) on a file name holding "%" ("%25").
      const rel = req.params['*'] || 'index.html';
      const file = rel.includes('..') ? null : await load(rel);
      if (file) return send(reply, rel, file);
      if (rel.startsWith('assets/')) return refuse(reply, new ApiError('not_found', `no dashboard asset ${rel.slice(0, 200)}`));
      const index = await load('index.html');
      if (index) return send(reply, 'index.html', index);
      return refuse(reply, new ApiError('unavailable', `The dashboard is not built (${existsSync(root) ? 'no index.html in' : 'missing'} ${root}): run \`npm run build\`.`));
    });
  };
}
