import { accessSync, constants } from 'node:fs';
import { join } from 'node:path';
import type { LookoutConfig } from '../config.js';
import { InputError } from '../io/errors.js';
import { makeDirs } from '../io/make-dirs.js';
import { dataDirError, shownStoreUrl, storeOpenError, storeRefusedAtStart, summaryFilesCheck } from '../startup-errors.js';
import { VERSION } from '../version.js';
import type { StorageBackend } from './backend.js';
import { checkStoreFormat } from './format.js';
import { openStore } from './open.js';

export function storeUrl(config: LookoutConfig): string {
  return config.storage ?? `duckdb:${join(config.dataDir, 'lookout.duckdb')}`;
}

/**
 * The store `lookout serve` runs on: the data dir made and writable, the store opened, its tables made, its summary
 * files usable, the writer's claim taken and its format one this version reads. What the environment refuses (a data
 * dir, a store URL, a role without CREATE, a second writer, a newer store) is an InputError (one line, exit code 2);
 * on any refusal the store is closed again.
 */
export async function openStoreForServe(config: LookoutConfig): Promise<StorageBackend> {
  try {
    makeDirs(config.dataDir);
    accessSync(config.dataDir, constants.W_OK);
  } catch (e) {
    throw dataDirError(config.dataDir, e);
  }
  const url = storeUrl(config);
  const store = await openStore(url, {
    ...(config.summaryFilesMb !== undefined && { summaryFilesBytes: config.summaryFilesMb * 1024 * 1024 }),
    ...(config.duckdbMemoryMb !== undefined && { memoryLimitMb: config.duckdbMemoryMb }),
  }).catch((e: unknown) => {
    throw storeOpenError(url, e);
  });
  // Creating the tables can fail for the environment too (a role without CREATE on the database, a schema name
  // PostgreSQL reserves): one line and exit code 2, as for a store that cannot be opened, not an internal error.
  await store.init().catch(async (e: unknown) => {
    await store.close().catch(() => undefined);
    throw storeOpenError(url, e);
  });
  const filesRefused = summaryFilesCheck(config.dataDir, store.summaryFilesError?.() ?? null);
  if (filesRefused !== null) {
    await store.close();
    throw filesRefused;
  }
  try {
    await store.claimWriter?.();
  } catch (e) {
    await store.close();
    throw new InputError(`cannot start: ${e instanceof Error ? e.message : String(e)}`);
  }
  await checkStoreFormat(store, VERSION, shownStoreUrl(url)).catch(async (e: unknown) => {
    await store.close().catch(() => undefined);
    throw e instanceof InputError ? e : storeRefusedAtStart(config.dataDir, e instanceof Error ? e.message : String(e));
  });
  return store;
}
