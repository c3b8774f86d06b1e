import type { FastifyInstance } from 'fastify';
import { Snapshots } from '../../storage/snapshot-dir.js';
import type { AppDeps } from '../deps.js';
import { ApiError } from '../errors.js';

/**
 * POST /v1/admin/snapshots (admin): a consistent copy of the embedded store's data dir in DATA_DIR/snapshots/NAME,
 * made while the server keeps ingesting and answering (storage/snapshot-dir.ts). 201 {name, dir, bytes, ms}; 409 while
 * another is being made, or on PostgreSQL (pg_dump is its backup); 503 when the store refuses writes since a failure.
 */
export function snapshotRoutes(deps: AppDeps) {
  const snapshots = new Snapshots(deps.dataDir, deps.store, deps.pipeline);
  return async (app: FastifyInstance): Promise<void> => {
    app.post('/v1/admin/snapshots', { onRequest: deps.keys.hook('admin') }, async (_req, reply) => {
      const unsupported = snapshots.unsupported();
      if (unsupported !== null) throw new ApiError('conflict', unsupported);
      if (snapshots.running) throw new ApiError('conflict', 'a snapshot is being made: wait for it to end');
      const failed = deps.store.failure?.() ?? null;
      if (failed !== null) throw new ApiError('unavailable', `the store refuses writes since a failure (${failed}): restart the server, then make the snapshot`);
      const r = await snapshots.make(deps.clock(), deps.newId().slice(-6));
      void reply.status(201);
      return r;
    });
  };
}
