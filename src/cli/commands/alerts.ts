import { Command } from 'commander';
import type { AlertRecord } from '../../storage/alerts.js';
import { EXIT } from '../exit.js';
import { fmt, listTable, minuteTime } from '../format.js';
import { api, apiOptions, queryString, type ApiOptions } from '../http.js';
import { commandLine, writeMore } from '../more-hint.js';
import { terminalWidth } from '../width.js';
import { alertSummary } from './alert-summary.js';
import { parseInteger, parseModelName, parseNonEmpty } from '../parse.js';

type ListOpts = ApiOptions & { state: string; model?: string; activeFrom?: string; activeTo?: string; limit?: number; before?: string; json?: boolean };
/** The fewest terminal columns of an alert's summary, however narrow the terminal (the line wraps then). */
const SUMMARY_MIN = 40;

/** What an empty `alerts list` says: "no open alerts of model churn active from 2026-01-01 before a12". */
function noneListed(o: ListOpts): string {
  const active = o.activeFrom === undefined && o.activeTo === undefined ? ''
    : ` active${o.activeFrom === undefined ? '' : ` from ${o.activeFrom}`}${o.activeTo === undefined ? '' : ` until ${o.activeTo}`}`;
  return `no ${o.state === 'all' ? '' : `${o.state} `}alerts${o.model === undefined ? '' : ` of model ${o.model}`}${active}${o.before === undefined ? '' : ` before ${o.before}`}`;
}

/** Alerts counted by otherStates. */
const OTHERS_LIMIT = 1000;
/** An alert's states, in the order of its life. */
const STATES = ['open', 'acknowledged', 'resolved'];

/**
 * Of an empty list of one state, the alerts of the other states with the same filters, counted by state: "; 6 other
 * alerts: 6 resolved (lookout alerts list --state all)". A newcomer's `lookout alerts list` after `serve --demo`
 * answered "no open alerts" alone, while the demo's incidents were all there, resolved.
 */
async function otherStates(o: ListOpts): Promise<string> {
  if (o.state === 'all') return '';
  const q = queryString({ state: 'all', model: o.model, activeFrom: o.activeFrom, activeTo: o.activeTo, limit: String(OTHERS_LIMIT), before: o.before });
  const { alerts } = await api(o, 'GET', `/v1/alerts${q}`) as { alerts: AlertRecord[] };
  if (alerts.length === 0) return '';
  const byState = new Map<string, number>();
  for (const a of alerts) byState.set(a.state, (byState.get(a.state) ?? 0) + 1);
  const n = `${alerts.length}${alerts.length >= OTHERS_LIMIT ? '+' : ''}`;
  const all = commandLine('lookout alerts list', { state: 'all', model: o.model, 'active-from': o.activeFrom, 'active-to': o.activeTo, before: o.before });
  return `; ${n} other alert${alerts.length === 1 ? '' : 's'}: ${STATES.filter((st) => byState.has(st)).map((st) => `${byState.get(st)} ${st}`).join(', ')} (${all})`;
}

type ChangeOpts = ApiOptions & { by?: string; note?: string; json?: boolean };

/** `lookout alerts list|ack|resolve|false-positive`: the alert lifecycle through the HTTP API. */
export function alertsCommand(setCode: (c: number) => void): Command {
  const cmd = new Command('alerts').description('list alerts and acknowledge, resolve or mark them as false positives');
  const list = cmd.command('list').description('list alerts (newest first)')
    .option('--state <state>', 'open, acknowledged, resolved or all', parseNonEmpty, 'open')
    .option('--model <name>', 'only this model', parseModelName)
    .option('--active-from <time>', 'only alerts active at this time or later: open, acknowledged, or ended at or after it (epoch ms or ISO time)', parseNonEmpty)
    .option('--active-to <time>', 'only alerts active before this time: started before it (with --active-from: those active at some moment of the range)', parseNonEmpty)
    .option('--limit <n>', 'alerts to list (1 to 10000; default 1000)', parseInteger)
    .option('--before <id>', 'the page after this alert: those that started before it (the "more:" line)', parseNonEmpty)
    .option('--json', 'print JSON')
    .action(async (o: ListOpts) => {
      const { alerts, next } = await api(o, 'GET', `/v1/alerts${queryString({ state: o.state, model: o.model, activeFrom: o.activeFrom, activeTo: o.activeTo, limit: o.limit?.toString(), before: o.before })}`) as { alerts: AlertRecord[]; next: string | null };
      if (o.json) process.stdout.write(JSON.stringify(alerts, null, 2) + '\n');
      else {
        // `compared`: what the threshold is checked against. Of a baseline or rolling monitor that is the change from
        // the baseline (accuracy 0.5718 against the reference's 0.8444: a drop of 0.3228, over the 0.1 threshold), not
        // the observed value, which beside the threshold alone read as "0.5718 is not over 0.1". The summary (audit 24)
        // says what fired in words, last: cut to the terminal's width (whole when piped), `--json` has it all.
        const none = alerts.length === 0 ? noneListed(o) + await otherStates(o) : '';
        process.stdout.write(listTable(none, ['id', 'state', 'severity', 'model', 'monitor', 'metric', 'observed', 'baseline', 'compared', 'threshold', 'since', 'flags', 'summary'], alerts.map((a) => [
          a.id, a.state, a.severity, a.model, a.monitorId, String(a.context['metric'] ?? ''), fmt(a.context['observed'] as number | null),
          fmt(a.context['baseline'] as number | null), fmt(a.context['compared'] as number | null), fmt(a.context['threshold'] as number | null),
          minuteTime(a.startsAt), [a.falsePositive && 'false-positive', a.silenced && 'silenced', a.inhibited && 'inhibited'].filter(Boolean).join(','),
          alertSummary(a),
        ]), { width: terminalWidth(), min: SUMMARY_MIN }));
      }
      writeMore('lookout alerts list', { state: o.state, model: o.model, 'active-from': o.activeFrom, 'active-to': o.activeTo, limit: o.limit }, 'before', next, o.json);
      setCode(EXIT.ok);
    });
  for (const o of apiOptions('read')) list.addOption(o);
  const verbs: Array<[string, string, string]> = [
    ['ack', 'ack', 'acknowledge an alert (it stays open until resolved, but is not repeated)'],
    ['resolve', 'resolve', 'resolve an alert by hand'],
    ['false-positive', 'false-positive', 'mark an alert as a false positive (resolving it); counted in the monitor stats'],
  ];
  for (const [name, path, description] of verbs) {
    const sub = cmd.command(`${name} <id>`).description(description)
      .option('--by <name>', 'who (default: the API key name)')
      .option('--note <text>', 'a note kept with the alert')
      .option('--json', 'print JSON')
      .action(async (id: string, o: ChangeOpts) => {
        const { alert } = await api(o, 'POST', `/v1/alerts/${encodeURIComponent(id)}/${path}`, { ...(o.by && { by: o.by }), ...(o.note && { note: o.note }) }) as { alert: AlertRecord };
        process.stdout.write(o.json ? JSON.stringify(alert, null, 2) + '\n' : `alert ${alert.id}: ${alert.state}${alert.falsePositive ? ' (false positive)' : ''}\n`);
        setCode(EXIT.ok);
      });
    for (const opt of apiOptions()) sub.addOption(opt);
  }
  return cmd;
}
