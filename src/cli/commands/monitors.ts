import { Command } from 'commander';
import { segmentSuffix } from '../../alerting/segment-text.js';
import type { EvaluationRecord } from '../../storage/alerts.js';
import { EXIT } from '../exit.js';
import { fmt, listTable, minuteTime } from '../format.js';
import { parseModelName, parseNonEmpty } from '../parse.js';
import { api, apiOptions, queryString as query, type ApiOptions } from '../http.js';

type ListOpts = ApiOptions & { model?: string; json?: boolean };
type EvaluationsOpts = ApiOptions & { from?: string; to?: string; json?: boolean };
type RunOpts = ApiOptions & { json?: boolean };

/**
 * A monitor as GET /v1/monitors answers it: its definition, its last evaluation (with the alert state) and problem. A
 * stored definition this release does not accept (its `problem`) is shown as stored: any field may be missing.
 */
interface MonitorView {
  id: string;
  model?: string;
  metric?: string;
  window?: string;
  version?: string;
  /** Canonical segment key ("region=eu"); absent for all traffic. */
  segment?: string;
  enabled?: boolean;
  last: { at: number; status: string; value: number | null; threshold: number | null; state?: string } | null;
  problem: { code: string; message: string } | null;
  /** What is wrong though it is evaluated (a level that can never be the verdict); absent from servers before audit 24. */
  warnings?: string[];
}

/**
 * `lookout monitors list|evaluations|run`: the monitors of a running server, each with its last evaluation; a
 * monitor's (or SLO's) stored evaluations over a range; an evaluation round now. Monitors are declared in lookout.yaml
 * or with POST /v1/monitors (docs/alerting.md); this is the on-call view of them, through the HTTP API.
 */
export function monitorsCommand(setCode: (c: number) => void): Command {
  const cmd = new Command('monitors').description('list monitors with their last evaluation, show a monitor\'s evaluations, run an evaluation round');
  const list = cmd.command('list').description('list monitors (of a model with --model): the last evaluation and the alert state of each')
    .option('--model <name>', 'only this model', parseModelName)
    .option('--json', 'print JSON')
    .action(async (o: ListOpts) => {
      const { monitors } = await api(o, 'GET', `/v1/monitors${query({ model: o.model })}`) as { monitors: MonitorView[] };
      if (o.json) process.stdout.write(JSON.stringify(monitors, null, 2) + '\n');
      else {
        // nothing to list: a line saying so (audit 24), as the other lists say since audit 23, not a header alone;
        // a segment monitor's metric is followed by its segment (audit 28: it read as the all-traffic monitor's)
        process.stdout.write(listTable(`no monitors${o.model === undefined ? '' : ` of model ${o.model}`}`, ['id', 'model', 'metric', 'window', 'last', 'status', 'value', 'threshold', 'alert', 'note'], monitors.map((m) => [
          m.id, `${m.model ?? '-'}${m.version ? `@${m.version}` : ''}`, `${m.metric ?? '-'}${segmentSuffix({ segment: m.segment ?? '' })}`, m.window ?? '-', m.last ? minuteTime(m.last.at) : '-', m.last?.status ?? '-',
          fmt(m.last?.value), fmt(m.last?.threshold), m.last?.state ?? '-', m.problem ? `${m.problem.code}: ${m.problem.message}` : m.warnings?.[0] !== undefined ? `warning: ${m.warnings[0]}` : m.enabled === false ? 'disabled' : '',
        ])));
      }
      setCode(EXIT.ok);
    });
  const evaluations = cmd.command('evaluations <id>').description('the stored evaluations of a monitor or SLO, oldest first (default: the last 7 days)')
    .option('--from <time>', 'range start: epoch ms or ISO time', parseNonEmpty)
    .option('--to <time>', 'range end: epoch ms or ISO time', parseNonEmpty)
    .option('--json', 'print JSON')
    .action(async (id: string, o: EvaluationsOpts) => {
      // the whole range: the API answers up to 10,000 a page (an SLO's week), `next` the `from` of the rest
      const list: EvaluationRecord[] = [];
      // (without --to, each page's range ends at the server's now: the later pages may take evaluations made meanwhile)
      for (let from = o.from; ;) {
        const page = await api(o, 'GET', `/v1/monitors/${encodeURIComponent(id)}/evaluations${query({ from, to: o.to })}`) as { evaluations: EvaluationRecord[]; next: number | null };
        list.push(...page.evaluations);
        if (page.next === null) break;
        from = String(page.next);
      }
      if (o.json) process.stdout.write(JSON.stringify(list, null, 2) + '\n');
      else {
        process.stdout.write(listTable(`no evaluations of ${id} in the range`, ['at', 'status', 'value', 'baseline', 'threshold', 'samples'], list.map((e) => [
          minuteTime(e.at), e.status, fmt(e.value), fmt(e.baseline), fmt(e.threshold), String(e.samples),
        ])));
      }
      setCode(EXIT.ok);
    });
  const run = cmd.command('run').description('run an evaluation round now (admin): every window closed since, and the notifications due')
    .option('--json', 'print JSON')
    .action(async (o: RunOpts) => {
      const { tick } = await api(o, 'POST', '/v1/monitors/run', {}) as { tick: Record<string, number> };
      const said = `evaluated ${tick['evaluated'] ?? 0}, alerts changed ${tick['alertsChanged'] ?? 0}, groups notified ${tick['groupsNotified'] ?? 0}\n`;
      process.stdout.write(o.json ? JSON.stringify(tick, null, 2) + '\n' : said);
      setCode(EXIT.ok);
    });
  for (const sub of [list, evaluations, run]) for (const opt of apiOptions(sub === run ? 'admin' : 'read')) sub.addOption(opt);
  return cmd;
}
