import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { InputError } from '../../io/errors.js';
import { action, api, ApiCallError, print, withApiOptions, type ApiOptions } from '../api.js';
import { fmt, table } from '../format.js';
import { parseInteger, parseNumber } from '../parse.js';
import { addRolloutHistory } from './rollout-history.js';
import { addRolloutSpecOptions, rolloutSpecBody, type RolloutSpecOptions } from './rollout-options.js';

type Opts = ApiOptions & { alias: string; reason: string; by?: string; testSet?: string; label: string; metric?: string; minImprovement?: number; significant?: boolean; force?: boolean; resamples?: number; seed?: number };

/** Reads a JSON-lines test set: {"features": {...}, "label": ...} per line, or flat rows with a label field. */
export function readTestSet(path: string, label: string): Array<{ features: Record<string, unknown>; label: unknown }> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new InputError(`cannot read test set ${path}: ${e instanceof Error ? e.message : String(e)}`);
  }
  const rows = text.split('\n').filter((l) => l.trim() !== '').map((line, i) => {
    let v: unknown;
    try {
      v = JSON.parse(line);
    } catch {
      throw new InputError(`${path}:${i + 1} is not JSON`);
    }
    // null failed as an internal error; a number or an array went to the server as a row of no (or index) features
    if (typeof v !== 'object' || v === null || Array.isArray(v)) {
      const what = v === null ? 'null' : Array.isArray(v) ? 'an array' : `a ${typeof v}`;
      throw new InputError(`${path}:${i + 1} is ${what}, not a JSON object ({"features": {...}, "label": ...} or a flat row)`);
    }
    const o = v as Record<string, unknown>;
    if (typeof o['features'] === 'object' && o['features'] !== null) return { features: o['features'] as Record<string, unknown>, label: o[label] ?? null };
    const { [label]: y, ...features } = o;
    return { features, label: y ?? null };
  });
  // flat rows whose label is another field: every row went to both model servers, then the server said only
  // "no rows with a label and outputs of both versions"
  if (rows.length > 0 && rows.every((r) => r.label === null)) throw new InputError(`${path}: no row has a label in the field "${label}" (--label names the label field)`);
  return rows;
}

function gateTable(details: { gate?: Record<string, unknown>; comparison?: { n: number; seed?: number; resamples?: number; metrics: Array<{ metric: string; a: number | null; b: number | null; delta: { value: number | null; ci: [number, number] | null } }> } }): string {
  const c = details.comparison;
  if (!c) return '';
  return `${table(['metric', 'current', 'candidate', 'delta', '95% CI'], c.metrics.map((m) => [m.metric, fmt(m.a), fmt(m.b), fmt(m.delta.value), m.delta.ci ? `${fmt(m.delta.ci[0])} .. ${fmt(m.delta.ci[1])}` : '-']))}(${c.n} labelled rows; ${c.resamples === 0 ? 'no intervals: 0 resamples' : `bootstrap seed ${c.seed ?? '-'}, ${c.resamples ?? '-'} resamples: --seed ${c.seed ?? '-'} gives these intervals again`})\n`;
}

/** `lookout promote MODEL VERSION` (gated by a head-to-head comparison) and `lookout rollback MODEL`. */
export function promoteCommand(setCode: (c: number) => void): Command {
  return withApiOptions(new Command('promote').argument('<model>').argument('<version>')
    .description('move an alias (default production) to VERSION if it beats the current version on a labelled test set'))
    .option('--alias <alias>', 'alias to move', 'production').requiredOption('--reason <text>', 'why (kept in the history)').option('--by <name>', 'who')
    .option('--test-set <file.jsonl>', 'labelled rows, scored by both versions\' upstreams').option('--label <field>', 'label field of the test set', 'label')
    .option('--metric <id>', 'gate metric (default rocAuc, accuracy or mae)').option('--min-improvement <x>', 'required improvement (default: any)', parseNumber)
    .option('--significant', 'also require the 95% interval of the improvement above zero').option('--resamples <n>', 'bootstrap resamples (default 1000)', parseNumber)
    .option('--seed <n>', 'seed of the bootstrap intervals (default 0; the result says which was used)', parseInteger)
    .option('--force', 'promote without a comparison')
    .action(action(setCode, async (model: string, version: string, o: Opts) => {
      const gate = { ...(o.metric && { metric: o.metric }), ...(o.minImprovement !== undefined && { minImprovement: o.minImprovement }), ...(o.significant && { requireSignificant: true }) };
      const body = {
        version, alias: o.alias, reason: o.reason, ...(o.by && { by: o.by }), gate, ...(o.force && { force: true }), ...(o.resamples !== undefined && { resamples: o.resamples }),
        ...(o.seed !== undefined && { seed: o.seed }), ...(o.testSet && { testSet: { rows: readTestSet(o.testSet, o.label) } }),
      };
      try {
        const r = await api<{ previous: string | null; comparison: { gate: { reason: string } } & Parameters<typeof gateTable>[0] | null }>(o, 'POST', `/v1/models/${encodeURIComponent(model)}/promote`, body);
        // the server leaves an alias already on the version as it is and records nothing: "1.0.0 -> 1.0.0" read as a change
        const moved = r.previous === version ? `already ${version} (nothing changed, nothing recorded)` : `${r.previous ?? '(unset)'} -> ${version}`;
        print(o, r, () => `${r.comparison ? gateTable(r.comparison) + `gate passed: ${r.comparison.gate?.reason}\n` : ''}${model} ${o.alias}: ${moved}\n`);
      } catch (e) {
        if (e instanceof ApiCallError && e.code === 'promotion_refused' && !o.json) process.stdout.write(gateTable(e.details as Parameters<typeof gateTable>[0]));
        throw e;
      }
    }));
}

export function rollbackCommand(setCode: (c: number) => void): Command {
  return withApiOptions(new Command('rollback').argument('<model>').description('flip an alias (default production) back to its previous version'))
    .option('--alias <alias>', 'alias to roll back', 'production').requiredOption('--reason <text>', 'why (kept in the history)').option('--by <name>', 'who')
    .action(action(setCode, async (model: string, o: Opts) => {
      const r = await api<{ version: string; previous: string }>(o, 'POST', `/v1/models/${encodeURIComponent(model)}/rollback`, { alias: o.alias, reason: o.reason, ...(o.by && { by: o.by }) });
      print(o, r, () => `${model} ${o.alias}: ${r.previous} -> ${r.version} (rolled back)\n`);
    }));
}

export function rolloutCommand(setCode: (c: number) => void): Command {
  const ro = new Command('rollout').description('progressive rollouts (canary / shadow / blue-green)');
  addRolloutSpecOptions(withApiOptions(ro.command('start <model> <version>').description('start a progressive rollout of VERSION')))
    .requiredOption('--reason <text>', 'why (kept in the deployment history)').option('--by <name>', 'who (default: the API key\'s name)')
    .action(action(setCode, async (model: string, version: string, o: ApiOptions & RolloutSpecOptions & { reason: string; by?: string }) => {
      const body = { candidate: version, ...rolloutSpecBody(o), reason: o.reason, ...(o.by && { by: o.by }) };
      const r = await api<{ rollout: { id: string; weight: number } }>(o, 'POST', `/v1/models/${encodeURIComponent(model)}/rollout`, body);
      print(o, r, () => `rollout ${r.rollout.id} started: ${version} at ${r.rollout.weight}%\n`);
    }));
  withApiOptions(ro.command('status <model>').description('the current or last rollout')).action(action(setCode, async (model: string, o: ApiOptions) => {
    const r = await api<{ rollout: StatusView | null }>(o, 'GET', `/v1/models/${encodeURIComponent(model)}/rollout`);
    print(o, r, () => (r.rollout ? statusText(r.rollout) : 'no rollout\n'));
  }));
  addRolloutHistory(ro, setCode);
  for (const verb of ['pause', 'resume'] as const) {
    withApiOptions(ro.command(`${verb} <model>`).description(verb === 'pause' ? 'pause the running rollout: all traffic to the primary, no analysis' : 'resume the paused rollout (its step starts again)'))
      .option('--by <name>', 'who (default: the API key\'s name)')
      .action(action(setCode, async (model: string, o: ApiOptions & { by?: string }) => {
        const r = await api<{ rollout: StatusView; changed: boolean }>(o, 'POST', `/v1/models/${encodeURIComponent(model)}/rollout/${verb}`, { ...(o.by && { by: o.by }) });
        print(o, r, () => `rollout ${r.rollout.id} of ${model}: ${liveText(r.rollout)}${r.changed ? '' : ' (already; nothing changed)'}\n`);
      }));
  }
  withApiOptions(ro.command('abort <model>').description('roll the rollout back now (running, paused, or promoted within its bake period)'))
    .requiredOption('--reason <text>', 'why (kept in the history)').option('--by <name>', 'who (default: the API key\'s name)')
    .action(action(setCode, async (model: string, o: ApiOptions & { reason: string; by?: string }) => {
      const r = await api<{ rollout: RolloutView & { alias: string } }>(o, 'POST', `/v1/models/${encodeURIComponent(model)}/rollout/abort`, { reason: o.reason, ...(o.by && { by: o.by }) });
      const { id, alias, primary, candidate } = r.rollout;
      // The server leaves an alias moved by hand during the rollout where it is: "all traffic to PRIMARY" was then false.
      // (a key that cannot read the aliases, or a failed read, keeps the plain message: the abort itself went through)
      const read = o.json ? null : await api<{ aliases: Record<string, string> }>(o, 'GET', `/v1/models/${encodeURIComponent(model)}/aliases`).catch(() => null);
      const on = read ? read.aliases[alias] : primary;
      print(o, r, () => `rollout ${id} of ${model} aborted: ${candidate} rolled back, ${on === primary ? `all traffic to ${primary}` : `but "${alias}" is on ${on ?? '(unset)'}, not ${primary} (it was moved during the rollout and left as it is)`}\n`);
    }));
  return ro;
}

interface RolloutView { id: string; state: string; weight: number; primary: string; candidate: string }
interface StatusView extends RolloutView {
  policy: string;
  step: number;
  steps: number[];
  bakeMs: number;
  promotedAt: number | null;
  endedAt: number | null;
  endReason: string | null;
  lastError?: { at: number; message: string };
  blocked?: string;
}

const iso = (t: number): string => new Date(t).toISOString();

/** A running or paused rollout: a paused one sends no traffic to the candidate ("paused at 10%" read as 10% still on it). */
function liveText(r: StatusView): string {
  const step = `step ${r.step + 1} of ${r.steps.length}`;
  return r.state === 'paused' ? `paused at ${step} (${r.weight}% once resumed); all traffic to ${r.primary} meanwhile` : `${r.state} at ${r.weight}% (${step})`;
}

/**
 * A rollout as `rollout status` prints it: where it is, how it ended, and why its evaluations fail when they do. An
 * ended rollout names the step it was rolled back at (its weight is then 0: "rolled_back at 0%" read as the step it
 * failed at), when, and why (an abort's reason says who: "(by NAME)").
 */
function statusText(r: StatusView): string {
  const head = `${r.primary} -> ${r.candidate}: `;
  const lines: string[] = [];
  if (r.state === 'rolled_back') {
    const where = r.promotedAt !== null ? 'after its promotion (within its bake period)' : `at step ${r.step + 1} of ${r.steps.length} (${r.steps[r.step] ?? r.weight}% of traffic${r.policy === 'shadow' ? ' mirrored' : ''})`;
    lines.push(`${head}rolled back ${where}${r.endedAt !== null ? ` at ${iso(r.endedAt)}` : ''}`);
    if (r.endReason) lines.push(`why: ${r.endReason}`);
  } else if (r.state === 'promoted') {
    const watched = r.promotedAt !== null && r.bakeMs > 0 ? `; watched for SLO breaches until ${iso(r.promotedAt + r.bakeMs)}` : '';
    // a blue-green switch is promoted when it starts, with no analysis
    const how = r.policy === 'blue-green' ? 'blue-green switch' : r.steps.length === 1 ? 'its step passed' : `all ${r.steps.length} steps passed`;
    lines.push(`${head}promoted${r.promotedAt !== null ? ` at ${iso(r.promotedAt)}` : ''} (${how}${watched})`);
  } else {
    lines.push(`${head}${liveText(r)}`);
    // audit 29: "running at 10%" while the candidate, paused, got none of it
    if (r.blocked !== undefined) lines.push(`blocked: ${r.blocked}`);
  }
  // a rollout whose evaluation throws stays where it is: without this line it looks merely slow
  if (r.lastError) lines.push(`its evaluation is failing (last at ${iso(r.lastError.at)}): ${r.lastError.message}`);
  return `${lines.join('\n')}\n`;
}
