import { open } from 'node:fs/promises';
import type { DuckDBInstance } from '@duckdb/node-api';

const quoted = (s: string): string => `'${s.replace(/'/g, "''")}'`;

/**
 * A consistent copy of the whole database (every table, its keys and indexes) in a new DuckDB file at `target`, taken
 * while the server keeps writing: one read transaction on a connection of its own (DuckDB's snapshot isolation: what
 * had committed when it began, nothing after), `COPY FROM DATABASE` into the attached file, then the file synced.
 * `afterBegin` runs once the transaction's snapshot is taken (the caller copies the summary journal there: every
 * record the snapshot's checkpoint position still needs, and every group it holds, is in the files by then).
 */
export async function snapshotDatabase(instance: DuckDBInstance, target: string, afterBegin: () => Promise<void>): Promise<void> {
  const conn = await instance.connect();
  try {
    const name = String((await (await conn.runAndReadAll('SELECT current_database() AS d')).getRowObjects())[0]?.['d']);
    await conn.run('BEGIN TRANSACTION');
    let attached = false;
    let failed = false;
    try {
      await conn.run('SELECT count(*) FROM state'); // the snapshot is this transaction's from here on
      await afterBegin();
      await conn.run(`ATTACH ${quoted(target)} AS lookout_snapshot`);
      attached = true;
      await conn.run(`COPY FROM DATABASE "${name.replace(/"/g, '""')}" TO lookout_snapshot`);
      await conn.run('COMMIT');
    } catch (e) {
      failed = true;
      await conn.run('ROLLBACK').catch(() => undefined);
      throw e;
    } finally {
      // DETACH checkpoints the copy into its file: its failure fails the snapshot, but does not hide an earlier error
      if (attached) await conn.run('DETACH lookout_snapshot').catch((e: unknown) => { if (!failed) throw e; });
    }
  } finally {
    conn.closeSync();
  }
  const fh = await open(target, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}
