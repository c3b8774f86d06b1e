import type { Command } from 'commander';
import type { RolloutSummary } from '../../rollout/history.js';
import { action, api, print, withApiOptions, type ApiOptions } from '../api.js';
import { table } from '../format.js';
import { parseInteger, parseNonEmpty } from '../parse.js';

const iso = (t: number | null): string => (t === null ? '-' : new Date(t).toISOString());

/** `lookout rollout history MODEL`: the model's rollouts, newest first (GET /v1/models/:name/rollouts). */
export function addRolloutHistory(ro: Command, setCode: (c: number) => void): void {
  withApiOptions(ro.command('history <model>').description('past rollouts, newest first: outcome, step reached, who, when, why they ended'))
    .option('--limit <n>', 'rollouts to list (1 to 1000)', parseInteger, 20).option('--before <id>', 'list those older than this rollout (the "more:" hint)', parseNonEmpty)
    .action(action(setCode, async (model: string, o: ApiOptions & { limit: number; before?: string }) => {
      const q = new URLSearchParams({ limit: String(o.limit), ...(o.before !== undefined && { before: o.before }) });
      const r = await api<{ rollouts: RolloutSummary[]; next: string | null }>(o, 'GET', `/v1/models/${encodeURIComponent(model)}/rollouts?${q.toString()}`);
      print(o, r, () => {
        if (r.rollouts.length === 0) return 'no rollouts\n';
        const rows = r.rollouts.map((x) => [
          iso(x.createdAt), x.state, `${x.primary} -> ${x.candidate}`, `${x.stepReached}/${x.stepsTotal} (${x.weightReached}%)`, x.by,
          iso(x.endedAt ?? x.promotedAt), `${x.policy}: ${x.reason}${x.endReason === null ? '' : `; ended: ${x.endReason}`}`,
        ]);
        const more = r.next === null ? '' : `more: lookout rollout history ${model} --before ${r.next}\n`;
        return table(['started', 'outcome', 'versions', 'reached', 'by', 'ended', 'reason'], rows) + more;
      });
    }));
}
