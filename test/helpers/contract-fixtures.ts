import type { Page, Request } from 'playwright-core';

/**
 * Answers of the issue 4 (alerting, SLOs) and issue 5 (registry, rollouts) endpoints in the shapes agreed in
 * the API contract, served to the browser by request interception while those endpoints are not on the server.
 * Only these endpoints are intercepted: everything else goes to the real server. Mutations are recorded.
 */
export interface Recorded {
  method: string;
  path: string;
  body: unknown;
}

export function fixtures(now: number): Record<string, unknown> {
  const DAY = 86_400_000;
  const alert = {
    id: 'a1', fingerprint: 'f1', monitorId: 'churn-accuracy', model: 'churn', version: '1.0.0', severity: 'page', state: 'open', falsePositive: false,
    labels: { model: 'churn', monitor: 'churn-accuracy' }, startsAt: now - 2 * 3_600_000, endsAt: null, silenced: false, inhibited: false,
    context: { metric: 'estimatedAccuracy', observed: 0.71, baseline: 0.84, threshold: 0.8, change: -0.155, segments: [{ segment: 'region=eu', value: 0.66 }], runbookUrl: 'https://runbooks.example/churn-accuracy', dashboardUrl: '/ui/#/model/churn' },
  };
  return {
    '/v1/alerts': { alerts: [alert] },
    '/v1/monitors': { monitors: [{ id: 'churn-accuracy', model: 'churn', name: 'churn accuracy', metric: 'estimatedAccuracy', window: '1h', kind: 'baseline', levels: [{ severity: 'page', threshold: 0.05 }], minSamples: 100, last: { at: now - 60_000, status: 'page', value: 0.71, baseline: 0.84, threshold: 0.8 } }] },
    '/v1/monitors/stats': { monitors: [{ id: 'churn-accuracy', model: 'churn', alerts: 8, falsePositives: 2, falsePositiveRate: 0.25, alertsPerWeek: 1.9 }] },
    '/v1/silences': { silences: [{ id: 's1', matchers: [{ name: 'model', value: 'eta' }], startsAt: now - DAY, endsAt: now + DAY, createdBy: 'ops', comment: 'eta retrain window', active: true }] },
    '/v1/slos': { slos: [
      { id: 'churn-avail', model: 'churn', name: 'availability', kind: 'availability', objective: 0.999, windowDays: 30, errorBudgetRemaining: 0.82, burnRates: { '5m': 0.2, '30m': 0.4, '1h': 0.5, '2h': 0.6, '6h': 0.7, '1d': 0.5, '3d': 0.4 }, firing: [] },
      { id: 'eta-latency', model: 'eta', name: 'latency < 200 ms', kind: 'latency', objective: 0.99, windowDays: 30, errorBudgetRemaining: 0.12, burnRates: { '5m': 16, '30m': 15, '1h': 14.9, '2h': 9, '6h': 7, '1d': 3.2, '3d': 1.4 }, firing: [{ severity: 'page', long: '1h', short: '5m' }] },
    ] },
    '/v1/models/churn/versions': { versions: [
      { version: '0.9.0', createdAt: now - 60 * DAY, artifact: { sha256: 'a'.repeat(64), size: 1234, uri: 'file://models/churn-0.9.0.onnx' }, lineage: { gitCommit: '1a2b3c4d5e6f', dataVersion: 'd-2026-09' }, tags: ['baseline'], paused: false },
      { version: '1.0.0', createdAt: now - 30 * DAY, artifact: { sha256: 'b'.repeat(64), size: 2345, uri: 'file://models/churn-1.0.0.onnx' }, lineage: { gitCommit: '9f8e7d6c5b4a', dataVersion: 'd-2026-10', hyperparameters: { depth: 6, eta: 0.1 } }, tags: [], notes: 'retrained on October data', paused: false },
    ] },
    '/v1/models/churn/aliases': { aliases: { production: '1.0.0', staging: '1.1.0' } },
    '/v1/models/churn/deployments': { deployments: [
      { id: 'd1', at: now - 29 * DAY, alias: 'production', from: '0.9.0', to: '1.0.0', by: 'ci', reason: 'promotion gate passed', kind: 'promote' },
      { id: 'd2', at: now - 3 * DAY, alias: 'staging', from: null, to: '1.1.0', by: 'alice', reason: 'canary', kind: 'set' },
    ] },
    '/v1/models/churn/rollout': { rollout: { id: 'r1', primary: '1.0.0', candidate: '1.1.0', policy: 'canary', steps: [5, 25, 50, 100], step: 1, weight: 25, state: 'running',
      analyses: [{ step: 1, at: now - 600_000, pass: true, checks: [{ name: 'error rate', canary: 0.002, primary: 0.003, limit: 0.01, pass: true }, { name: 'latency p95', canary: 41, primary: 39, limit: 60, pass: true }] }] } },
  };
}

/** Routes the contract endpoints of `fixtures` (and their mutations) for a page; returns the recorded mutations. */
export async function serveContract(page: Page, now: number, opts: { forbid?: RegExp } = {}): Promise<Recorded[]> {
  const data = fixtures(now);
  const recorded: Recorded[] = [];
  const known = /^\/v1\/(alerts|monitors|silences|slos)(\/|$)|^\/v1\/models\/[^/]+\/(versions|aliases|deployments|rollout|rollback|pause|resume)(\/|$)/;
  await page.route((url) => known.test(url.pathname), async (route) => {
    const req: Request = route.request();
    const path = new URL(req.url()).pathname;
    if (req.method() === 'GET') {
      const body = data[path];
      return body ? route.fulfill({ json: body }) : route.fulfill({ status: 404, json: { error: { code: 'not_found', message: `no route GET ${path}`, details: null } } });
    }
    if (opts.forbid?.test(path)) {
      return route.fulfill({ status: 403, json: { error: { code: 'forbidden', message: 'API key "viewer" lacks the "admin" scope', details: { required: 'admin', has: ['read'] } } } });
    }
    recorded.push({ method: req.method(), path, body: req.postDataJSON() as unknown });
    return route.fulfill({ status: path === '/v1/silences' ? 201 : 200, json: {} });
  });
  return recorded;
}
