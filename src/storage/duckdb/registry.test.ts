import { mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import { registryContract } from '../registry-contract.js';
import { DuckDbStore } from './store.js';

const dir = mkdtempSync(join(tmpdir(), 'lookout-registry-duckdb-'));
after(() => rm(dir, { recursive: true, force: true }));

registryContract('duckdb', () => DuckDbStore.open(join(dir, 'registry.duckdb')));
