import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { seededRandom, type Random } from '../src/core/random/rng.js';
import { ERROR_STATUS } from '../src/http/errors.js';
import type { Server } from '../src/server.js';
import { agent, deep, JSON_CT, send, sendRaw, text, type Answer, type Expect, type FuzzRequest, type RowResult } from './helpers/raw-http.js';
import { testServer } from './helpers/server.js';

/*
 * Fuzzing the HTTP API of a real server (loopback, DuckDB file in a temp dir) with thousands of bad requests
 * from a seeded generator. What must hold whatever the input:
 *   - no 5xx; a whole request is refused with a 4xx and the catalog error body {error:{code,message}} whose
 *     code maps to exactly that status, or answered 200 with one result per row (row-level problems);
 *   - rows whose single defect is known are rejected with the expected code, untouched valid rows are accepted;
 *   - what the store holds equals exactly what the server said it accepted (by count and by id), rejected rows
 *     are recorded (countRejects) and counted in the data-quality figures of their model version;
 *   - the server still answers afterwards and nothing leaked into Object.prototype.
 * Inputs that broke the server are kept out of the main run (its assertions must stay deterministic) and
 * checked one by one in server-fuzz-found.test.ts.
 */

const MODEL = 'fz';
const VERSION = '1';
const SEED = 20261120;
const MiB = 1024 * 1024;
const DAY = 86_400_000;

const NUM = ['n0', 'n1', 'n2', 'n3', 'n4', 'n5', 'n6', 'n7', 'n8', 'n9'] as const;
const STR = ['s0', 's1', 's2', 's3', 's4', 's5', 's6', 's7', 's8', 's9'] as const;

/** 20 features: 10 numerical, 10 categorical (strings, a boolean, an enum, a format, a pattern, one untyped), 4 required. */
const INPUT_SCHEMA = {
  type: 'object',
  required: ['n0', 'n1', 's0', 's1'],
  properties: {
    n0: { type: 'number' },
    n1: { type: 'number', minimum: 0, maximum: 100 },
    n2: { type: 'integer' },
    n3: { type: 'number' },
    n4: { type: 'integer', minimum: -5, maximum: 5 },
    n5: { type: 'number' },
    n6: { type: 'number', exclusiveMinimum: 0 },
    n7: { type: ['number', 'null'] },
    n8: { type: 'number' },
    n9: { type: 'integer', 'x-lookout-kind': 'categorical' },
    s0: { type: 'string', enum: ['a', 'b', 'c'] },
    s1: { type: 'string', maxLength: 64 },
    s2: { type: 'string' },
    s3: { type: 'string' },
    s4: { type: 'boolean' },
    s5: { type: 'string' },
    s6: { type: 'string', format: 'date-time' },
    s7: { type: 'string', minLength: 1 },
    s8: { description: 'free-form, any JSON value' },
    s9: { type: 'string', pattern: '^[A-Z]{2}$' },
  },
};

type Row = Record<string, unknown>;


// ---------------------------------------------------------------------------------------------------------------
// The generator.

class Gen {
  private seq = 0;
  /** `tag` keeps the ids of different generators apart. */
  constructor(readonly r: Random, readonly now: number, readonly tag: string) {}

  pick<T>(xs: readonly T[]): T {
    return xs[this.r.int(xs.length)] as T;
  }

  id(prefix = 'e'): string {
    return `${this.tag}${prefix}-${++this.seq}`;
  }

  word(n = 6): string {
    let s = '';
    for (let i = 0; i < n; i++) s += String.fromCharCode(97 + this.r.int(26));
    return s;
  }

  /** A valid event of the fuzz model (unique id; timestamp within the last hour, ISO or epoch ms). */
  event(opts: { id?: string; ts?: number } = {}): Row {
    const r = this.r;
    const ts = opts.ts ?? this.now - r.int(3_600_000);
    const features: Row = {
      n0: Math.round((r.next() - 0.5) * 2000) / 10, n1: Math.round(r.next() * 1000) / 10, n2: r.int(1000) - 500,
      n3: r.next(), n4: r.int(11) - 5, n5: r.next() * 1e6, n6: 0.001 + r.next(), n7: r.next() < 0.2 ? null : r.next(),
      n8: -r.next(), n9: r.int(7),
      s0: this.pick(['a', 'b', 'c']), s1: this.pick(VOCAB), s2: this.pick(VOCAB), s3: this.pick(['x', 'y', 'z', 'w']),
      s4: r.next() < 0.5, s5: this.pick(VOCAB).slice(0, 2), s6: new Date(ts).toISOString(), s7: this.pick(VOCAB),
      s8: this.pick<unknown>(['p', 1, true, null, { k: 'v' }, ['l']]), s9: this.pick(['FR', 'DE', 'US', 'JP']),
    };
    // Optional features are sometimes missing.
    for (const k of ['n2', 'n3', 'n5', 'n8', 's2', 's3', 's5', 's7']) if (r.next() < 0.1) delete features[k];
    const score = Math.round(r.next() * 1000) / 1000;
    const e: Row = {
      id: opts.id ?? this.id(), model: MODEL, version: VERSION,
      timestamp: r.next() < 0.5 ? new Date(ts).toISOString() : ts,
      features, prediction: score >= 0.5 ? '1' : '0', score,
      latencyMs: Math.round(r.next() * 5000) / 10, costUsd: r.next() < 0.5 ? 0.0001 : null,
      error: r.next() < 0.05 ? 'timeout' : null, segment: { region: this.pick(['eu', 'us', 'ap']) },
    };
    if (r.next() < 0.2) e['scores'] = [1 - score, score];
    return e;
  }
}


const ONE_MB = 'x'.repeat(MiB);
/** Categorical values of valid events (few distinct ones: window summaries stay small and commits fast). */
const VOCAB = ['alpha', 'beta', 'gamma', 'delta', 'epsilon', 'zeta', 'eta', 'theta', 'iota', 'kappa', 'lambda', 'mu'];
const HUGE_TS_PAST = (now: number): number => now - 5 * DAY;

/**
 * Single defects: a field set to a value (undefined: the field is removed) and the code the server must answer
 * with. `fresh` values are made unique per use (ids must never collide across requests).
 */
interface Defect {
  field: string;
  value: (g: Gen) => unknown;
  expect: Expect;
  /** The event must go to an hour of its own (it puts a 1 MB value in the window summaries). */
  isolate?: boolean;
}

function defects(now: number): Defect[] {
  const out: Defect[] = [];
  const add = (field: string, expect: Expect, ...values: unknown[]): void => {
    for (const v of values) out.push({ field, value: () => v, expect });
  };
  const wrongTypes = [null, true, false, 0, -1, 1.5, 1e308, '', 'x', [], [1], [[[]]], {}, { a: 1 }, '\u0000'];
  // id
  add('id', 'invalid_id', 0, 1.5, true, false, [], ['a'], {}, { id: 'x' }, '', 'i'.repeat(129), ONE_MB);
  add('id', null, undefined, null);
  // U+0000 is refused in ids (PostgreSQL text cannot hold it; both stores behave alike).
  out.push({ field: 'id', value: (g) => `\u0000${g.id('u')}`, expect: 'invalid_id' });
  out.push({ field: 'id', value: (g) => `${g.id('u')}\u0000`, expect: 'invalid_id' });
  for (const p of ['\u{1F600}', '\u200b', '\u202e', 'é', '\\', '"', '\n', ' ', '__proto__', 'constructor', '%00', '../../etc/passwd', "'; DROP TABLE events; --"]) {
    out.push({ field: 'id', value: (g) => `${p}${g.id('u')}`, expect: null });
  }
  out.push({ field: 'id', value: (g) => `${g.id('long')}`.padEnd(128, 'z'), expect: null });
  // Unpaired surrogates would be stored as U+FFFD (distinct ids colliding in the store): refused.
  for (const p of ['\ud800', '\udbff', '\udc00', '\udfff']) {
    out.push({ field: 'id', value: (g) => `${p}${g.id('s')}`, expect: 'invalid_id' });
    out.push({ field: 'id', value: (g) => `${g.id('s')}${p}`, expect: 'invalid_id' });
  }
  // model and version
  add('model', 'invalid_event', undefined, null, true, 0, [], [MODEL], {}, { name: MODEL });
  add('model', 'unknown_model', '', 'nope', 'FZ', `${MODEL} `, ` ${MODEL}`, `${MODEL}\u0000`, '__proto__', 'constructor', 'toString', 'hasOwnProperty', ONE_MB, '\u{1F600}');
  add('version', 'unknown_version', undefined, null, 1, 1.0, true, [], ['1'], {}, '', '2', ' 1', '1 ', '1\u0000', '__proto__', 'constructor', ONE_MB);
  // timestamp
  add('timestamp', 'invalid_timestamp', -1, -1e15, true, false, [], [now], {}, '', 'yesterday', 'not a date', 'x'.repeat(65),
    now + DAY + 600_000, 1e15, 8.64e15, Number.MAX_SAFE_INTEGER, 1e308, '9999-12-31T23:59:59Z', '+275760-09-13T00:00:00.000Z',
    new Date(now + 2 * DAY).toISOString(), ONE_MB);
  add('timestamp', null, undefined, null, now, now + DAY - 60_000, new Date(now - 3_600_000).toISOString(), 0, 1.5, 1e-300,
    '2020-01-01T00:00:00Z', new Date(now - 1000).toISOString().replace('Z', '+00:00'));
  // features
  add('features', 'invalid_features', undefined, null, true, 0, 'x', [], [{ n0: 1 }], [[[]]]);
  add('features', 'schema_violation', {}, { n0: 1 }, { s0: 'a' });
  for (const f of NUM) {
    const required = f === 'n0' || f === 'n1';
    for (const v of wrongTypes) {
      let ok = typeof v === 'number';
      if (f === 'n1' && typeof v === 'number') ok = v >= 0 && v <= 100;
      if ((f === 'n2' || f === 'n4' || f === 'n9') && typeof v === 'number') ok = Number.isInteger(v) && (f !== 'n4' || Math.abs(v) <= 5);
      if (f === 'n6' && typeof v === 'number') ok = v > 0;
      if (f === 'n7' && v === null) ok = true;
      out.push({ field: `features.${f}`, value: () => v, expect: ok ? null : 'schema_violation' });
    }
    out.push({ field: `features.${f}`, value: () => undefined, expect: required ? 'schema_violation' : null });
  }
  for (const f of STR) {
    const required = f === 's0' || f === 's1';
    for (const v of wrongTypes) {
      let ok = typeof v === 'string';
      if (f === 's0') ok = false; // enum a, b, c
      if (f === 's4') ok = typeof v === 'boolean';
      if (f === 's6') ok = false; // date-time format
      if (f === 's7' && v === '') ok = false;
      if (f === 's9') ok = false; // two capitals
      if (f === 's8') ok = true; // untyped
      out.push({ field: `features.${f}`, value: () => v, expect: ok ? null : 'schema_violation' });
    }
    out.push({ field: `features.${f}`, value: () => undefined, expect: required ? 'schema_violation' : null });
  }
  add('features.s0', 'schema_violation', 'd', 'A', 'a ', ONE_MB);
  add('features.s1', 'schema_violation', 'x'.repeat(65), ONE_MB);
  add('features.s1', null, 'x'.repeat(64), '\u0000', '\u{1F600}'.repeat(32), '\ud800');
  add('features.s6', 'schema_violation', 'yesterday', '2026-13-01T00:00:00Z', '2026-01-01');
  add('features.s6', null, '2026-01-01T00:00:00Z');
  add('features.s9', 'schema_violation', 'fr', 'FRA', 'F');
  add('features.n0', null, 1e308, -1e308, 5e-324, -0);
  add('features.n1', 'schema_violation', 100.0001, -0.0001);
  add('features.n4', 'schema_violation', 6, -6, 2.5);
  add('features', null, { n0: 1, n1: 2, s0: 'a', s1: '' }, { n0: 1, n1: 2, s0: 'a', s1: 'b', extra: 'x', nested: [[1], [2]], deepish: JSON.parse(deep(100)) });
  for (const v of ['\u0000', '\u0000\u0000x', '\ud800', '\udfff\ud800', '\u{10FFFF}', '\ufeff', 'é'.normalize('NFD'), '\u202eevil', '<script>', "'", '\\u0000']) {
    out.push({ field: 'features.s2', value: () => v, expect: null });
    out.push({ field: 'features.s8', value: () => ({ v }), expect: null });
  }
  out.push({ field: 'features.s2', value: () => ONE_MB, expect: null, isolate: true });
  out.push({ field: 'features.s3', value: (g) => `${'y'.repeat(MiB)}${g.id('big')}`, expect: null, isolate: true });
  // prediction (binary model, classes "0" and "1")
  add('prediction', 'invalid_prediction', undefined, null, [], ['1'], [[['1']]], {}, { v: '1' }, '2', '', ' 1', '1.0', 'true', true, false, 2, -1, 0.5, ONE_MB, '\u0000');
  add('prediction', null, '0', '1', 0, 1, 1.0, -0);
  // score, scores
  add('score', 'invalid_score', -0.0001, 1.0001, 1e308, -1e308, '0.5', true, false, [], [0.5], {}, '');
  add('score', null, undefined, null, 0, 1, 0.5, 5e-324);
  add('scores', 'invalid_score', 'x', 1, true, [], [0.5], [0.3, 0.3, 0.4], [1.5, 0], [-0.1, 1], [null, null], ['0.5', '0.5'], [[0.5], [0.5]], {}, { 0: 0.5, 1: 0.5 });
  add('scores', null, undefined, null, [0.3, 0.7], [0, 0], [1, 1]);
  // latency, cost
  // Above 1e9 ms (MAX_LATENCY_MS): refused, a sketch spanning such a range is slow to read back.
  add('latencyMs', 'invalid_latency', -1, -1e-9, '5', true, [], {}, [5], 1e9 + 1, 1e308);
  add('latencyMs', null, undefined, null, 0, 1e9, 5e-324);
  // Above 1e9 (MAX_COST_USD): refused, two costs near 1e308 overflowed their window's cost sum.
  add('costUsd', 'invalid_cost', -1, -1e-9, '0.1', true, [], {}, 1e9 + 1, 1e308);
  add('costUsd', null, undefined, null, 0, 1e6, 1e9);
  // error
  add('error', 'invalid_error', 0, 1, -1, [], ['e'], {}, { message: 'e' });
  add('error', 'invalid_error', '\u0000', 'boom\u0000');
  add('error', null, undefined, null, true, false, '', 'boom', ONE_MB);
  // segment (segment key "region")
  add('segment', 'invalid_segment', 'eu', 1, true, [], ['eu'], [[['eu']]], { region: {} }, { region: [] }, { region: ['eu'] }, { region: 'r'.repeat(201) }, { region: ONE_MB }, { region: '\u0000' }, { region: 'e\u0000u' });
  add('segment', null, undefined, null, {}, { region: 'eu' }, { region: 1 }, { region: true }, { region: null }, { region: 'r'.repeat(200) },
    { other: '\u0000' }, { other: {} }, { other: ONE_MB }, { region: '' });
  // unknown top-level fields are ignored
  add('extra', null, 1, 'x', { a: 1 }, [[[]]], ONE_MB);
  add('labels', null, { y: 1 });
  return out;
}

/** Sets `path` ("a" or "a.b") of a row to v (undefined: deletes it). */
function setField(row: Row, path: string, v: unknown): void {
  const [head, tail] = path.split('.') as [string, string | undefined];
  if (tail === undefined) {
    if (v === undefined) delete row[head];
    else row[head] = v;
    return;
  }
  const inner = row[head];
  if (typeof inner !== 'object' || inner === null) return;
  if (v === undefined) delete (inner as Row)[tail];
  else (inner as Row)[tail] = v;
}

/** Random damage to a valid event (several fields at once: outcome not predicted). */
function mutate(g: Gen, e: Row, pool: Defect[]): Row {
  const n = 1 + g.r.int(4);
  for (let i = 0; i < n; i++) {
    const op = g.r.int(6);
    if (op <= 2) {
      const d = g.pick(pool);
      setField(e, d.field, d.value(g));
    } else if (op === 3) {
      // Swap the values of two fields.
      const keys = Object.keys(e).filter((k) => k !== 'id');
      const a = g.pick(keys);
      const b = g.pick(keys);
      const t = e[a];
      e[a] = e[b];
      e[b] = t;
    } else if (op === 4) {
      // Wrap a field in an array or an object.
      const k = g.pick(Object.keys(e).filter((x) => x !== 'id'));
      e[k] = g.r.next() < 0.5 ? [e[k]] : { v: e[k] };
    } else {
      // A feature of another kind.
      const f = e['features'];
      if (typeof f === 'object' && f !== null && !Array.isArray(f)) {
        const name = g.pick([...NUM, ...STR]);
        (f as Row)[name] = g.pick<unknown>([g.word(3), g.r.next() * 10, g.r.int(10), null, true, [1], { x: 1 }]);
      }
    }
  }
  return e;
}

const json = (v: unknown): (() => Buffer) => {
  const text = JSON.stringify(v);
  return () => Buffer.from(text, 'utf8');
};

/** Malformed JSON from a valid body. */
function malformed(g: Gen, valid: string): string {
  const r = g.r;
  switch (r.int(14)) {
    case 0: return valid.slice(0, 1 + r.int(valid.length - 1)); // truncated
    case 1: return valid + g.pick(['x', ']', '}', ',', '{}', '[]', ' garbage', '\u0000', '"']); // trailing garbage
    case 2: return valid.replace(/"score":[^,}]+/, `"score":${g.pick(['NaN', 'Infinity', '-Infinity', '+1', '.5', '01', '1.', '0x10', '1e', 'undefined'])}`);
    case 3: return valid.replace(/"/g, "'"); // single quotes
    case 4: return valid.replace(/"(\w+)":/g, '$1:'); // unquoted keys
    case 5: return valid.replace(/}$/, ',}').replace(/]}$/, ',]}'); // trailing commas
    case 6: return `/* comment */${valid}`;
    case 7: return valid.replace(/"model"/, '"mod\nel"'); // raw control character in a string
    case 8: return valid.replace(/"prediction":"([01])"/, '"prediction":"\\x$1"'); // bad escape
    case 9: return valid.replace(/"model":"/, '"model":"\\u12'); // truncated unicode escape
    case 10: return `${valid}${valid}`; // two documents
    case 11: return valid.replace(/:/, '::');
    case 12: return `[${valid}`;
    default: return valid.replace(/,/, ',,');
  }
}

// ---------------------------------------------------------------------------------------------------------------

describe('POST /v1/events under thousands of bad requests (seeded fuzzing, real server and DuckDB file)', () => {
  let s: Server;
  let base = '';
  let now = 0;
  const ledger = {
    requests: 0,
    byStatus: new Map<number, number>(),
    byCode: new Map<string, number>(),
    accepted: 0,
    acceptedIds: [] as string[],
    rowsRejected: 0,
    rejectsStored: 0, // rejected rows the server records (all but "already stored" duplicates)
    rejectsModel: 0, // ... of which the model is the fuzz model
    rejectsVersion: 0, // ... and the version is known
    rowsPredicted: 0,
  };

  before(async () => {
    // Every accepted event keeps its raw features (sampleRate 1), so odd values also go through that path.
    s = await testServer({ configure: (c) => (c.ingest.sampleRate = 1) });
    base = s.url;
    now = Date.now();
    const m = await send(base, { kind: 'setup', method: 'POST', path: '/v1/models', headers: JSON_CT, body: json({ name: MODEL, outputKind: 'binary', classes: ['0', '1'], segmentKeys: ['region'], inputSchema: INPUT_SCHEMA }) });
    assert.equal(m.status, 201, m.text);
    const v = await send(base, { kind: 'setup', method: 'POST', path: `/v1/models/${MODEL}/versions`, headers: JSON_CT, body: json({ version: VERSION }) });
    assert.equal(v.status, 201, v.text);
  });
  after(async () => {
    agent.destroy();
    await s.close();
  });

  /** Sends one request and checks its answer; updates the ledger. */
  async function run(r: FuzzRequest): Promise<Answer> {
    const a = await send(base, r);
    check(r, a);
    return a;
  }

  function check(r: FuzzRequest, a: Answer): void {
    ledger.requests++;
    ledger.byStatus.set(a.status, (ledger.byStatus.get(a.status) ?? 0) + 1);
    const what = `${r.kind}: ${r.method} ${r.path} -> ${a.status} ${a.text.slice(0, 300)}`;
    assert.ok(a.status < 500, `no 5xx: ${what}`);
    if (r.statuses) assert.ok(r.statuses.includes(a.status), `status in ${JSON.stringify(r.statuses)}: ${what}`);
    else assert.ok(a.status === 200 || (a.status >= 400 && a.status < 500), `200 or 4xx: ${what}`);
    let body: unknown;
    try {
      body = JSON.parse(a.text);
    } catch {
      assert.fail(`the body is JSON: ${what}`);
    }
    if (a.status !== 200) {
      const err = (body as { error?: { code?: unknown; message?: unknown } }).error;
      assert.ok(err && typeof err.code === 'string' && typeof err.message === 'string', `error body {error:{code,message}}: ${what}`);
      assert.equal(ERROR_STATUS[err.code as keyof typeof ERROR_STATUS], a.status, `catalog code matching the status: ${what}`);
      assert.ok(err.message.length > 0 && err.message.length < 10_000, `a bounded message: ${what}`);
      if (r.code !== undefined) assert.equal(err.code, r.code, what);
      ledger.byCode.set(err.code as string, (ledger.byCode.get(err.code as string) ?? 0) + 1);
      return;
    }
    if (r.path !== '/v1/events' || r.method !== 'POST') return;
    const b = body as { accepted: number; rejected: number; results: RowResult[] };
    const rows = r.rows ?? rowsOf(r);
    assert.ok(Array.isArray(b.results) && b.results.length === rows.length, `one result per row (${rows.length}): ${what}`);
    assert.equal(b.accepted + b.rejected, rows.length, what);
    assert.equal(b.results.filter((x) => x.status === 'accepted').length, b.accepted, what);
    ledger.accepted += b.accepted;
    b.results.forEach((x, i) => {
      assert.equal(x.index, i, what);
      const raw = rows[i] as Row | null | undefined;
      if (x.status === 'accepted') {
        assert.equal(typeof x.id, 'string', what);
        if (typeof raw?.['id'] === 'string') assert.equal(x.id, raw['id'], `the id sent is the id acknowledged: ${what}`);
        ledger.acceptedIds.push(x.id as string);
      } else {
        assert.equal(x.status, 'rejected', what);
        assert.ok(typeof x.code === 'string' && typeof x.message === 'string' && x.message.length > 0, `row ${i} rejected with a code and a reason: ${what}`);
        ledger.rowsRejected++;
        ledger.byCode.set(`row:${x.code as string}`, (ledger.byCode.get(`row:${x.code as string}`) ?? 0) + 1);
        const storedDuplicate = x.code === 'duplicate_id' && (x.message ?? '').includes('already stored');
        if (!storedDuplicate) {
          ledger.rejectsStored++;
          const isRow = typeof raw === 'object' && raw !== null && !Array.isArray(raw);
          if (isRow && raw['model'] === MODEL) {
            ledger.rejectsModel++;
            if (raw['version'] === VERSION) ledger.rejectsVersion++;
          }
        }
      }
      const exp = r.expectRows?.[i];
      if (r.expectRows && exp !== undefined) {
        ledger.rowsPredicted++;
        if (exp === null) assert.equal(x.status, 'accepted', `row ${i} accepted (${JSON.stringify(x).slice(0, 300)}): ${r.kind}`);
        else assert.equal(x.code, exp, `row ${i} rejected as ${exp} (${JSON.stringify(x).slice(0, 300)}): ${r.kind}`);
      }
    });
  }

  /** The rows of a request that the server answered with 200 (BOM and invalid UTF-8 decoded as the server does). */
  function rowsOf(r: FuzzRequest): unknown[] {
    const raw = r.body?.();
    const parsed: unknown = raw === undefined ? undefined : JSON.parse(new TextDecoder('utf-8').decode(raw));
    if (Array.isArray(parsed)) return parsed;
    const rows = (parsed as { events?: unknown } | undefined)?.events;
    assert.ok(Array.isArray(rows), `${r.kind}: a 200 answer for a body without rows`);
    return rows;
  }

  /** Runs the requests on a few concurrent connections; the first failure stops every worker. */
  async function pool(reqs: FuzzRequest[], workers: number): Promise<void> {
    let next = 0;
    let failed = false;
    await Promise.all(Array.from({ length: workers }, async () => {
      while (next < reqs.length && !failed) {
        try {
          await run(reqs[next++] as FuzzRequest);
        } catch (e) {
          failed = true;
          throw e;
        }
      }
    }));
  }

  test('valid batches are accepted and stored', async () => {
    const g = new Gen(seededRandom(SEED), now, 'v');
    for (let b = 0; b < 5; b++) {
      const rows = Array.from({ length: 200 }, () => g.event());
      const a = await run({ kind: 'valid', method: 'POST', path: '/v1/events', headers: JSON_CT, body: json({ events: rows }), rows, statuses: [200], expectRows: rows.map(() => null) });
      assert.equal((JSON.parse(a.text) as { accepted: number }).accepted, 200);
    }
    // A bare array is a batch too.
    const rows = Array.from({ length: 50 }, () => g.event());
    await run({ kind: 'valid-array', method: 'POST', path: '/v1/events', headers: JSON_CT, body: json(rows), rows, statuses: [200], expectRows: rows.map(() => null) });
    assert.equal(ledger.accepted, 1050);
    assert.equal(await s.deps.store.countEvents(MODEL), 1050);
    assert.equal(await s.deps.store.countRejects(), 0);
  });

  test('thousands of generated bad requests: 4xx with catalog errors, or 200 with per-row rejections; never 5xx', async () => {
    const t0 = Date.now();
    const g = new Gen(seededRandom(SEED + 1), now, 'f');
    const pool1 = defects(now);
    const reqs: FuzzRequest[] = [];
    const events = (rows: unknown[], kind: string, expectRows?: Expect[], headers: Record<string, string> = JSON_CT): FuzzRequest =>
      ({ kind, method: 'POST', path: '/v1/events', headers, body: json({ events: rows }), rows, statuses: [200], ...(expectRows && { expectRows }) });

    // 1. Every single defect, twice: once next to a valid row, once alone.
    for (let round = 0; round < 2; round++) {
      for (const d of pool1) {
        const rows: Row[] = [];
        const exp: Expect[] = [];
        const n = round === 0 ? 2 : 1;
        const at = g.r.int(n);
        for (let i = 0; i < n; i++) {
          if (i === at) {
            const e = g.event(d.isolate ? { ts: HUGE_TS_PAST(now) - round * 3_600_000 } : {});
            setField(e, d.field, d.value(g));
            rows.push(e);
            exp.push(d.expect);
          } else {
            rows.push(g.event());
            exp.push(null);
          }
        }
        reqs.push(events(rows, `defect ${d.field}`, exp));
      }
    }
    // 2. Random mutations of valid events (outcome not predicted, but counted).
    for (let i = 0; i < 800; i++) {
      const rows = Array.from({ length: 1 + g.r.int(12) }, () => {
        const e = g.event();
        return g.r.next() < 0.8 ? mutate(g, e, pool1.filter((d) => !d.isolate)) : e;
      });
      reqs.push(events(rows, 'mutation'));
    }
    // 3. Malformed JSON.
    for (let i = 0; i < 750; i++) {
      const valid = JSON.stringify({ events: [g.event(), g.event()] });
      reqs.push({ kind: 'malformed', method: 'POST', path: '/v1/events', headers: JSON_CT, body: text(malformed(g, valid)), statuses: [400], code: 'invalid_json' });
    }
    for (const lit of ['NaN', 'Infinity', '-Infinity', 'undefined', "'x'", '{events:[]}', "{'events':[]}", '[,]', '[1,]', '{"events":[],}', '{"a"}', '{"a":}', '{', '[', '"', 'tru', 'nul', '01', '- 1', '\u0000', '{"events":[]}\u0000', '{"events":[]} x']) {
      reqs.push({ kind: `malformed ${JSON.stringify(lit)}`, method: 'POST', path: '/v1/events', headers: JSON_CT, body: text(lit), statuses: [400], code: 'invalid_json' });
    }
    // Deep nesting (10,000 levels): in places that reject the value, the row is refused and the request answered.
    const deepArr = deep(10_000);
    const deepObj = deep(10_000, true);
    const valid1 = (): string => JSON.stringify(g.event());
    // A key repeated at the end of an object wins (JSON.parse keeps the last one).
    const splice = (e: string, field: string, v: string): string => e.replace(/\}$/, `,"${field}":${v}}`);
    reqs.push({ kind: 'deep body (array)', method: 'POST', path: '/v1/events', headers: JSON_CT, body: text(deepArr), statuses: [200], expectRows: ['invalid_event'] });
    reqs.push({ kind: 'deep body (object)', method: 'POST', path: '/v1/events', headers: JSON_CT, body: text(deepObj), statuses: [400], code: 'bad_request' });
    reqs.push({ kind: 'deep events', method: 'POST', path: '/v1/events', headers: JSON_CT, body: text(`{"events":${deepArr}}`), statuses: [200], expectRows: ['invalid_event'] });
    reqs.push({ kind: 'deep unclosed', method: 'POST', path: '/v1/events', headers: JSON_CT, body: text('['.repeat(10_000)), statuses: [400], code: 'invalid_json' });
    reqs.push({ kind: 'deep 1M levels', method: 'POST', path: '/v1/events', headers: JSON_CT, body: text(deep(1_000_000)), statuses: [200], expectRows: ['invalid_event'] });
    for (const [field, code] of [['id', 'invalid_id'], ['model', 'invalid_event'], ['version', 'unknown_version'], ['timestamp', 'invalid_timestamp'], ['features', 'invalid_features'], ['prediction', 'invalid_prediction'], ['score', 'invalid_score'], ['scores', 'invalid_score'], ['latencyMs', 'invalid_latency'], ['costUsd', 'invalid_cost'], ['error', 'invalid_error'], ['segment', 'invalid_segment']] as const) {
      for (const d of [deepArr, deepObj]) {
        const body = `{"events":[${valid1()},${splice(valid1(), field, d)}]}`;
        reqs.push({ kind: `deep ${field}`, method: 'POST', path: '/v1/events', headers: JSON_CT, body: text(body), statuses: [200], expectRows: [null, d === deepObj && field === 'features' ? 'schema_violation' : d === deepObj && field === 'segment' ? null : code] });
      }
    }
    for (const f of ['n0', 's0', 's1', 's4']) {
      const e = g.event();
      const body = JSON.stringify({ events: [e] }).replace(`"${f}":`, `"${f}":${deepArr},"${f}_was":`);
      reqs.push({ kind: `deep features.${f}`, method: 'POST', path: '/v1/events', headers: JSON_CT, body: text(body), statuses: [200], expectRows: ['schema_violation'] });
    }
    // 4. Wrong content types and empty bodies.
    const okBody = (): (() => Buffer) => json({ events: [g.event()] });
    for (const ct of ['application/xml', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/octet-stream', 'text/csv', 'application/x-ndjson', 'image/png', 'application/vnd.api+json', 'json', 'application/', '*/*', 'application/json-patch+json', 'text/html']) {
      reqs.push({ kind: `content-type ${ct}`, method: 'POST', path: '/v1/events', headers: { 'content-type': ct }, body: okBody(), statuses: [415], code: 'unsupported_media_type' });
    }
    reqs.push({ kind: 'no content-type', method: 'POST', path: '/v1/events', headers: {}, body: okBody(), statuses: [415], code: 'unsupported_media_type' });
    for (const ct of ['text/plain', 'text/plain; charset=utf-8']) {
      reqs.push({ kind: `content-type ${ct}`, method: 'POST', path: '/v1/events', headers: { 'content-type': ct }, body: okBody(), statuses: [415], code: 'unsupported_media_type' });
    }
    for (const ct of ['application/json', 'Application/JSON', 'application/json; charset=utf-8', 'application/json;charset=UTF-8']) {
      const rows = [g.event()];
      reqs.push({ kind: `content-type ${ct}`, method: 'POST', path: '/v1/events', headers: { 'content-type': ct }, body: json({ events: rows }), rows, statuses: [200], expectRows: [null] });
    }
    for (const ct of ['application/json; charset=utf-16', 'application/json; charset=latin1', 'application/json; boundary=x']) {
      reqs.push({ kind: `content-type ${ct}`, method: 'POST', path: '/v1/events', headers: { 'content-type': ct }, body: okBody() });
    }
    reqs.push({ kind: 'utf-16 body', method: 'POST', path: '/v1/events', headers: JSON_CT, body: () => Buffer.from(`\ufeff${JSON.stringify({ events: [g.event()] })}`, 'utf16le'), statuses: [400], code: 'invalid_json' });
    for (let i = 0; i < 3; i++) {
      // audit 24: an empty (or whitespace) body sent as JSON is no body, answered as one without a Content-Type
      reqs.push({ kind: 'empty json body', method: 'POST', path: '/v1/events', headers: JSON_CT, body: () => Buffer.alloc(0), statuses: [400], code: 'bad_request' });
      reqs.push({ kind: 'no body', method: 'POST', path: '/v1/events', headers: {}, statuses: [400], code: 'bad_request' });
      reqs.push({ kind: 'whitespace body', method: 'POST', path: '/v1/events', headers: JSON_CT, body: text(' \n\t '), statuses: [400], code: 'bad_request' });
    }
    // 5. Wrong top-level types and shapes.
    for (const top of ['null', '0', '1', '-1', '1e308', '"events"', '""', 'true', 'false', '{}', '{"events":null}', '{"events":{}}', '{"events":"[]"}', '{"events":1}', '{"Events":[]}', '{"event":[]}', '{"events":{"0":{}}}', '{"rows":[{}]}']) {
      reqs.push({ kind: `top-level ${top}`, method: 'POST', path: '/v1/events', headers: JSON_CT, body: text(top), statuses: [400], code: 'bad_request' });
    }
    for (const top of ['[]', '{"events":[]}', '{"events":[],"extra":1}']) {
      reqs.push({ kind: `empty batch ${top}`, method: 'POST', path: '/v1/events', headers: JSON_CT, body: text(top), statuses: [200] });
    }
    const garbageRows = [null, 0, 1, true, 'event', [], [[]], [{}], {}, { model: MODEL }, { model: MODEL, version: VERSION }, { model: MODEL, version: VERSION, features: {} }];
    reqs.push(events(garbageRows, 'garbage rows', ['invalid_event', 'invalid_event', 'invalid_event', 'invalid_event', 'invalid_event', 'invalid_event', 'invalid_event', 'invalid_event', 'invalid_event', 'unknown_version', 'invalid_features', 'schema_violation']));
    reqs.push({ kind: 'too many rows', method: 'POST', path: '/v1/events', headers: JSON_CT, body: text(`[${'0,'.repeat(10_000)}0]`), statuses: [413], code: 'payload_too_large' });
    reqs.push({ kind: '10000 rows', method: 'POST', path: '/v1/events', headers: JSON_CT, body: text(`[${'0,'.repeat(9_999)}0]`), statuses: [200] });
    // 6. Prototype pollution keys (whole bodies refused by the JSON parser, or ignored).
    const polluted = [
      '{"__proto__":{"polluted":1},"events":[]}',
      '{"events":[],"constructor":{"prototype":{"polluted":1}}}',
      `{"events":[{"__proto__":{"model":"${MODEL}"},"id":"pp-1"}]}`,
      `{"events":[${JSON.stringify(g.event()).replace('"features":{', '"features":{"__proto__":{"n0":1},')}]}`,
      `{"events":[${JSON.stringify(g.event()).replace('"features":{', '"features":{"constructor":{"prototype":{"polluted":1}},')}]}`,
      `{"events":[${JSON.stringify(g.event()).replace('"segment":{', '"segment":{"__proto__":{"region":"x"},')}]}`,
      '{"events":[{"\\u005f_proto__":{"polluted":1}}]}',
      '[{"constructor":{"prototype":{"polluted":1}}}]',
    ];
    for (const p of polluted) reqs.push({ kind: 'prototype pollution', method: 'POST', path: '/v1/events', headers: JSON_CT, body: text(p) });
    for (const name of ['__proto__', 'constructor', 'prototype', 'toString']) {
      const e = g.event();
      reqs.push({ kind: `feature named ${name}`, method: 'POST', path: '/v1/events', headers: JSON_CT, body: text(JSON.stringify({ events: [e] }).replace('"features":{', `"features":{"${name}":"x",`)) });
    }
    // 7. Unicode, NUL and invalid UTF-8 in raw bytes.
    for (let i = 0; i < 40; i++) {
      const valid = Buffer.from(JSON.stringify({ events: [g.event()] }), 'utf8');
      const at = valid.indexOf('"s2":"') >= 0 ? valid.indexOf('"s2":"') + 6 : valid.indexOf('"s1":"') + 6;
      const bad = g.pick([[0xff], [0xfe, 0xff], [0xc0, 0x80], [0xed, 0xa0, 0x80], [0xf8, 0x88, 0x80, 0x80, 0x80], [0xe2, 0x82], [0x80]]);
      const body = Buffer.concat([valid.subarray(0, at), Buffer.from(bad), valid.subarray(at)]);
      reqs.push({ kind: 'invalid utf-8 in a string', method: 'POST', path: '/v1/events', headers: JSON_CT, body: () => body, statuses: [200, 400] });
      const outside = Buffer.concat([Buffer.from(bad), valid]);
      reqs.push({ kind: 'invalid utf-8 outside strings', method: 'POST', path: '/v1/events', headers: JSON_CT, body: () => outside, statuses: [400], code: 'invalid_json' });
    }
    for (let i = 0; i < 5; i++) {
      const rows = [g.event()];
      reqs.push({ kind: 'BOM', method: 'POST', path: '/v1/events', headers: JSON_CT, body: () => Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(JSON.stringify({ events: rows }))]), statuses: [200, 400] });
    }
    reqs.push({ kind: 'NUL bytes', method: 'POST', path: '/v1/events', headers: JSON_CT, body: text('\u0000'.repeat(1000)), statuses: [400], code: 'invalid_json' });
    // Escaped NUL: refused in an id (no store can keep it alike), kept inside features (stored as JSON text).
    const nulFeatures = g.event();
    Object.assign(nulFeatures['features'] as Row, { s3: '\u0000x\u0000', s8: { k: '\u0000' } });
    reqs.push({ kind: 'escaped NUL', method: 'POST', path: '/v1/events', headers: JSON_CT, body: text(JSON.stringify({ events: [{ ...g.event(), id: `\u0000${g.id('nul')}\u0000` }, nulFeatures] })), statuses: [200], expectRows: ['invalid_id', null] });
    reqs.push({ kind: 'lone surrogates', method: 'POST', path: '/v1/events', headers: JSON_CT, body: text(JSON.stringify({ events: [g.event()] }).replace('"s2":"', '"s2":"\\ud800\\udc00\\udc00\\ud800')), statuses: [200] });
    // 8. Huge bodies: over the 16 MiB limit (with and without content-length), and near it.
    for (let i = 0; i < 3; i++) {
      const big = (): Buffer => Buffer.concat([Buffer.from('{"events":[{"id":"'), Buffer.alloc(17 * MiB, 'a'), Buffer.from('"}]}')]);
      reqs.push({ kind: 'over the body limit', method: 'POST', path: '/v1/events', headers: JSON_CT, body: big, statuses: [413], code: 'payload_too_large', chunked: i === 2 });
    }
    reqs.push({ kind: 'over the limit, not json', method: 'POST', path: '/v1/events', headers: { 'content-type': 'text/plain' }, body: () => Buffer.alloc(17 * MiB, ' '), statuses: [415], code: 'unsupported_media_type' });
    reqs.push({ kind: '15 MiB of rejected rows', method: 'POST', path: '/v1/events', headers: JSON_CT, body: () => Buffer.from(JSON.stringify({ events: Array.from({ length: 15 }, (_, k) => ({ id: `${'h'.repeat(MiB - 10)}${k}` })) })), statuses: [200] });
    // 9. Other methods and paths on the events resource; a few bad model and version declarations.
    for (const [method, path] of [['GET', '/v1/events'], ['PUT', '/v1/events'], ['DELETE', '/v1/events'], ['PATCH', '/v1/events'], ['POST', '/v1/event'], ['POST', '/v1/events/x'], ['POST', '/v1/events/%00'], ['POST', '/v1/%2e%2e/events'], ['POST', `/v1/${'a'.repeat(5000)}`]] as const) {
      reqs.push({ kind: `route ${method} ${path.slice(0, 30)}`, method, path, headers: method === 'GET' || method === 'DELETE' ? {} : JSON_CT, ...(method !== 'GET' && method !== 'DELETE' && { body: okBody() }), ...(method === 'POST' ? { statuses: [404], code: 'not_found' } : { statuses: [405], code: 'method_not_allowed' }) });
    }
    const badModels: unknown[] = [
      {}, { name: MODEL }, { name: 'x', outputKind: 'binary' }, { name: '', outputKind: 'binary', inputSchema: {} }, { name: '-x', outputKind: 'binary', inputSchema: {} },
      { name: 'x'.repeat(200), outputKind: 'binary', inputSchema: {} }, { name: 'ok', outputKind: 'ranking', inputSchema: {} }, { name: 'ok', outputKind: 'binary', inputSchema: [] },
      { name: 'ok', outputKind: 'binary', inputSchema: { type: 'bogus' } }, { name: 'ok', outputKind: 'binary', inputSchema: { $ref: '#/nope' } },
      { name: 'ok', outputKind: 'binary', inputSchema: {}, classes: 'ab' }, { name: 'ok', outputKind: 'binary', inputSchema: {}, segmentKeys: [''] },
      { name: 'ok\u0000', outputKind: 'binary', inputSchema: {} }, { name: '__proto__', outputKind: 'binary', inputSchema: {} }, [], null, 'model',
    ];
    for (const m of badModels) reqs.push({ kind: 'bad model declaration', method: 'POST', path: '/v1/models', headers: JSON_CT, body: json(m), statuses: [400] });
    for (const v of [{}, { version: '' }, { version: 1 }, { version: 'a b' }, { version: '2', reference: 'x' }, { version: '2', metadata: [] }]) {
      reqs.push({ kind: 'bad version declaration', method: 'POST', path: `/v1/models/${MODEL}/versions`, headers: JSON_CT, body: json(v), statuses: [400] });
    }
    reqs.push({ kind: 'version of an unknown model', method: 'POST', path: '/v1/models/nope/versions', headers: JSON_CT, body: json({ version: '1' }), statuses: [404], code: 'unknown_model' });
    // 10. Unknown models and versions in bulk.
    for (let i = 0; i < 100; i++) {
      const rows = Array.from({ length: 1 + g.r.int(5) }, () => {
        const e = g.event();
        if (g.r.next() < 0.5) e['model'] = g.pick(['nope', 'fz2', g.word(8), MODEL.toUpperCase()]);
        else e['version'] = g.pick(['0', '2', '1.0', 'latest', g.word(3)]);
        return e;
      });
      reqs.push(events(rows, 'unknown model or version', rows.map((e) => (e['model'] === MODEL ? 'unknown_version' : 'unknown_model'))));
    }

    // Shuffle (seeded) so that the kinds interleave under concurrency.
    for (let i = reqs.length - 1; i > 0; i--) {
      const j = g.r.int(i + 1);
      [reqs[i], reqs[j]] = [reqs[j] as FuzzRequest, reqs[i] as FuzzRequest];
    }
    assert.ok(reqs.length >= 3000, `${reqs.length} requests`);
    await pool(reqs, 12);

    // 11. Malformed HTTP (raw sockets): refused with a 4xx; the server stays up.
    for (const raw of [
      'POST /v1/events HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: abc\r\n\r\n{}',
      'POST /v1/events HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n{}',
      'POST /v1/events HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n',
      'POST /v1/events HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n',
      'POST /v1/events HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"events":[',
      'GARBAGE\r\n\r\n',
      `POST /v1/events HTTP/1.1\r\nHost: x\r\nX-Big: ${'h'.repeat(20_000)}\r\n\r\n`,
    ]) {
      const a = await sendRaw(base, raw);
      ledger.requests++;
      ledger.byStatus.set(a.status, (ledger.byStatus.get(a.status) ?? 0) + 1);
      assert.ok(a.status >= 400 && a.status < 500, `malformed HTTP ${JSON.stringify(raw.slice(0, 60))} -> ${a.status} ${a.text.slice(0, 200)}`);
      const code = (JSON.parse(a.text) as { error: { code: keyof typeof ERROR_STATUS } }).error.code;
      assert.equal(ERROR_STATUS[code], a.status, `malformed HTTP answered with the catalog error body: ${a.text}`);
    }
    const seconds = (Date.now() - t0) / 1000;
    console.log(`fuzz: ${ledger.requests} requests in ${seconds.toFixed(1)} s; statuses ${JSON.stringify(Object.fromEntries([...ledger.byStatus].sort()))}; `
      + `rows accepted ${ledger.accepted}, rejected ${ledger.rowsRejected} (predicted outcomes checked: ${ledger.rowsPredicted}); codes ${JSON.stringify(Object.fromEntries([...ledger.byCode].sort()))}`);
  });

  test('re-sent events are refused as duplicates and stored once', async () => {
    const ids = ledger.acceptedIds.filter((id) => id.startsWith('ve-')).slice(0, 20);
    const stored = await s.deps.store.getEvents(ids);
    assert.equal(stored.length, 20);
    const g = new Gen(seededRandom(SEED + 2), now, 'r');
    const rows = ids.map((id) => g.event({ id }));
    const twice = g.event({ id: g.id('resend') });
    rows.push(twice, { ...twice });
    await run({ kind: 'resend', method: 'POST', path: '/v1/events', headers: JSON_CT, body: json({ events: rows }), rows, statuses: [200], expectRows: [...ids.map(() => 'duplicate_id'), null, 'duplicate_id'] });
  });

  test('the store holds exactly what was acknowledged; rejected rows are recorded and counted', async () => {
    await s.deps.pipeline.flush();
    const healthz = await send(base, { kind: 'healthz', method: 'GET', path: '/healthz', headers: {} });
    assert.equal(healthz.status, 200);
    assert.equal((JSON.parse(healthz.text) as { status: string }).status, 'ok');
    assert.equal(new Set(ledger.acceptedIds).size, ledger.acceptedIds.length, 'no id acknowledged twice');
    assert.equal(ledger.acceptedIds.length, ledger.accepted);
    assert.equal(await s.deps.store.countEvents(MODEL), ledger.accepted, 'stored events = acknowledged events');
    assert.equal(await s.deps.store.countEvents(), ledger.accepted, 'nothing stored for unknown models');
    const stored = await s.deps.store.getEvents(ledger.acceptedIds);
    assert.equal(stored.length, ledger.accepted, 'every acknowledged id is stored');
    assert.equal(await s.deps.store.countRejects(MODEL), ledger.rejectsModel, 'rejected rows of the model are recorded');
    assert.equal(await s.deps.store.countRejects(), ledger.rejectsStored, 'every rejected row is recorded');
    assert.ok(ledger.rejectsModel > 1000, `${ledger.rejectsModel} rejected rows of the model`);

    // The window summaries agree with the events table: events by time range, rejected rows by version.
    const from = now - 6 * DAY;
    const to = Date.now() + DAY + 3_600_000;
    const q = await send(base, { kind: 'quality', method: 'GET', path: `/v1/models/${MODEL}/quality?from=${from}&to=${to}`, headers: {} });
    assert.equal(q.status, 200, q.text.slice(0, 500));
    const quality = JSON.parse(q.text) as { from: number; to: number; events: number; rejected: number };
    const inRange = stored.filter((e) => e.ts >= quality.from && e.ts < quality.to).length;
    assert.equal(quality.events, inRange, 'summaries count every stored event of the range');
    // A rejected row counts at its own timestamp when that is valid (docs/events.md): the fuzzed valid timestamps before
    // the range are 0, 1.5, 1e-300 (1970-01-01) and 2020-01-01T00:00:00Z.
    let before = 0;
    for (const start of [0, Date.UTC(2020, 0, 1)]) {
      const old = await send(base, { kind: 'quality', method: 'GET', path: `/v1/models/${MODEL}/quality?from=${start}&to=${start + DAY}`, headers: {} });
      assert.equal(old.status, 200, old.text.slice(0, 500));
      before += (JSON.parse(old.text) as { rejected: number }).rejected;
    }
    assert.equal(quality.rejected + before, ledger.rejectsVersion, 'summaries count every rejected row of the version');
    const h = await send(base, { kind: 'health', method: 'GET', path: `/v1/models/${MODEL}/health?from=${from}&to=${to}`, headers: {} });
    assert.equal(h.status, 200, h.text.slice(0, 500));
    assert.equal((JSON.parse(h.text) as { events: number }).events, inRange);
    const d = await send(base, { kind: 'drift', method: 'GET', path: `/v1/models/${MODEL}/drift?from=${from}&to=${to}`, headers: {} });
    assert.equal(d.status, 422, 'no reference: drift is unprocessable, not an error');

    // Nothing leaked into the prototypes of the server process.
    assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
    assert.equal(Object.prototype.hasOwnProperty.call(Object.prototype, 'polluted'), false);
    assert.equal(({} as Record<string, unknown>)['model'], undefined);
    console.log(`fuzz: stored ${stored.length} events = ${ledger.accepted} acknowledged; rejects recorded ${ledger.rejectsStored} (model ${ledger.rejectsModel}, version ${ledger.rejectsVersion})`);
  });
});
