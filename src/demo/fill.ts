import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { seededRandom, type Random } from '../core/random/rng.js';
import type { AppDeps } from '../http/deps.js';
import { InputError } from '../io/errors.js';
import { StartStopped } from '../startup-errors.js';
import type { ValidEvent } from '../ingest/event-input.js';
import { referenceFromFile } from '../monitoring/reference-builder.js';
import type { LabelRecord, ModelRecord } from '../storage/types.js';
import { churnRow, etaRow, normal, seasonalHour, trafficSeason } from './generate.js';
import { CHURN, ETA } from './models.js';
import { fillDemoMonitors } from './monitors.js';
import { fillDemoRegistry } from './registry.js';

const DAY = 86_400_000;
const MINUTE = 60_000;

export interface DemoPlan {
  days: number;
  /** Mean events per minute per model. */
  churnPerMinute: number;
  etaPerMinute: number;
}

export const DEFAULT_DEMO: DemoPlan = { days: 30, churnPerMinute: 2, etaPerMinute: 3 };

/** Incidents in the demo data, relative to the end of the range. */
export const INCIDENTS = {
  churnDrift: { fromDaysAgo: 10, toDaysAgo: 7, description: 'churn: monthly_spend up 35%, support_calls up 80%, plan mix shifts to basic, churn rate rises (drift and accuracy drop)' }, // support_calls: audit 25
  etaLatency: { fromDaysAgo: 5, hours: 4, description: 'eta: latency p95 x8 and 6% errors for 4 hours' },
};

/** Store state: 'filling' from the first write of the demo until its last step is done, then 'complete'. */
export const DEMO_STATE = 'demo';
/** Store state: the time (epoch ms) the demo's data was made for; its incidents are dated from it (INCIDENTS). */
export const DEMO_FILLED_AT = 'demo-filled-at';

/**
 * Fills an empty store with 30 days of synthetic traffic (from the UTC midnight 30 days ago) for two models (a churn classifier and an ETA
 * regressor) including a drift incident and a latency incident, plus delayed labels. Returns false (and
 * does nothing) when the store already has models; throws (InputError) when they are those of a demo fill that stopped
 * before it was complete (the store holds part of the demo: a fill cannot resume, as it is made for its start time).
 * `signal` (a SIGTERM) stops the fill between two of its steps (a batch of traffic, an evaluation round): it throws
 * StartStopped saying the demo is incomplete, what it stored so far kept (the next `--demo` refuses it, see above).
 */
export async function fillDemo(deps: AppDeps, now: number, plan: DemoPlan = DEFAULT_DEMO, log: (s: string) => void = () => {}, signal?: AbortSignal): Promise<boolean> {
  const startAgain = deps.store.kind === 'duckdb' ? `delete the data dir ${deps.dataDir}` : `empty the store's schema and delete the data dir ${deps.dataDir}`;
  if (deps.catalog.models().length > 0) {
    if ((await deps.store.getState(DEMO_STATE)) !== 'filling') return false;
    throw new InputError(`the demo data in this store is incomplete: an earlier \`lookout serve --demo\` stopped while filling it. To start the demo again, ${startAgain}`);
  }
  const stopped = (): boolean => signal?.aborted === true;
  const check = (): void => {
    if (stopped()) throw new StartStopped(`the demo fill was interrupted, the demo data in this store is incomplete (a later \`lookout serve --demo\` refuses it). To start the demo again, ${startAgain}`);
  };
  await deps.store.setState(DEMO_STATE, 'filling');
  // From the UTC midnight `days` ago: the first day window is a whole day. Starting at now - 30 days made it a slice of
  // an evening or a night (at 21:40 UTC, 2.3 hours and ~280 churn events), whose drift share the dashboard shaded as
  // an incident some days (test/dashboard.test.ts caught it).
  const start = Math.floor((now - plan.days * DAY) / DAY) * DAY;
  const r = seededRandom(20261123);
  const dir = join(deps.dataDir, 'demo');
  mkdirSync(dir, { recursive: true });

  const churn = await declare(deps, CHURN, '1.0.0', start, writeChurnReference(dir, r), { label: 'label', score: 'score', prediction: 'prediction', positiveClass: '1' });
  const eta = await declare(deps, ETA, '2.1.0', start, writeEtaReference(dir, r), { label: 'label', prediction: 'prediction' });
  log(`demo: models ${churn.name}@1.0.0 and ${eta.name}@2.1.0 declared with references`);

  const driftFrom = now - INCIDENTS.churnDrift.fromDaysAgo * DAY;
  const driftTo = now - INCIDENTS.churnDrift.toDaysAgo * DAY;
  const latFrom = Math.floor((now - INCIDENTS.etaLatency.fromDaysAgo * DAY) / DAY) * DAY + 10 * 3600_000;
  const latTo = latFrom + INCIDENTS.etaLatency.hours * 3600_000;
  let events: ValidEvent[] = [];
  let labels: LabelRecord[] = [];
  let total = 0;
  let id = 0;
  const flush = async (): Promise<void> => {
    check();
    const t0 = Date.now();
    if (events.length) await deps.pipeline.submit(events, []);
    const t1 = Date.now();
    if (labels.length) await deps.store.putLabels(labels);
    if (process.env['LOOKOUT_DEMO_TIMING']) log(`demo: ${events.length} events ${t1 - t0} ms, ${labels.length} labels ${Date.now() - t1} ms`);
    total += events.length;
    events = [];
    labels = [];
  };
  for (let t = start; t < now; t += MINUTE) {
    const hour = new Date(t).getUTCHours();
    const season = trafficSeason(hour);
    for (let i = poisson(r, plan.churnPerMinute * season); i > 0; i--) {
      const ts = t + Math.floor(r.next() * MINUTE);
      const drift = ts >= driftFrom && ts < driftTo ? Math.min(1, (ts - driftFrom) / DAY) : 0;
      const row = churnRow(r, drift);
      const eid = `demo-c-${++id}`;
      events.push({ id: eid, model: 'churn', version: '1.0.0', ts, features: row.features, prediction: row.score >= 0.5 ? '1' : '0', score: row.score, scores: null,
        latencyMs: Math.round(Math.exp(3 + normal(r) * 0.3) * 10) / 10, error: null, segment: { region: row.region }, costUsd: 0.0004 });
      const delay = DAY + r.next() * 2 * DAY;
      if (r.next() < 0.7 && ts + delay <= now) labels.push({ id: eid, model: 'churn', label: row.label, receivedAt: Math.round(ts + delay), ts });
    }
    for (let i = poisson(r, plan.etaPerMinute * season); i > 0; i--) {
      const ts = t + Math.floor(r.next() * MINUTE);
      const incident = ts >= latFrom && ts < latTo;
      const row = etaRow(r, new Date(ts).getUTCHours());
      const eid = `demo-e-${++id}`;
      const failed = incident && r.next() < 0.06;
      events.push({ id: eid, model: 'eta', version: '2.1.0', ts, features: row.features, prediction: row.prediction, score: null, scores: null,
        latencyMs: Math.round(Math.exp(3.6 + normal(r) * 0.25) * (incident ? 8 : 1) * 10) / 10, error: failed ? 'upstream timeout' : null, segment: { city: row.city }, costUsd: 0.0011 });
      if (r.next() < 0.9 && ts + 3600_000 <= now) labels.push({ id: eid, model: 'eta', label: String(row.actual), receivedAt: ts + 3600_000, ts });
    }
    if (events.length >= 20_000) await flush();
  }
  await flush();
  log(`demo: ${total} events over ${plan.days} days; incidents: ${INCIDENTS.churnDrift.description}; ${INCIDENTS.etaLatency.description}`);
  await deps.pipeline.flush();
  check();
  await fillDemoRegistry(deps, now);
  check();
  const t0 = Date.now();
  const b = await fillDemoMonitors(deps, start, now, undefined, stopped);
  check();
  log(`demo: registry history, monitors and SLOs declared; ${b.ticks} evaluation rounds over ${plan.days} days (${Date.now() - t0} ms) raised ${b.alerts} alerts`);
  await deps.store.setState(DEMO_FILLED_AT, String(now));
  await deps.store.setState(DEMO_STATE, 'complete');
  return true;
}

async function declare(deps: AppDeps, cfg: typeof CHURN, version: string, now: number, file: string, cols: Parameters<typeof referenceFromFile>[3]): Promise<ModelRecord> {
  const m: ModelRecord = {
    name: cfg.name, outputKind: cfg.outputKind, inputSchema: cfg.inputSchema, segmentKeys: cfg.segmentKeys ?? [],
    ...(cfg.classes && { classes: cfg.classes }), ...(cfg.description && { description: cfg.description }), createdAt: now, updatedAt: now,
  };
  await deps.catalog.putModel(m);
  const profile = await referenceFromFile(m, version, file, cols, now);
  await deps.catalog.putVersion({ model: m.name, version, createdAt: now, reference: { ...profile }, metadata: { demo: true } });
  return m;
}

function writeChurnReference(dir: string, r: Random): string {
  const lines = ['age,tenure_months,monthly_spend,support_calls,plan,channel,score,prediction,label'];
  for (let i = 0; i < 5000; i++) {
    const x = churnRow(r, 0);
    const f = x.features;
    lines.push([f.age, f.tenure_months, f.monthly_spend, f.support_calls, f.plan, f.channel, x.score, x.score >= 0.5 ? 1 : 0, x.label].join(','));
  }
  const path = join(dir, 'churn-reference.csv');
  writeFileSync(path, lines.join('\n') + '\n');
  return path;
}

function writeEtaReference(dir: string, r: Random): string {
  const lines = ['distance_km,items,hour_of_day,weather,courier,prediction,label'];
  for (let i = 0; i < 5000; i++) {
    const x = etaRow(r, seasonalHour(r));
    const f = x.features;
    lines.push([f.distance_km, f.items, f.hour_of_day, f.weather, f.courier, x.prediction, x.actual].join(','));
  }
  const path = join(dir, 'eta-reference.csv');
  writeFileSync(path, lines.join('\n') + '\n');
  return path;
}

function poisson(r: Random, mean: number): number {
  let k = 0;
  let p = Math.exp(-mean);
  let s = p;
  const u = r.next();
  while (u > s && k < 1000) {
    k++;
    p *= mean / k;
    s += p;
  }
  return k;
}
