import { mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import { alertStoreContract } from '../alerts-contract.js';
import { DuckDbStore } from './store.js';

const dir = mkdtempSync(join(tmpdir(), 'lookout-alerts-duckdb-'));
after(() => rm(dir, { recursive: true, force: true }));
alertStoreContract('duckdb', () => DuckDbStore.open(join(dir, 'alerts.duckdb')));
