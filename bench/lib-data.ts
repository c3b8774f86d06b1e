/**
 * Synthetic model and traffic for the server benchmarks: N numerical features f0.. and K categorical
 * features c0.., a binary prediction with a score, a latency and a region segment. Deterministic for a seed.
 */
import type { Random } from '../src/core/random/rng.js';
import { normal } from '../src/demo/generate.js';

export const REGIONS = ['eu', 'us', 'apac', 'latam'] as const;

export interface FeatureSet {
  numeric: string[];
  categorical: string[];
}

export function featureSet(numeric: number, categorical: number): FeatureSet {
  return {
    numeric: Array.from({ length: numeric }, (_, i) => `f${i}`),
    categorical: Array.from({ length: categorical }, (_, i) => `c${i}`),
  };
}

/** Body of POST /v1/models for a binary classifier over the features, segmented by region. */
export function modelBody(name: string, fs: FeatureSet): Record<string, unknown> {
  const properties: Record<string, unknown> = {};
  for (const f of fs.numeric) properties[f] = { type: 'number' };
  for (const c of fs.categorical) properties[c] = { type: 'string' };
  return { name, outputKind: 'binary', classes: ['0', '1'], segmentKeys: ['region'], inputSchema: { type: 'object', properties } };
}

export interface Row {
  features: Record<string, number | string>;
  score: number;
  prediction: '0' | '1';
  label: '0' | '1';
  latencyMs: number;
  region: string;
}

const round3 = (x: number): number => Math.round(x * 1000) / 1000;

/** One row; `shift` (0..1) moves the numerical means and skews the categories (drift). */
export function makeRow(r: Random, fs: FeatureSet, shift = 0): Row {
  const features: Record<string, number | string> = {};
  let z = 0;
  fs.numeric.forEach((f, i) => {
    const x = round3(10 * (i + 1) + (1 + (i % 5)) * (normal(r) + shift));
    features[f] = x;
    if (i < 4) z += (x - 10 * (i + 1)) / (1 + (i % 5));
  });
  fs.categorical.forEach((c, j) => {
    const k = 4 + (j % 6);
    // Skewed: value v0 most frequent; drift pushes mass to the last value.
    const u = r.next();
    const idx = u < shift * 0.5 ? k - 1 : Math.min(k - 1, Math.floor(k * u * u));
    features[c] = `v${idx}`;
  });
  const score = round3(1 / (1 + Math.exp(-z / 2)));
  return {
    features, score, prediction: score >= 0.5 ? '1' : '0', label: r.next() < score ? '1' : '0',
    latencyMs: Math.round(Math.exp(2.5 + normal(r) * 0.4) * 10) / 10,
    region: REGIONS[r.int(REGIONS.length)] as string,
  };
}

/** A reference CSV (features, prediction, score, label) and the rows it holds. */
export function referenceCsv(r: Random, fs: FeatureSet, rows: number): { csv: string; rows: Row[] } {
  const cols = [...fs.numeric, ...fs.categorical];
  const lines = [[...cols, 'prediction', 'score', 'label'].join(',')];
  const out: Row[] = [];
  for (let i = 0; i < rows; i++) {
    const x = makeRow(r, fs);
    out.push(x);
    lines.push([...cols.map((c) => x.features[c]), x.prediction, x.score, x.label].join(','));
  }
  return { csv: lines.join('\n') + '\n', rows: out };
}

/** JSON request to the server; throws with the body on a non-2xx status. */
export async function api(base: string, method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<unknown> {
  const init: RequestInit = { method };
  if (body !== undefined) {
    init.headers = { 'content-type': contentType };
    init.body = typeof body === 'string' ? body : JSON.stringify(body);
  }
  const res = await fetch(`${base}${path}`, init);
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path} -> ${res.status}: ${text.slice(0, 500)}`);
  return text ? JSON.parse(text) : null;
}

/** Declares the model, version "1" and uploads the reference CSV. */
export async function declareModel(base: string, name: string, fs: FeatureSet, csv: string): Promise<void> {
  await api(base, 'POST', '/v1/models', modelBody(name, fs));
  await api(base, 'POST', `/v1/models/${name}/versions`, { version: '1' });
  await api(base, 'PUT', `/v1/models/${name}/versions/1/reference`, csv, 'text/csv');
}

/** `lookout serve` arguments from BENCH_CONFIG=lookout.yaml: server settings for A/B runs (e.g. server.backgroundPriority). */
export function serveConfigArgs(): string[] {
  const file = process.env['BENCH_CONFIG'];
  return file ? ['--config', file] : [];
}

/** The server's start-up line about its background threads' CPU priority (cli/thread-priority.ts), if it printed one. */
export function priorityLine(startup: string): string | null {
  return /^lookout: (.*CPU priority.*)$/m.exec(startup)?.[1] ?? null;
}
