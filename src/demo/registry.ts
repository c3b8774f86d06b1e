import type { AppDeps } from '../http/deps.js';
import type { DeploymentKind, Lineage } from '../storage/registry.js';

const DAY = 86_400_000;

interface DemoVersion { model: string; version: string; daysAgo: number; lineage: Lineage; tags: string[]; notes: string }
interface DemoDeployment { model: string; daysAgo: number; alias: string; to: string; kind: DeploymentKind; by: string; reason: string }

const hp = (depth: number, lr: number, trees: number): Record<string, number> => ({ max_depth: depth, learning_rate: lr, n_estimators: trees });

/** The demo registry: versions with lineage (the monitored versions are 1.0.0 and 2.1.0) and their alias history. */
export const DEMO_VERSIONS: DemoVersion[] = [
  { model: 'churn', version: '0.9.0', daysAgo: 60, lineage: { gitCommit: '3f1c2a9e7b4d', dataVersion: 'churn-2026-08', hyperparameters: hp(5, 0.1, 200), metrics: { auc: 0.79, accuracy: 0.77 } }, tags: ['baseline'], notes: 'first gradient-boosted model' },
  { model: 'churn', version: '1.0.0', daysAgo: 35, lineage: { gitCommit: '8a7e6d5c4b3a', dataVersion: 'churn-2026-09', hyperparameters: hp(6, 0.08, 300), metrics: { auc: 0.82, accuracy: 0.79 } }, tags: ['champion'], notes: 'retrained on September data, support-call features added' },
  { model: 'churn', version: '1.1.0', daysAgo: 6, lineage: { gitCommit: 'c0ffee12ab34', dataVersion: 'churn-2026-11-drift', hyperparameters: hp(6, 0.08, 400), metrics: { auc: 0.8, accuracy: 0.78 } }, tags: ['candidate'], notes: 'retrained after the plan-mix drift' },
  { model: 'eta', version: '2.0.0', daysAgo: 50, lineage: { gitCommit: '5e4d3c2b1a09', dataVersion: 'eta-2026-09', hyperparameters: hp(8, 0.05, 500), metrics: { mae: 4.6, rmse: 6.3 } }, tags: [], notes: 'weather feature' },
  { model: 'eta', version: '2.1.0', daysAgo: 33, lineage: { gitCommit: '9b8a7f6e5d4c', dataVersion: 'eta-2026-10', hyperparameters: hp(8, 0.05, 600), metrics: { mae: 4.1, rmse: 5.8 } }, tags: ['champion'], notes: 'rush-hour term' },
];

export const DEMO_DEPLOYMENTS: DemoDeployment[] = [
  { model: 'churn', daysAgo: 60, alias: 'production', to: '0.9.0', kind: 'set', by: 'ci', reason: 'first deployment' },
  { model: 'churn', daysAgo: 35, alias: 'staging', to: '1.0.0', kind: 'set', by: 'ci', reason: 'candidate for the September retrain' },
  { model: 'churn', daysAgo: 31, alias: 'production', to: '1.0.0', kind: 'promote', by: 'alice', reason: 'promotion gate passed: accuracy +2.0 points (95% CI +1.1 to +2.9)' },
  { model: 'churn', daysAgo: 6, alias: 'staging', to: '1.1.0', kind: 'set', by: 'ci', reason: 'retrained after the drift incident' },
  { model: 'churn', daysAgo: 5.5, alias: 'staging', to: '1.0.0', kind: 'rollback', by: 'bob', reason: '1.1.0 disagrees with 1.0.0 on 31% of shadow traffic; back to 1.0.0' },
  { model: 'eta', daysAgo: 50, alias: 'production', to: '2.0.0', kind: 'set', by: 'ci', reason: 'first deployment' },
  { model: 'eta', daysAgo: 31, alias: 'production', to: '2.1.0', kind: 'promote', by: 'carol', reason: 'promotion gate passed: MAE -0.5 min (95% CI -0.7 to -0.3)' },
  { model: 'eta', daysAgo: 31, alias: 'staging', to: '2.1.0', kind: 'set', by: 'carol', reason: 'staging follows production' },
];

/**
 * Writes the demo registry with its past dates (straight to the registry store), then reloads the registry.
 * Versions without traffic stay out of the monitoring catalog (the overview lists monitored versions only).
 */
export async function fillDemoRegistry(deps: AppDeps, now: number): Promise<void> {
  const services = deps.registry;
  if (!services) return;
  const store = services.registry.store;
  let n = 0;
  for (const v of DEMO_VERSIONS) {
    const createdAt = now - v.daysAgo * DAY;
    await store.createVersion({ model: v.model, version: v.version, createdAt, createdBy: 'ci', artifact: null, lineage: v.lineage, tags: v.tags, notes: v.notes, upstream: null });
  }
  for (const d of DEMO_DEPLOYMENTS) {
    const at = Math.round(now - d.daysAgo * DAY);
    await store.setAlias({ model: d.model, alias: d.alias, to: d.to }, { id: `demo-deploy-${++n}`, model: d.model, at, alias: d.alias, from: null, to: d.to, by: d.by, reason: d.reason, kind: d.kind });
  }
  await services.registry.load();
}
