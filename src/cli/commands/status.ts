import { Command, InvalidArgumentError, Option } from 'commander';
import type { AlertRecord } from '../../storage/alerts.js';
import { EXIT } from '../exit.js';
import { minuteTime, table } from '../format.js';
import { api, apiOptions, type ApiOptions } from '../http.js';
import { parseList, parseModelName, parseNonEmpty, parseNumber } from '../parse.js';
import { parseCliDuration } from './rollout-options.js';
import { segmentQueryParam, segmentsOverlap } from '../../monitoring/segment-match.js';
import { FAIL_ON, findings, notMeasured, statusCells, statusHeader, type FailOn, type Finding, type OverviewRow } from './status-rows.js';

type Opts = ApiOptions & { model?: string; segment?: string; last?: number; from?: string; to?: string; quality?: boolean; json?: boolean; failOn?: FailOn[]; maxErrorRate: number };

/** The most alerts GET /v1/alerts answers at once: more open ones than this are reported as a lower bound. */
const ALERT_LIMIT = 10_000;

const HELP = `
Reads GET /v1/overview (every page) and the open and acknowledged alerts (GET /v1/alerts) of a running server and
prints one row per model version: events, error rate, latency p95, drift against the version's reference (drifted
features / features compared, their share, "drift!" at dataset drift; "no reference" without one; ", 1 not measured"
when the reference lacks a feature's column, named under the table), with --quality the
realized headline metric (accuracy; MAE of a regression) or else the estimated accuracy, and the open alerts (count and
worst severity; silenced or inhibited ones shown as "muted"). An alert that names no version counts on every version of
its model.

--segment region=eu,tier=gold (as the API's ?segment= takes it): the figures of that segment only (GET /v1/overview
?segment=); models that do not declare its keys have no row (with --model, such a model is refused, exit 2). The
alerts counted are those of monitors of the whole traffic and of segments overlapping it (region=eu counts a monitor
of region=eu&tier=gold, of tier=gold or of no segment, not one of region=us).

Range: the server's default (the last 24 h) unless --last, or --from/--to (epoch ms or ISO-8601 as the API takes them;
no zone: UTC), are given.

--fail-on drift,alerts,errors,labels: exit 1 when a version has dataset drift (drift), an open or acknowledged alert
that is neither silenced nor inhibited (alerts), an error rate above --max-error-rate (errors), or label drift (labels:
the range's labels against the reference's, GET /performance's labelDrift; "labels drift!" in the quality column with
--quality). Without --fail-on the exit
code is 0 whenever the server answered; 2 for an unreachable server, a refused key or a bad option.

Examples:
  lookout status
  lookout status --model churn --last 1h --quality
  lookout status --segment region=eu --fail-on alerts,errors
  lookout status --fail-on drift,alerts --json
`;

function parseFailOn(v: string): FailOn[] {
  const list = parseList(v);
  const bad = list.filter((s) => !(FAIL_ON as readonly string[]).includes(s));
  if (bad.length) throw new InvalidArgumentError(`unknown item ${bad.map((b) => `"${b}"`).join(', ')}; --fail-on takes ${FAIL_ON.join(', ')} (comma-separated)`);
  return list as FailOn[];
}

function parseRate(v: string): number {
  const x = parseNumber(v);
  if (!(x >= 0 && x <= 1)) throw new InvalidArgumentError(`"${v}" is not an error rate: a share from 0 to 1 (0.05 is 5%).`);
  return x;
}

function parseLast(v: string): number {
  const ms = parseCliDuration(v);
  if (!(ms > 0)) throw new InvalidArgumentError(`"${v}" is not a duration longer than 0.`);
  return ms;
}

/** `lookout status`: is any model unwell right now? One row per model version, from a running server. */
export function statusCommand(setCode: (c: number) => void): Command {
  const cmd = new Command('status')
    .description('one row per model version: traffic, errors, latency, drift, quality and open alerts (talks to a running server: --url, --api-key)')
    .option('--model <name>', 'only this model', parseModelName)
    .option('--segment <segment>', 'only the figures of this segment, e.g. region=eu,tier=gold (keys joined by ",", as the API\'s ?segment=)', parseNonEmpty)
    .addOption(new Option('--last <duration>', 'the range up to now, e.g. 1h, 24h, 7d (default: the server\'s, the last 24 h)').argParser(parseLast).conflicts(['from', 'to']))
    .option('--from <time>', 'range start: epoch ms or ISO time', parseNonEmpty)
    .option('--to <time>', 'range end: epoch ms or ISO time (default now)', parseNonEmpty)
    .option('--quality', 'also the realized (or estimated) headline metric: accuracy, MAE of a regression (slower: labels are joined)')
    .option('--fail-on <list>', `exit 1 when any version is unwell by one of: ${FAIL_ON.join(', ')} (comma-separated)`, parseFailOn)
    .option('--max-error-rate <share>', 'the highest error rate that is well, for --fail-on errors (0 to 1)', parseRate, 0.05)
    .option('--json', 'print one JSON object: the range, the overview rows, the open alerts and what --fail-on found')
    .addHelpText('after', HELP)
    .action(async (o: Opts) => {
      // an unknown model is the server's 404 (a model without versions has no row: it is not unknown)
      if (o.model !== undefined) await api(o, 'GET', `/v1/models/${encodeURIComponent(o.model)}`);
      // the model's own refusal of the segment (a key it does not declare: its segment keys), not an empty answer
      if (o.model !== undefined && o.segment !== undefined) await api(o, 'GET', `/v1/models/${encodeURIComponent(o.model)}/segments?${new URLSearchParams({ segment: o.segment }).toString()}`);
      const [overview, all] = await Promise.all([everyRow(o, await range(o)), openAlerts(o)]);
      const rows = o.model === undefined ? overview.rows : overview.rows.filter((r) => r.model === o.model);
      const alerts = o.segment === undefined ? all : segmentAlerts(all, rows, overview.segment ?? '');
      const failOn = o.failOn ?? [];
      const found = findings(rows, alerts.list, failOn, o.maxErrorRate);
      if (o.json) {
        const out = { ...(o.segment !== undefined && { segment: overview.segment }), from: overview.from, to: overview.to, rows, alerts: alerts.list, alertsTruncated: alerts.truncated, failOn, maxErrorRate: o.maxErrorRate, findings: found };
        process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
      } else {
        process.stdout.write(human(o, overview, rows, alerts, found));
      }
      setCode(found.length > 0 ? EXIT.unwell : EXIT.ok);
    });
  for (const opt of apiOptions('read')) cmd.addOption(opt);
  return cmd;
}

/** The from/to to ask for: --last counts back from the server's clock (its /healthz time), not this machine's. */
async function range(o: Opts): Promise<Record<string, string>> {
  if (o.last !== undefined) {
    const health = await api(o, 'GET', '/healthz');
    const now = typeof health['time'] === 'number' ? health['time'] : Date.now();
    return { from: String(now - o.last), to: String(now) };
  }
  return { ...(o.from !== undefined && { from: o.from }), ...(o.to !== undefined && { to: o.to }) };
}

interface Overview {
  /** The segment filter as the server read it (a stored segment key); absent from servers before audit 21. */
  segment?: string;
  from: number;
  to: number;
  rows: OverviewRow[];
}

/**
 * Every page of GET /v1/overview (following `next`; a page of models without versions has no rows but may have a
 * next one). The first page's range (the server's `requested` from/to, its default filled in) is asked of the next
 * ones: every row of the answer covers the same range. --model's model (known to exist) is the first of the names
 * starting with it: one page of one model, without computing the figures of the others of that prefix.
 */
async function everyRow(o: Opts, q: Record<string, string>): Promise<Overview> {
  const rows: OverviewRow[] = [];
  // label drift is of the labelled events, as the quality column: --fail-on labels asks for them too
  const performance = o.quality === true || (o.failOn ?? []).includes('labels');
  let query: Record<string, string> = { ...q, ...(o.model !== undefined && { prefix: o.model, limit: '1' }), ...(performance && { performance: 'true' }), ...(o.segment !== undefined && { segment: o.segment }) };
  let first: { segment?: string; from: number; to: number } | undefined;
  for (;;) {
    const r = await api(o, 'GET', `/v1/overview?${new URLSearchParams(query).toString()}`) as unknown as Overview & { requested: { from: number; to: number }; next: string | null };
    first ??= { ...(r.segment !== undefined && { segment: r.segment }), from: r.from, to: r.to };
    rows.push(...r.rows);
    if (!r.next || o.model !== undefined) return { ...first, rows };
    query = { ...query, from: String(r.requested.from), to: String(r.requested.to), after: r.next };
  }
}

interface Alerts {
  list: AlertRecord[];
  /** A state has more than ALERT_LIMIT alerts (its answer's `next`). */
  truncated: boolean;
}

/**
 * With --segment: the alerts of the rows' models whose monitor measures the whole traffic or a segment overlapping
 * `segment` (an alert's `segment` label is the canonical key since audit 21). Alerts of models without a row (they do
 * not declare the segment's keys) are not the segment's.
 */
function segmentAlerts(alerts: Alerts, rows: readonly OverviewRow[], segment: string): Alerts {
  const models = new Set(rows.map((r) => r.model));
  return { ...alerts, list: alerts.list.filter((a) => models.has(a.model) && (a.labels['segment'] === undefined || segmentsOverlap(a.labels['segment'], segment))) };
}

/** The open and the acknowledged alerts (of --model's model), newest first. */
async function openAlerts(o: Opts): Promise<Alerts> {
  const ask = (state: string) => api(o, 'GET', `/v1/alerts?${new URLSearchParams({ state, limit: String(ALERT_LIMIT), ...(o.model !== undefined && { model: o.model }) }).toString()}`) as Promise<{ alerts: AlertRecord[]; next: string | null }>;
  const [open, acked] = await Promise.all([ask('open'), ask('acknowledged')]);
  const list = [...open.alerts, ...acked.alerts].sort((a, b) => b.startsAt - a.startsAt);
  return { list, truncated: open.next !== null || acked.next !== null };
}

function human(o: Opts, overview: Overview, rows: OverviewRow[], alerts: Alerts, found: Finding[]): string {
  const lines: string[] = [];
  lines.push(`range ${minuteTime(overview.from)} to ${minuteTime(overview.to)}`);
  if (o.segment !== undefined) lines.push(`segment ${segmentQueryParam(overview.segment ?? '')} (models without its keys have no row; alerts of the whole traffic and of segments overlapping it)`);
  lines.push(rows.length === 0 ? (o.model !== undefined ? `model ${o.model} has no versions` : 'no models') : table(statusHeader(o.quality === true), rows.map((r) => statusCells(r, alerts.list, o.quality === true))).trimEnd());
  lines.push(...notMeasured(rows));
  const shown = new Set(rows.map((r) => r.model));
  const elsewhere = alerts.list.filter((a) => !shown.has(a.model));
  if (elsewhere.length > 0) lines.push(`${elsewhere.length} open alert${elsewhere.length === 1 ? '' : 's'} of models without a row: ${[...new Set(elsewhere.map((a) => a.model))].join(', ')} (lookout alerts list)`);
  if (alerts.truncated) lines.push(`more than ${ALERT_LIMIT} open alerts: counts are of the newest ${ALERT_LIMIT} of each state`);
  if (o.failOn !== undefined) {
    lines.push(found.length === 0 ? `well (--fail-on ${o.failOn.join(',')})` : `unwell (--fail-on ${o.failOn.join(',')}):`);
    for (const f of found) lines.push(`  ${f.model} ${f.version}: ${f.detail}`);
  }
  return `${lines.join('\n')}\n`;
}
