import { Command, InvalidArgumentError } from 'commander';
import type { SnapshotResult } from '../../storage/snapshot-dir.js';
import type { SnapshotInfo } from '../../storage/snapshot-list.js';
import { EXIT } from '../exit.js';
import { table } from '../format.js';
import { api, apiOptions, type ApiOptions } from '../http.js';

const mib = (bytes: number): string => `${(bytes / 1048576).toFixed(1)} MiB`;

function parseKeep(v: string): number {
  if (!/^\d{1,6}$/.test(v) || Number(v) < 1) throw new InvalidArgumentError('a whole number of snapshots, at least 1');
  return Number(v);
}

function withApiOptions(c: Command): Command {
  for (const o of apiOptions()) c.addOption(o);
  return c;
}

/**
 * `lookout snapshot [create] [--keep N]`, `lookout snapshot list`, `lookout snapshot delete NAME`: consistent copies of
 * a running server's embedded store (POST, GET and DELETE /v1/admin/snapshots).
 */
export function snapshotCommand(setCode: (c: number) => void): Command {
  const cmd = new Command('snapshot')
    .description('copy a running server\'s data dir (embedded store) into DATA_DIR/snapshots/NAME, consistently, without stopping it; list and delete such copies');
  cmd.addCommand(withApiOptions(new Command('create')
    .description('make a snapshot (the default when no subcommand is given)')
    .option('--keep <n>', 'afterwards, remove all but the N newest snapshots (this one included)', parseKeep)
    .option('--json', 'print JSON')
    .action(async (o: ApiOptions & { json?: boolean; keep?: number }) => {
      const r = await api(o, 'POST', `/v1/admin/snapshots${o.keep === undefined ? '' : `?keep=${o.keep}`}`) as unknown as SnapshotResult;
      if (o.json) process.stdout.write(JSON.stringify(r, null, 2) + '\n');
      else {
        process.stdout.write(`snapshot ${r.name}: ${r.dir} (${mib(r.bytes)} in ${(r.ms / 1000).toFixed(1)} s, on the server's machine)\n`);
        if (r.removed.length > 0) process.stdout.write(`removed ${r.removed.length} older snapshot${r.removed.length === 1 ? '' : 's'} (--keep ${o.keep}): ${r.removed.join(', ')}\n`);
      }
      setCode(EXIT.ok);
    })), { isDefault: true });
  cmd.addCommand(withApiOptions(new Command('list')
    .description('list the snapshots in the server\'s DATA_DIR/snapshots, newest first')
    .option('--json', 'print JSON')
    .action(async (o: ApiOptions & { json?: boolean }) => {
      const { snapshots } = await api(o, 'GET', '/v1/admin/snapshots') as { snapshots: SnapshotInfo[] };
      if (o.json) process.stdout.write(JSON.stringify(snapshots, null, 2) + '\n');
      else if (snapshots.length === 0) process.stdout.write('no snapshots\n');
      else process.stdout.write(table(['name', 'made', 'size', 'dir'], snapshots.map((s) => [s.name, new Date(s.createdAt).toISOString(), mib(s.bytes), s.dir])));
      setCode(EXIT.ok);
    })));
  cmd.addCommand(withApiOptions(new Command('delete')
    .argument('<name>', 'the snapshot\'s name, as `lookout snapshot list` shows it')
    .description('delete a snapshot from the server\'s DATA_DIR/snapshots')
    .action(async (name: string, o: ApiOptions) => {
      await api(o, 'DELETE', `/v1/admin/snapshots/${encodeURIComponent(name)}`);
      process.stdout.write(`snapshot ${name} deleted\n`);
      setCode(EXIT.ok);
    })));
  return cmd;
}
