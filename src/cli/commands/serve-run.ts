import { resolve } from 'node:path';
import { redactEnv } from '../../config-env.js';
import { withConfigLine } from '../../config-line.js';
import { InputError } from '../../io/errors.js';
import { loadConfig, type LookoutConfig } from '../../config.js';
import type { Server } from '../../server.js';
import { StartStopped } from '../../startup-errors.js';
import { describeIdle, idleBackgroundThreads, processThreads } from '../thread-priority.js';
import type { ServeOptions } from './serve.js';

/** Each stops the server cleanly; a second one (any of them) ends the process at once. */
const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/** Runs `lookout serve` until a signal stops it (serve.ts declares its options). */
export async function runServe(o: ServeOptions, setCode: (c: number) => void): Promise<void> {
  let config: LookoutConfig;
  try {
    config = loadConfig(o.config);
  } catch (e) {
    throw atConfigLine(e, o.config);
  }
  try {
    await serve(o, config, setCode);
  } catch (e) {
    atConfigLine(e, o.config);
    // An error about a value made from an environment variable (a refused notifier URL, a store URL that cannot be
    // opened) prints the variable's name, not its value: it may be a secret.
    if (e instanceof Error && config.environment) {
      e.message = redactEnv(e.message, config.environment);
      if (e.stack !== undefined) e.stack = redactEnv(e.stack, config.environment); // an internal error prints its stack
    }
    throw e;
  }
}

/** An error about a value of the config file names its line (audit 27); returns `e`. */
function atConfigLine(e: unknown, file: string | undefined): unknown {
  if (e instanceof InputError) e.message = withConfigLine(e.message, file);
  return e;
}

async function serve(o: ServeOptions, config: LookoutConfig, setCode: (c: number) => void): Promise<void> {
  if (o.dataDir) config.dataDir = o.dataDir;
  if (o.port !== undefined) config.server.port = o.port;
  if (o.host) config.server.host = o.host;
  if (o.store) config.storage = o.store;
  if (o.requestLogs) config.server.requestLogs = o.requestLogs;
  if ((o.tlsCert === undefined) !== (o.tlsKey === undefined)) throw new InputError('--tls-cert and --tls-key go together: the certificate and its private key (PEM files)');
  if (o.tlsCert !== undefined && o.tlsKey !== undefined) config.server.tls = { ...config.server.tls, certFile: resolve(o.tlsCert), keyFile: resolve(o.tlsKey) };
  // The server and the demo (Fastify, DuckDB, Ajv: ~0.6 s of loading) only once the config and the options are known to
  // be valid: a mistake in lookout.yaml is reported at once.
  const [{ startServer }, { DEMO_FILLED_AT, fillDemo, INCIDENTS }] = await Promise.all([import('../../server.js'), import('../../demo/fill.js')]);
  const log = (s: string): void => void process.stderr.write(`lookout: ${s}\n`);
  const threadsBefore = new Set(processThreads());
  // Stopped cleanly by a signal from the start: during start-up (the demo fill, the warm-up before listening) the
  // start stops at its next step and closes what it opened (StartStopped, exit 0); once started (also before "listening
  // on" is printed, which supervisors and scripts take as "started" and may answer with a signal at once), the server
  // closes. A second signal ends the process at once (the handlers are registered once).
  const abort = new AbortController();
  let server: Server | null = null;
  let stopping = false;
  let closed: () => void = () => undefined;
  const stopped = new Promise<void>((resolve) => (closed = resolve));
  const close = (s: Server): void => {
    // A failed last checkpoint (a store that refuses writes) loses nothing: the journal replays it at the next start.
    // A store that refused writes makes the exit code 1 even when nothing was left to write.
    void s.close().then(() => s.deps.store.failure?.() ?? null, (e: unknown) => (e instanceof Error ? e.message : String(e))).then((failed) => {
      if (failed !== null) {
        log(`shutdown: ${failed}`);
        setCode(1);
      }
      closed();
    });
  };
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) return;
    stopping = true;
    for (const s of STOP_SIGNALS) process.off(s, stop); // the next signal, whichever, ends the process at once
    log(`shutting down (${signal})`);
    if (server) close(server);
    else abort.abort();
  };
  // SIGHUP (the terminal closed, an ssh session ended) stops it as SIGTERM does: Node's default ended the process at
  // once, without its last checkpoint. There is no config reload: a changed config is read at the next start.
  for (const s of STOP_SIGNALS) process.once(s, stop);
  try {
    server = await startServer({
      config,
      logger: !o.quiet,
      signal: abort.signal,
      // The demo's last setup step: the dashboards' query caches, before the first page is asked for.
      warmUp: o.demo ? 'before-listen' : 'background',
      beforeListen: async (deps, signal) => {
        if (!o.demo) return;
        const t0 = Date.now();
        const filled = await fillDemo(deps, Date.now(), undefined, log, signal);
        if (filled) log(`demo data ready in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
        else {
          const at = Number(await deps.store.getState(DEMO_FILLED_AT));
          log(`demo: the store already has models, not adding demo data${at > 0 ? ` (the demo's, made ${new Date(at).toISOString()}: its incidents are dated from then)` : ''}`);
        }
      },
    });
  } catch (e) {
    for (const s of STOP_SIGNALS) process.off(s, stop);
    if (!(e instanceof StartStopped)) throw e;
    log(`stopped during start-up: ${e.message}`);
    return;
  }
  if (stopping) close(server); // the signal came during the last step of the start
  if (config.server.backgroundPriority !== 'normal') {
    log(`${describeIdle(await idleBackgroundThreads(threadsBefore))} (server.backgroundPriority)`);
  } else log('storage threads run at normal CPU priority (server.backgroundPriority: normal)');
  if (!stopping) {
    // The drift example is the demo's churn incident (10 to 7 days before the fill): on another store it would
    // answer 404. A demo store filled days ago (a later `--demo` adds nothing) has it dated from its fill, not now.
    const filledAt = o.demo ? Number(await server.deps.store.getState(DEMO_FILLED_AT)) : 0;
    const demoAt = Number.isFinite(filledAt) && filledAt > 0 ? filledAt : Date.now();
    const { fromDaysAgo, toDaysAgo } = INCIDENTS.churnDrift;
    const demoDrift = o.demo && server.deps.catalog.model('churn') !== undefined
      ? `   ·   curl '${server.url}/v1/models/churn/drift?from=${new Date(demoAt - fromDaysAgo * 86400_000).toISOString()}&to=${new Date(demoAt - toDaysAgo * 86400_000).toISOString()}'`
      : '';
    // Bound to every interface, the URL Fastify gives is the first of them (the loopback's for 0.0.0.0).
    const everyInterface = config.server.host === '0.0.0.0' || config.server.host === '::';
    // The three lines in one write: scripts (and tests) read them once "listening on" shows, and a reader woken
    // between separate writes saw that line without the next two (test/audit8-docs failed so in CI).
    if (!stopping) {
      log([
        `listening on ${server.url} (${everyInterface ? `every interface: host ${config.server.host}; ` : ''}store ${server.deps.store.kind}, data dir ${config.dataDir})`,
        `dashboard: ${server.url}/ui/`,
        `try: curl ${server.url}/v1/models${demoDrift}`,
      ].join('\nlookout: '));
    }
  }
  await stopped;
}
