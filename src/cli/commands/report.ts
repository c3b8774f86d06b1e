import { existsSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { Command } from 'commander';
import { InputError } from '../../io/errors.js';
import { writeFileAtomic } from '../../io/write-atomic.js';
import { renderReport } from '../../report/html.js';
import { EXIT } from '../exit.js';
import { addDriftOptions, driftRunOptions, type DriftCliOptions } from './drift.js';

export function reportCommand(setCode: (c: number) => void): Command {
  return addDriftOptions(new Command('report').description('write a self-contained HTML drift report'))
    .requiredOption('--out <file>', 'where to write the HTML report')
    .option('--json', 'also print the drift result as one JSON object')
    .action(async (o: DriftCliOptions & { out: string }) => {
      const outDir = dirname(o.out);
      if (!existsSync(outDir) || !statSync(outDir).isDirectory()) throw new InputError(`cannot write ${o.out}: directory ${outDir} does not exist`);
      if (existsSync(o.out) && statSync(o.out).isDirectory()) throw new InputError(`cannot write ${o.out}: it is a directory (--out names the report's file)`);
      const { runDrift } = await import('../../analysis/drift.js'); // DuckDB's reader, loaded when the command runs
      const { result, distributions } = await runDrift(o.reference, o.current, { ...driftRunOptions(o), distributions: true });
      const html = renderReport(result, distributions, new Date());
      try {
        // Whole or not at all: a failed write (a full disk) keeps the previous report instead of leaving half a file.
        writeFileAtomic(o.out, html);
      } catch (e) {
        throw new InputError(`cannot write ${o.out}: ${e instanceof Error ? e.message : String(e)}`);
      }
      if (o.json) process.stdout.write(JSON.stringify(result) + '\n');
      else process.stdout.write(`wrote ${o.out} (${Buffer.byteLength(html)} bytes): dataset drift ${result.datasetDrift.drifted ? 'detected' : 'not detected'}\n`);
      setCode(o.failOnDrift && result.datasetDrift.drifted ? EXIT.drift : EXIT.ok);
    });
}
