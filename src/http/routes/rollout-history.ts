import type { RegistryServices } from '../../gateway/services.js';
import { summariseRollout, type RolloutSummary } from '../../rollout/history.js';
import { storedRollout } from '../../rollout/spec.js';
import { ApiError } from '../errors.js';

/** One page of GET /v1/models/:name/rollouts; `next` is the `before` of the following page (null: no more). */
export async function rolloutPage(s: RegistryServices, model: string, q: Record<string, string | undefined>): Promise<{ rollouts: RolloutSummary[]; next: string | null }> {
  const limit = q['limit'] === undefined ? 20 : Number(q['limit']);
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw new ApiError('bad_request', 'limit must be an integer from 1 to 1000');
  let before: { createdAt: number; id: string } | undefined;
  if (q['before'] !== undefined) {
    const b = await s.registry.store.getRollout(q['before']);
    // a rollout of another model exists: "no rollout" would send the reader looking for a typo
    const whose = b === null ? `no rollout "${q['before'].slice(0, 200)}"` : `rollout "${b.id}" is one of model "${b.model}"`;
    if (b === null || b.model !== model) throw new ApiError('bad_request', `"before" must be a rollout of model "${model}" (the previous page's "next"); ${whose}`);
    before = { createdAt: b.createdAt, id: b.id };
  }
  const recs = await s.registry.store.listRolloutPage(model, limit + 1, before);
  const page = recs.slice(0, limit);
  return { rollouts: page.map((r) => summariseRollout(storedRollout(r.data))), next: recs.length > limit ? (page.at(-1)?.id ?? null) : null };
}
