import { uuidv7 } from '../io/uuid7.js';
import { describeId, describeLabel } from './describe.js';
import { Sender } from './sender.js';
import type { ClientEvent, ClientOptions, ClientStats, EndpointStats } from './types.js';

export { LookoutClientError } from './types.js';
export type { BackoffOptions, ClientErrorKind, ClientEvent, ClientOptions, ClientStats, EndpointStats, LookoutClientWarning } from './types.js';

/** Most rows the server takes in one request. */
const SERVER_MAX_ROWS = 10_000;
const MAX_ID = 128;
/** Default bound of each endpoint's queued rows in bytes of JSON (64 MiB). */
const DEFAULT_MAX_QUEUE_BYTES = 64 * 1024 * 1024;

function int(v: unknown, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
  return typeof v === 'number' && Number.isFinite(v) ? Math.min(max, Math.max(min, Math.floor(v))) : fallback;
}

/** The longest a Node.js timer waits (about 24.8 days): a longer delay fires after 1 ms instead. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** A delay option: refused (RangeError) above what a timer can wait, else as int(). */
function timerMs(name: string, v: unknown, fallback: number, min: number): number {
  if (typeof v === 'number' && v > MAX_TIMER_MS) throw new RangeError(`${name} must be at most ${MAX_TIMER_MS} ms (about 24.8 days, the longest a Node.js timer waits); got ${v}`);
  return int(v, fallback, min);
}

/**
 * The url option parsed. Node's own error said only "Invalid URL" (audit 24), e.g. for `process.env.LOOKOUT_URL` unset.
 */
function baseUrl(url: unknown): URL {
  const got = url === undefined || url === null ? String(url) : JSON.stringify(String(url)).slice(0, 200);
  try {
    if (typeof url === 'string' && url.trim() !== '') return new URL(url);
  } catch {
    // said below
  }
  throw new TypeError(`url must be the Lookout server's base URL (e.g. http://lookout:8080), with its scheme and host (got ${got})`);
}

/**
 * Refuses a key fetch cannot put into a header (every request would fail): a control character, or one above
 * U+00FF (Latin-1 characters go out as their byte). The message names the character, never the key.
 */
function checkApiKey(key: string): void {
  for (let i = 0; i < key.length; i++) {
    const c = key.codePointAt(i) as number;
    if (c < 0x20 || c === 0x7f || c > 0xff) {
      throw new TypeError(`apiKey cannot be sent in an HTTP header: character ${i + 1} is U+${c.toString(16).toUpperCase().padStart(4, '0')} (printable ASCII or Latin-1 only)`);
    }
  }
}

/**
 * Sends predictions and labels to a Lookout server in the background. `log()` and `label()` are synchronous,
 * O(1) and never throw; delivery problems are counted in `stats()` and reported to `onError`. See docs/client.md.
 */
export class LookoutClient {
  private readonly events: Sender;
  private readonly labels: Sender;
  private readonly clock: () => number;
  private lastMs = NaN;
  private lastIso = '';
  private closing: Promise<void> | null = null;

  /**
   * Throws only for a malformed `url` or `apiKey` (TypeError) and a delay longer than a timer can wait (RangeError):
   * configuration errors surface at start-up, not per call.
   */
  constructor(opts: ClientOptions) {
    const parsed = baseUrl(opts.url);
    // fetch refuses these on every request: "lookout:8080" (no scheme) parses as a URL of scheme "lookout:".
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new TypeError(`url must start with http:// or https:// (got "${opts.url}")`);
    if (parsed.username !== '' || parsed.password !== '') throw new TypeError('url must not contain credentials (pass the key as apiKey)');
    // the events endpoint given as the url posted to /v1/events/v1/events, answered 404 "no route" on every flush
    const apiPath = /\/v1(\/(events|labels))?\/*$/.exec(parsed.pathname);
    if (apiPath) throw new TypeError(`url is the server's base URL (e.g. http://lookout:8080), not an API path: drop "${apiPath[0].replace(/\/+$/, '')}" (got "${opts.url}")`);
    // Under the url's path, keeping its query string (a proxy's tenant or token); the fragment is never sent.
    const endpoint = (path: string): string => {
      const u = new URL(parsed.href);
      u.hash = '';
      u.pathname = `${u.pathname.replace(/\/+$/, '')}${path}`;
      return u.href;
    };
    const onError = opts.onError ?? (() => undefined);
    this.clock = opts.clock ?? Date.now;
    const doFetch: typeof fetch = opts.fetch ?? ((input, init) => globalThis.fetch(input, init));
    const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
    if (opts.apiKey) {
      checkApiKey(opts.apiKey);
      headers['authorization'] = `Bearer ${opts.apiKey}`;
    }
    const maxBatch = int(opts.maxBatch, 500, 1, SERVER_MAX_ROWS);

    const common = {
      headers,
      maxBatch,
      maxBatchChars: int(opts.maxBatchChars, 4_000_000, 1024),
      flushIntervalMs: timerMs('flushIntervalMs', opts.flushIntervalMs, 1000, 0),
      maxQueue: int(opts.maxQueue, 100_000, 1),
      maxQueueBytes: int(opts.maxQueueBytes, DEFAULT_MAX_QUEUE_BYTES, 1024),
      maxRetries: int(opts.maxRetries, 8, 0),
      maxRetryAgeMs: timerMs('maxRetryAgeMs', opts.maxRetryAgeMs, 300_000, 0),
      initialMs: timerMs('backoff.initialMs', opts.backoff?.initialMs, 100, 0),
      maxMs: timerMs('backoff.maxMs', opts.backoff?.maxMs, 30_000, 0),
      timeoutMs: timerMs('timeoutMs', opts.timeoutMs, 10_000, 1),
      fetch: doFetch,
      clock: this.clock,
      onError,
      onWarning: opts.onWarning ?? (() => undefined),
    };
    this.events = new Sender({
      ...common,
      endpoint: 'events',
      url: endpoint('/v1/events'),
      onSettle: () => this.labels.schedule(),
    });
    // A label is sent only once every event logged before it is settled, so it never races its prediction.
    this.labels = new Sender({
      ...common,
      endpoint: 'labels',
      url: endpoint('/v1/labels'),
      ready: (row) => row.after <= this.events.settledBelow,
    });
  }

  /**
   * Queues one prediction and returns its id (the given one, or a new UUID); '' when `event` is not an object.
   * O(1): the event object is kept by reference and serialised when its batch is formed (within flushIntervalMs
   * unless the server is slow), so do not mutate it after logging; an object with a toJSON() method is read through
   * it here, as JSON.stringify would. Never throws.
   */
  log(logged: ClientEvent): string {
    let id = '';
    try {
      let event = logged;
      // What JSON.stringify would send: read here, as the id and timestamp filled in go into a copy of its own fields.
      if (typeof event === 'object' && event !== null && typeof (event as { toJSON?: unknown }).toJSON === 'function') {
        event = (event as unknown as { toJSON(key: string): ClientEvent }).toJSON('');
      }
      if (typeof event !== 'object' || event === null || Array.isArray(event)) {
        this.events.refuse(`an event must be an object (got ${event === null ? 'null' : Array.isArray(event) ? 'an array' : typeof event})`);
        return '';
      }
      const given: unknown = event.id;
      let fillId: string | null = null;
      if (given === undefined || given === null) id = fillId = uuidv7(); // time-ordered: a small id index in the store (src/io/uuid7.ts)
      else if (typeof given === 'string' && given.length > 0 && given.length <= MAX_ID) id = given;
      else {
        // audit 24: sent as it was, the row came back invalid_id while log() returned '' (a number id: a database key)
        this.events.refuse(`event id must be a string of 1 to ${MAX_ID} characters (got ${describeId(given)})`);
        return '';
      }
      const ts: unknown = event.timestamp;
      // JSON makes these null, which the server reads as "no timestamp" (its own clock at arrival): refuse them.
      if ((typeof ts === 'number' && !Number.isFinite(ts)) || (ts instanceof Date && Number.isNaN(ts.getTime()))) {
        this.events.refuse(`event ${id} has an invalid timestamp (${String(ts)})`);
        return id;
      }
      this.events.enqueue(event, null, 0, fillId, ts === undefined || ts === null ? this.now() : null);
    } catch (err) {
      // e.g. a throwing getter or Proxy trap
      this.events.refuse(`event ${id} cannot be read: ${err instanceof Error ? err.message : 'unknown error'}`, err);
    }
    return id;
  }

  /**
   * Queues the ground truth of the prediction `id`. It is sent after the events logged before it. Called again for an
   * id, the last label counts (it goes in a later request than the one before). Never throws.
   */
  label(id: string, label: string | number | boolean): void {
    try {
      if (typeof id !== 'string' || id.length === 0 || id.length > MAX_ID) {
        // audit 25: said what it needs, not what it got (log() names it: describeId)
        this.labels.refuse(`label(): the prediction id must be a string of 1 to ${MAX_ID} characters (got ${describeId(id)})`);
        return;
      }
      if (!(typeof label === 'string' || typeof label === 'boolean' || (typeof label === 'number' && Number.isFinite(label)))) {
        this.labels.refuse(`label of ${id} must be a string, a finite number or a boolean (got ${describeLabel(label)})`);
        return;
      }
      this.labels.enqueue(null, JSON.stringify({ id, label }), this.events.enqueued, null, null, id);
    } catch (err) {
      this.labels.refuse(`label of ${String(id)} cannot be queued`, err);
    }
  }

  /** The clock as ISO-8601, formatted once per millisecond. */
  private now(): string {
    const ms = this.clock();
    if (ms !== this.lastMs) {
      this.lastIso = new Date(ms).toISOString();
      this.lastMs = ms;
    }
    return this.lastIso;
  }

  /** Sends everything queued before the call; resolves when it is settled (sent, rejected or failed). Never rejects. */
  async flush(): Promise<void> {
    await Promise.all([this.events.flush(), this.labels.flush()]);
  }

  /**
   * Stops the timers and flushes; rows logged afterwards are dropped. Without a deadline this can take as long
   * as the retry budget of every queued batch; with `timeoutMs`, whatever is not delivered by then is abandoned
   * (the request in flight is aborted) and counted as failed. Called again, it waits for the same flush, and its own
   * deadline applies too: the first to pass abandons (audit 24: a later deadline was ignored, so a SIGTERM handler's
   * close({ timeoutMs }) after a close() without one waited the whole retry budget). Never rejects.
   */
  close(opts: { timeoutMs?: number } = {}): Promise<void> {
    if (!this.closing) {
      this.events.close();
      this.labels.close();
      this.closing = this.flush();
    }
    let done = this.closing;
    const deadline = opts.timeoutMs;
    if (typeof deadline === 'number' && Number.isFinite(deadline)) {
      let timer: NodeJS.Timeout | undefined;
      const expired = new Promise<void>((resolve) => {
        // A deadline beyond what a timer can wait is as good as none (and close never throws): clamped.
        timer = setTimeout(resolve, Math.min(MAX_TIMER_MS, Math.max(0, deadline)));
      }).then(() => {
        this.events.abandon();
        this.labels.abandon();
        return this.flush();
      });
      done = Promise.race([done, expired]).finally(() => clearTimeout(timer));
    }
    return done.then(() => {
      this.events.reportDrops();
      this.labels.reportDrops();
    });
  }

  stats(): ClientStats {
    const events = this.events.stats();
    const labels = this.labels.stats();
    const sum = {} as EndpointStats;
    for (const k of Object.keys(events) as Array<keyof EndpointStats>) sum[k] = events[k] + labels[k];
    return { ...sum, events, labels };
  }
}
