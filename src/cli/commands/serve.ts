import { Command, InvalidArgumentError } from 'commander';
import { REQUEST_LOG_MODES, type RequestLogs } from '../../http/request-log.js';
import { parsePort } from '../parse.js';

/** `lookout serve`'s options (serve-run.ts runs it). */
export interface ServeOptions {
  config?: string;
  dataDir?: string;
  port?: number;
  host?: string;
  store?: string;
  demo?: boolean;
  quiet?: boolean;
  requestLogs?: RequestLogs;
  tlsCert?: string;
  tlsKey?: string;
}

function requestLogMode(v: string): RequestLogs {
  const m = REQUEST_LOG_MODES.find((x) => x === v);
  if (m === undefined) throw new InvalidArgumentError(`one of ${REQUEST_LOG_MODES.join(', ')} (got "${v}")`);
  return m;
}

export function serveCommand(setCode: (c: number) => void): Command {
  return new Command('serve')
    .description('run the monitoring server (embedded DuckDB store by default)')
    .option('--config <file>', 'lookout.yaml with server, storage, auth and model declarations')
    .option('--data-dir <dir>', 'where the embedded store and uploaded references live (default .lookout)')
    .option('--port <n>', 'HTTP port, 0 to 65535 (default 8080; 0: any free port)', parsePort)
    .option('--host <host>', 'interface to listen on (default 127.0.0.1)')
    .option('--store <url>', 'storage URL: duckdb:PATH or postgres://... (default: DATA_DIR/lookout.duckdb)')
    .option('--demo', 'fill a fresh store with 30 days of synthetic traffic for two models')
    .option('--quiet', 'no log at all (startup lines on stderr still printed)')
    .option('--request-logs <mode>', 'requests logged: errors (default: status >= 400), all, off', requestLogMode)
    .option('--tls-cert <file>', 'serve HTTPS: the certificate (chain) in PEM, with --tls-key (config server.tls.certFile)')
    .option('--tls-key <file>', 'the private key in PEM of --tls-cert (config server.tls.keyFile)')
    // Loaded when serve runs: the server's modules (Fastify, DuckDB, pg, prom-client, ...) took most of every other
    // command's start-up (`lookout models list` loaded them all: 320 modules against 5).
    .action(async (o: ServeOptions) => (await import('./serve-run.js')).runServe(o, setCode));
}
