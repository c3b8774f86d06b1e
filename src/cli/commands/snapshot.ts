import { Command } from 'commander';
import type { SnapshotResult } from '../../storage/snapshot-dir.js';
import { EXIT } from '../exit.js';
import { api, apiOptions, type ApiOptions } from '../http.js';

/** `lookout snapshot`: a consistent copy of a running server's embedded store (POST /v1/admin/snapshots). */
export function snapshotCommand(setCode: (c: number) => void): Command {
  const cmd = new Command('snapshot')
    .description('copy a running server\'s data dir (embedded store) into DATA_DIR/snapshots/NAME, consistently, without stopping it')
    .option('--json', 'print JSON')
    .action(async (o: ApiOptions & { json?: boolean }) => {
      const r = await api(o, 'POST', '/v1/admin/snapshots') as unknown as SnapshotResult;
      if (o.json) process.stdout.write(JSON.stringify(r, null, 2) + '\n');
      else process.stdout.write(`snapshot ${r.name}: ${r.dir} (${(r.bytes / 1048576).toFixed(1)} MiB in ${(r.ms / 1000).toFixed(1)} s, on the server's machine)\n`);
      setCode(EXIT.ok);
    });
  for (const o of apiOptions()) cmd.addOption(o);
  return cmd;
}
