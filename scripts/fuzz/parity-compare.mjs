// The comparison of scripts/fuzz/server-parity.mjs: two JSON answers (DuckDB's, PostgreSQL's) must be equal, key
// order included, but for the fields listed in EXCLUDED, each with its reason. (server-parity.mjs also writes each
// server's data dir as DATA_DIR and the millisecond naming a kept reference upload as <ms> before comparing.)
/**
 * Fields that legitimately differ between two servers given the same requests, by JSON path (keys joined by '.',
 * array indexes as '[]'). Each with the reason. Nothing else may differ.
 */
export const EXCLUDED = [
  // wall-clock stamps taken when the request arrived (the two servers get each request a few ms apart)
  [/^(models\[\]\.)?(createdAt|updatedAt)$/, 'when the model was declared or last redeclared (server clock)'],
  [/^(models\[\]\.)?versions\[\]\.(createdAt|reference\.createdAt)$/, 'when the version was declared, its reference built (server clock)'],
  [/^(version\.)?createdAt$/, 'when the registry version was registered (server clock; PUT/PATCH .../versions/V answers)'],
  [/^deployments\[\]\.(at|id)$/, 'when the alias moved (server clock) and the record\'s generated id'],
  // POST /v1/monitors/run: the round's time, and what it found to do: a scheduled round (the servers' own timers) may
  // have evaluated some of the windows first, on one server and not the other. What was evaluated is compared (GET
  // /v1/monitors/ID/evaluations, /v1/alerts).
  [/^tick\.(at|evaluated|signals|alertsChanged|groupsNotified)$/, 'the manual round\'s time and share of the work (server clock and timers)'],
  [/^alerts\[\]\.(updatedAt|context\.severityChangedAt)$/, 'when the alert (its severity) last changed: the round\'s time (server clock)'],
  // a label's delay runs from its prediction's time to the label's arrival (server clock): the two servers receive a
  // label some ms apart. How many labelled events there are (labelled, labelCoverage) is compared.
  [/^(bySegment\[\]\.)?labelDelayMs\.(p50|p95|p99|max|mean|min)$/, 'from the prediction to the label\'s arrival (server clock)'],
];
/**
 * Numbers that may differ within 1e-12 relative because the two backends add floats in another order. None: every
 * statistic is computed in JS from the same window summaries and events, read in the same order (ORDER BY in the
 * shared SQL of src/storage/duckdb/sql.ts), so every number must be equal. A path added here must say why.
 */
export const FLOAT_ORDER = [];
/**
 * Ids the server generated (UUID v7) for rows sent without one (a "bad" row that turns out valid: a null prediction of
 * a failed inference), and alerts' ids: the fuzz's own ids are never UUIDs.
 */
const GENERATED_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const GENERATED_ID_PATHS = /^(results|alerts|events)\[\]\.id$/;

function excluded(path) {
  return EXCLUDED.some(([re]) => re.test(path));
}

/** Differences between a (DuckDB) and b (PostgreSQL), as strings; floats of FLOAT_ORDER within 1e-12 relative are counted apart. */
export function diff(a, b, path, out, near) {
  if (excluded(path)) return;
  if (GENERATED_ID_PATHS.test(path) && GENERATED_ID.test(String(a)) && GENERATED_ID.test(String(b))) return;
  if (typeof a === 'number' && typeof b === 'number') {
    if (Object.is(a, b)) return;
    const rel = Math.abs(a - b) / Math.max(Math.abs(a), Math.abs(b));
    if (rel <= 1e-12 && FLOAT_ORDER.some((re) => re.test(path))) near.push(`${path}: ${a} vs ${b}`);
    else out.push(`${path}: duckdb ${a} postgres ${b}`);
    return;
  }
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object' || Array.isArray(a) !== Array.isArray(b)) {
    if (a !== b) out.push(`${path}: duckdb ${JSON.stringify(a)?.slice(0, 300)} postgres ${JSON.stringify(b)?.slice(0, 300)}`);
    return;
  }
  if (Array.isArray(a)) {
    if (a.length !== b.length) out.push(`${path}: duckdb ${a.length} items, postgres ${b.length}: ${JSON.stringify(a).slice(0, 300)} / ${JSON.stringify(b).slice(0, 300)}`);
    for (let i = 0; i < Math.min(a.length, b.length); i++) diff(a[i], b[i], `${path}[]`, out, near);
    return;
  }
  // the JSON text is the answer: the keys' order too (e.g. a JSON column that reorders an object's keys)
  const ka = Object.keys(a).filter((k) => k in b && !excluded(path === '' ? k : `${path}.${k}`));
  const kb = Object.keys(b).filter((k) => k in a && !excluded(path === '' ? k : `${path}.${k}`));
  if (ka.join('\u0001') !== kb.join('\u0001')) out.push(`${path}: keys in another order: duckdb ${ka.join(',').slice(0, 200)} postgres ${kb.join(',').slice(0, 200)}`);
  for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) {
    const p = path === '' ? k : `${path}.${k}`;
    if (!(k in a) || !(k in b)) {
      if (!excluded(p)) out.push(`${p}: only in ${k in a ? 'duckdb' : 'postgres'} (${JSON.stringify(a[k] ?? b[k])?.slice(0, 200)})`);
      continue;
    }
    diff(a[k], b[k], p, out, near);
  }
}

/**
 * GET /v1/alerts lists alerts by startsAt (newest first), then by id: alerts raised in one round share startsAt, and
 * their ids are generated (UUID v7, random within a millisecond), so their order differs between any two servers (and
 * runs). They are compared by startsAt, then fingerprint (a hash of the monitor and labels, equal on both) instead.
 */
export function inStableOrder(alerts) {
  return [...alerts].sort((x, y) => (y.startsAt ?? 0) - (x.startsAt ?? 0) || String(x.fingerprint).localeCompare(String(y.fingerprint)));
}

