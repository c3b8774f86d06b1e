import type { FastifyInstance } from 'fastify';
import { Snapshots } from '../../storage/snapshot-dir.js';
import { deleteSnapshot, listSnapshots, SNAPSHOT_NAME } from '../../storage/snapshot-list.js';
import type { AppDeps } from '../deps.js';
import { answer, noContent } from '../answers/index.js';
import { ApiError } from '../errors.js';

/** `?keep=N`: a whole number from 1 (the snapshot just made is always kept). */
function keepParam(v: unknown): number | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || !/^\d{1,6}$/.test(v) || Number(v) < 1) {
    throw new ApiError('bad_request', `keep must be a whole number of snapshots to keep, at least 1 (got ${JSON.stringify(v).slice(0, 50)})`);
  }
  return Number(v);
}

/**
 * Snapshots of the embedded store's data dir in DATA_DIR/snapshots (storage/snapshot-dir.ts), admin scope:
 * - POST /v1/admin/snapshots[?keep=N]: a consistent copy made while the server keeps ingesting and answering. 201
 *   {name, dir, bytes, ms, removed}; with keep, all but the N newest snapshots are removed afterwards (`removed`). 409
 *   while another is being made, or on PostgreSQL (pg_dump is its backup); 503 when the store refuses writes.
 * - GET /v1/admin/snapshots: {snapshots: [{name, dir, bytes, createdAt}]}, newest first.
 * - DELETE /v1/admin/snapshots/:name: 204; 404 when there is no such snapshot.
 */
export function snapshotRoutes(deps: AppDeps) {
  const snapshots = new Snapshots(deps.dataDir, deps.store, deps.pipeline);
  // the query parameters each route reads (known-query.ts): any other is a 400 unknown_parameter
  const withQuery = (...query: string[]) => ({ onRequest: deps.keys.hook('admin'), config: { query } });
  const admin = withQuery();
  return async (app: FastifyInstance): Promise<void> => {
    app.post<{ Querystring: Record<string, unknown> }>('/v1/admin/snapshots', { ...withQuery('keep'), config: { query: ['keep'], body: [], answer: answer('SnapshotMade', 'the snapshot made', 201) } }, async (req, reply) => {
      const keep = keepParam(req.query['keep']);
      const unsupported = snapshots.unsupported();
      if (unsupported !== null) throw new ApiError('conflict', unsupported);
      if (snapshots.running) throw new ApiError('conflict', 'a snapshot is being made: wait for it to end');
      const failed = deps.store.failure?.() ?? null;
      if (failed !== null) throw new ApiError('unavailable', `the store refuses writes since a failure (${failed}): restart the server, then make the snapshot`);
      const r = await snapshots.make(deps.clock(), deps.newId().slice(-6), keep);
      void reply.status(201);
      return r;
    });
    app.get('/v1/admin/snapshots', { ...admin, config: { query: [], answer: answer('SnapshotList', 'the snapshots, newest first') } }, async () => ({ snapshots: await listSnapshots(snapshots.root) }));
    app.delete<{ Params: { name: string } }>('/v1/admin/snapshots/:name', { ...admin, config: { query: [], body: [], answer: noContent('deleted') } }, async (req, reply) => {
      const { name } = req.params;
      if (!(await deleteSnapshot(snapshots.root, name))) {
        const hint = SNAPSHOT_NAME.test(name) ? '' : ' (snapshot names look like 20261206T055012Z-3f9a1c)';
        throw new ApiError('not_found', `no snapshot "${name.slice(0, 100)}"${hint}: GET /v1/admin/snapshots lists them`);
      }
      void reply.status(204);
    });
  };
}
