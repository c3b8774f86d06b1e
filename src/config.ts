import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { Ajv, type ErrorObject } from 'ajv';
import { parse } from 'yaml';
import type { ApiKeyConfig } from './http/auth.js';
import { REQUEST_LOG_MODES, type RequestLogs } from './http/request-log.js';
import { authKeysProblem, declaredTwice } from './config-duplicates.js';
import { yamlErrorMessage } from './config-yaml-error.js';
import { portNotDecimal } from './config-port.js';
import { declarationFields, NAME_PATTERN, PATTERN_MEANING } from './models/declaration-schema.js';
import { expandEnv, typeWholeReference, type ExpandedConfig } from './config-env.js';
import type { TlsFiles } from './http/tls.js';
import { InputError } from './io/errors.js';
import { MIN_MEMORY_LIMIT_MB } from './storage/duckdb/memory-limit.js';
import type { OutputKind } from './storage/types.js';
import { didYouMean, knownKeys } from './core/text/closest.js';

export interface ModelConfig {
  name: string;
  outputKind: OutputKind;
  inputSchema: Record<string, unknown>;
  segmentKeys?: string[];
  classes?: string[];
  description?: string;
  versions?: Array<{
    version: string;
    metadata?: Record<string, unknown>;
    /**
     * A file with the upload's options (PUT .../reference?label=...: scores a list of columns or their comma-separated
     * names), or a past range of stored traffic (POST .../versions `reference: {from, to, version}`): one or the other.
     */
    reference?: { file?: string; label?: string; prediction?: string; score?: string; positiveClass?: string; scores?: string | string[]; from?: string | number; to?: string | number; version?: string };
  }>;
}

export interface LookoutConfig {
  /**
   * warmUpDays: days of the dashboards' default range whose query caches are filled after start (0: none; default 30);
   * the stored window values of their closed hour and day windows are computed then too. windowValueFillSeconds: how
   * often the values of windows that closed since are computed (0: never ahead of a query; default 60).
   * backgroundPriority: "idle" (default) runs the storage threads of `lookout serve` under SCHED_IDLE on Linux, so
   * they take no CPU from the threads answering requests; "normal" leaves them as they are (cli/thread-priority.ts).
   * maxLabelledEvents: labelled events GET /performance (each bucket of /performance/buckets) and a monitor read at
   * most (default 1,000,000); a range with more is measured on a uniform sample (the answer's `sampled` says so).
   * requestLogs: which requests `lookout serve` logs: "errors" (default: answers with status >= 400), "all" (an
   * access line per request) or "off" (http/request-log.ts).
   */
  server: { host: string; port: number; warmUpDays?: number; windowValueFillSeconds?: number; backgroundPriority?: 'idle' | 'normal'; maxLabelledEvents?: number; requestLogs?: RequestLogs; shutdownGraceSeconds?: number; requestTimeoutSeconds?: number; tls?: TlsFiles };
  dataDir: string;
  /** Storage URL: "duckdb:PATH" (default: DATA_DIR/lookout.duckdb) or "postgres://...". */
  storage?: string;
  /** DuckDB only: window summaries read by key also kept as files (PATH.windows), at most this many MiB (default 512; 0: off). */
  summaryFilesMb?: number;
  /**
   * DuckDB only: its memory_limit in MiB (default DuckDB's, 80% of the machine's memory): cached table data, the events'
   * id index (never evicted: ingest fails once it fills the limit), query memory. storage/duckdb/memory-limit.ts.
   */
  duckdbMemoryMb?: number;
  /** deltaWorker: summarise events in a worker thread, off the event loop (default true; ingest/delta-offload.ts). */
  ingest: { sampleRate: number; deltaWorker?: boolean; maxSegmentsPerModel?: number; maxQueuedEvents?: number };
  /**
   * How long raw events, monitor evaluations and alert history (resolved alerts, notifications, actions over) are kept
   * (absent: for ever); window summaries are kept in any case.
   */
  retention?: { eventsDays?: number; evaluationsDays?: number; alertsDays?: number };
  auth: { keys: ApiKeyConfig[] };
  models: ModelConfig[];
  /**
   * Registry and gateway: rollout controller interval and control-state refresh, in ms (0 disables); the largest artifact
   * upload in MiB (default 10240, 10 GiB; 0: no limit but the disk).
   */
  registry?: { tickMs?: number; refreshMs?: number; maxArtifactMb?: number };
  /** Monitors, SLOs and the alerting section (notifiers, grouping, inhibition...): see docs/alerting.md. */
  monitors?: unknown[];
  slos?: unknown[];
  alerting?: Record<string, unknown>;
  /** The config file read (errors about its monitors, SLOs, models and alerting name it); absent without --config. */
  source?: string;
  /** The environment variables the file's values were made from, with their values (errors print them as `${NAME}`). */
  environment?: ReadonlyMap<string, string>;
}

/** The longest interval a Node timer holds: beyond, Node sets it to 1 ms (a tick every millisecond). */
export const MAX_TIMER_MS = 2_147_483_647;

/** The JSON Schema of lookout.yaml (every key the file may hold: README.md documents each, test/audit12-docswalk). */
export const CONFIG_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: {
    server: { type: 'object', additionalProperties: false, properties: { host: { type: 'string' }, port: { type: 'integer', minimum: 0, maximum: 65535 }, warmUpDays: { type: 'integer', minimum: 0, maximum: 400 }, windowValueFillSeconds: { type: 'integer', minimum: 0, maximum: 86_400 }, backgroundPriority: { enum: ['idle', 'normal'] }, maxLabelledEvents: { type: 'integer', minimum: 100, maximum: 100_000_000 }, requestLogs: { enum: [...REQUEST_LOG_MODES] }, shutdownGraceSeconds: { type: 'integer', minimum: 0, maximum: 3600 }, requestTimeoutSeconds: { type: 'integer', minimum: 0, maximum: 86_400 }, tls: { type: 'object', additionalProperties: false, required: ['certFile', 'keyFile'], properties: { certFile: { type: 'string', minLength: 1 }, keyFile: { type: 'string', minLength: 1 }, reloadCheckSeconds: { type: 'integer', minimum: 1, maximum: 86_400 } } } } },
    dataDir: { type: 'string', minLength: 1 },
    storage: { type: 'string', minLength: 1 },
    summaryFilesMb: { type: 'integer', minimum: 0, maximum: 1_048_576 },
    duckdbMemoryMb: { type: 'integer', minimum: MIN_MEMORY_LIMIT_MB, maximum: 16_777_216 },
    registry: { type: 'object', additionalProperties: false, properties: { tickMs: { type: 'integer', minimum: 0, maximum: MAX_TIMER_MS }, refreshMs: { type: 'integer', minimum: 0, maximum: MAX_TIMER_MS }, maxArtifactMb: { type: 'integer', minimum: 0, maximum: 16_777_216 } } },
    retention: { type: 'object', additionalProperties: false, properties: { eventsDays: { type: 'integer', minimum: 1, maximum: 36500 }, evaluationsDays: { type: 'integer', minimum: 1, maximum: 36500 }, alertsDays: { type: 'integer', minimum: 1, maximum: 36500 } } },
    ingest: { type: 'object', additionalProperties: false, properties: { sampleRate: { type: 'number', minimum: 0, maximum: 1 }, deltaWorker: { type: 'boolean' }, maxSegmentsPerModel: { type: 'integer', minimum: 1, maximum: 1000000 }, maxQueuedEvents: { type: 'integer', minimum: 1, maximum: 100000000 } } },
    auth: {
      type: 'object', additionalProperties: false,
      properties: {
        keys: {
          type: 'array',
          items: {
            type: 'object', additionalProperties: false, required: ['name', 'sha256', 'scopes'],
            properties: {
              name: { type: 'string', minLength: 1 }, sha256: { type: 'string', pattern: '^[0-9a-fA-F]{64}$' },
              scopes: { type: 'array', items: { enum: ['ingest', 'read', 'admin'] }, minItems: 1 },
            },
          },
        },
      },
    },
    monitors: { type: 'array', items: { type: 'object' } },
    slos: { type: 'array', items: { type: 'object' } },
    alerting: { type: 'object' },
    models: {
      type: 'array',
      items: {
        type: 'object', additionalProperties: false, required: ['name', 'outputKind', 'inputSchema'],
        properties: {
          ...declarationFields,
          versions: {
            type: 'array',
            items: {
              type: 'object', additionalProperties: false, required: ['version'],
              properties: {
                version: { type: 'string', pattern: NAME_PATTERN }, metadata: { type: 'object' },
                reference: {
                  // a file (with its column options) or a range (from, to, version): configured.ts checks it is one of them
                  type: 'object', additionalProperties: false,
                  properties: {
                    file: { type: 'string' }, label: { type: 'string' }, prediction: { type: 'string' }, score: { type: 'string' }, positiveClass: { type: 'string' },
                    from: { type: ['string', 'number'] }, to: { type: ['string', 'number'] }, version: { type: 'string', pattern: NAME_PATTERN },
                    // a list of column names, or their comma-separated text (as ?scores=): one type, so a refusal is one line
                    scores: { type: ['string', 'array'], minLength: 1, minItems: 1, items: { type: 'string', minLength: 1 } },
                  },
                },
              },
            },
          },
        },
      },
    },
  },
} as const;

export const DEFAULT_PORT = 8080;

export function defaultConfig(): LookoutConfig {
  return { server: { host: '127.0.0.1', port: DEFAULT_PORT }, dataDir: '.lookout', ingest: { sampleRate: 0.01 }, auth: { keys: [] }, models: [] };
}

/** Reads lookout.yaml (or .json); relative paths in it are relative to the file. Bad config is an InputError. */
export function loadConfig(path: string | undefined, env: Readonly<Record<string, string | undefined>> = process.env): LookoutConfig {
  const cfg = defaultConfig();
  if (!path) return cfg;
  let raw: unknown;
  let text = '';
  try {
    text = readFileSync(path, 'utf8');
    raw = parse(text);
  } catch (e) {
    throw new InputError(`cannot read config ${path}: ${yamlErrorMessage(e, text)}`);
  }
  const port = portNotDecimal(text);
  if (port !== undefined) throw new InputError(`invalid config ${path}: ${port}`);
  let expanded: ExpandedConfig;
  try {
    expanded = expandEnv(raw, env);
  } catch (e) {
    throw new InputError(`invalid config ${path}: ${e instanceof Error ? e.message : String(e)}`);
  }
  raw = expanded.value;
  const ajv = new Ajv({ allErrors: true, strict: false, verbose: true });
  const validate = ajv.compile(CONFIG_SCHEMA);
  if (!validate(raw ?? {})) {
    // `port: ${PORT}` is the variable's text: read as the number (or boolean) the schema wants, then checked again.
    const typed = (validate.errors ?? []).filter((e) => e.keyword === 'type' && expanded.whole.has(e.instancePath))
      .map((e) => typeWholeReference(raw, e.instancePath, String((e.params as { type: string }).type))).some(Boolean);
    if (!typed || !validate(raw ?? {})) {
      throw new InputError(`invalid config ${path}: ${(validate.errors ?? []).slice(0, 3).map((e) => describeError(e, raw, expanded.variables)).join('; ')}`);
    }
  }
  const c = (raw ?? {}) as Partial<LookoutConfig> & { server?: Partial<LookoutConfig['server']> };
  const twice = [
    declaredTwice(c.models, 'name', 'models'), ...(c.models ?? []).map((m, i) => declaredTwice(m.versions, 'version', `models[${i}].versions`)),
    declaredTwice(c.monitors, 'id', 'monitors'), declaredTwice(c.slos, 'id', 'slos'), declaredTwice(c.auth?.keys, 'name', 'auth.keys'),
  ].find((d) => d !== undefined);
  if (twice !== undefined) throw new InputError(`invalid config ${path}: ${twice}`);
  const keys = authKeysProblem(c.auth?.keys);
  if (keys !== undefined) throw new InputError(`invalid config ${path}: ${keys}`);
  const unnamed = withoutId(c.monitors, 'monitors', 'monitor') ?? withoutId(c.slos, 'slos', 'SLO');
  if (unnamed !== undefined) throw new InputError(`invalid config ${path}: ${unnamed}`);
  const base = dirname(resolve(path));
  const models = (c.models ?? []).map((m) => ({
    ...m,
    versions: m.versions?.map((v) => (v.reference?.file !== undefined ? { ...v, reference: { ...v.reference, file: resolve(base, v.reference.file) } } : v)),
  }));
  const tls = c.server?.tls;
  return {
    server: { ...cfg.server, ...(c.server ?? {}), ...(tls && { tls: { ...tls, certFile: resolve(base, tls.certFile), keyFile: resolve(base, tls.keyFile) } }) },
    dataDir: c.dataDir ? resolve(base, c.dataDir) : cfg.dataDir,
    ...(c.storage !== undefined && { storage: storageRelativeTo(base, c.storage) }),
    ...(c.summaryFilesMb !== undefined && { summaryFilesMb: c.summaryFilesMb }),
    ...(c.duckdbMemoryMb !== undefined && { duckdbMemoryMb: c.duckdbMemoryMb }),
    ingest: { ...cfg.ingest, ...(c.ingest ?? {}) },
    ...(c.retention !== undefined && { retention: c.retention }),
    auth: { keys: c.auth?.keys ?? [] },
    models: models as ModelConfig[],
    ...(c.registry !== undefined && { registry: c.registry }),
    ...(c.monitors !== undefined && { monitors: c.monitors }),
    ...(c.slos !== undefined && { slos: c.slos }),
    ...(c.alerting !== undefined && { alerting: c.alerting }),
    source: path,
    ...(expanded.values.size > 0 && { environment: expanded.values }),
  };
}

/**
 * A DuckDB store's relative path, relative to the config file's directory as the data dir and reference files are (it was
 * relative to the working directory: another store when started from elsewhere). Other URLs are kept as written.
 */
function storageRelativeTo(base: string, url: string): string {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(url) && !/^duckdb:\/\//i.test(url)) return url;
  const path = url.replace(/^duckdb:(\/\/)?/i, '');
  if (path === '' || path === ':memory:' || isAbsolute(path)) return url;
  return `duckdb:${resolve(base, path)}`;
}

/**
 * A monitor or SLO of the config file without an `id`: the API generates one, but the file is declared again at each
 * start, so each start added another copy (evaluated, alerting) under a new id. Refused, naming the item.
 */
function withoutId(list: readonly unknown[] | undefined, at: string, what: string): string | undefined {
  const i = (list ?? []).findIndex((item) => typeof item === 'object' && item !== null && (item as Record<string, unknown>)['id'] === undefined);
  return i < 0 ? undefined
    : `${at}[${i}] needs an "id" (a ${what} of the config file is declared again at each start: without an id, each start would add another copy)`;
}

const segments = (pointer: string): string[] => pointer.split('/').slice(1).map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));

/** "/models/0/versions" as the key path an operator reads in the YAML: "models[0].versions". */
function keyPath(pointer: string): string {
  return segments(pointer).reduce((acc, p) => (/^\d+$/.test(p) ? `${acc}[${p}]` : acc === '' ? p : `${acc}.${p}`), '');
}

function valueAt(raw: unknown, pointer: string): unknown {
  return segments(pointer).reduce<unknown>((v, p) => (v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[p] : undefined), raw);
}

const shown = (v: unknown): string => (Array.isArray(v) ? `a list of ${v.length}` : v === null ? 'null' : JSON.stringify(v)?.slice(0, 80) ?? String(v));

/** One validation error naming the key path, what is allowed and what the file holds (a typo is named with the known keys). */
function describeError(e: ErrorObject, raw: unknown, variables: ReadonlyMap<string, string[]>): string {
  const at = keyPath(e.instancePath);
  const got = valueAt(raw, e.instancePath);
  // A value made from environment variables may be a secret: named by its variables, never printed.
  const from = variables.get(e.instancePath);
  if (from !== undefined) return `${at} ${e.keyword === 'enum' ? `must be one of ${(e.params as { allowedValues: unknown[] }).allowedValues.join(', ')}` : e.message ?? 'is invalid'} (got the value of ${from.map((n) => `\${${n}}`).join(', ')}, not shown)`;
  if (e.keyword === 'additionalProperties') {
    const key = String((e.params as { additionalProperty: string }).additionalProperty);
    const known = Object.keys((e.parentSchema as { properties?: object } | undefined)?.properties ?? {});
    return `${at === '' ? `config key "${key}"` : `${at}.${key}`} is unknown ${knownKeys(key, known)}`;
  }
  if (at === '' && e.keyword === 'type') return `the config must be a mapping of keys (got ${Array.isArray(got) ? 'a list' : shown(got)})`;
  if (e.keyword === 'enum') {
    const allowed = (e.params as { allowedValues: unknown[] }).allowedValues;
    return `${at} must be one of ${allowed.join(', ')} (got ${shown(got)}${typeof got === 'string' ? didYouMean(got, allowed.filter((v): v is string => typeof v === 'string')) : ''})`;
  }
  // What an operator puts there by mistake is most likely the key itself: never printed (to a log) with the error.
  if (/^auth\.keys\[\d+\]\.sha256$/.test(at) && typeof got === 'string') {
    return `${at} must be the hex SHA-256 of the key (64 hex digits, as \`lookout keys create\` prints it), never the key itself (got ${got.length} characters, not shown)`;
  }
  if (e.keyword === 'pattern') {
    const pattern = String((e.params as { pattern: string }).pattern);
    return `${at} ${PATTERN_MEANING[pattern] ?? `must match the pattern ${pattern}`} (got ${shown(got)})`;
  }
  if (e.keyword === 'required') return `${at === '' ? 'the config' : at} needs "${String((e.params as { missingProperty: string }).missingProperty)}"`;
  return `${at} ${e.message ?? 'is invalid'} (got ${shown(got)})`;
}
