import { declaredTwice } from '../config-duplicates.js';
import { checkMatcher, type Matcher } from '../core/rules/matchers.js';
import { checkTimeWindow } from '../core/rules/time-window.js';
import { parseDuration } from '../monitors/duration.js';
import { parseTime } from '../http/params.js';
import type { ActionSettings } from './actions/runner.js';
import { argv, httpUrl, text } from './notifiers/keys.js';
import type { NotifierConfig } from './notifiers/types.js';
import { DEFAULT_PIPELINE, type InhibitRule, type MuteTimeWindow, type PipelineSettings } from './types.js';
import { firstUnknown, knownKeys } from '../core/text/closest.js';

export interface AlertingSettings {
  pipeline: PipelineSettings;
  notifiers: NotifierConfig[];
  actions: ActionSettings;
  /** How often the schedule runs (real time); 0 = never by itself (tests tick by hand). */
  evaluationIntervalMs: number;
}

type Obj = Record<string, unknown>;
const isObj = (x: unknown): x is Obj => typeof x === 'object' && x !== null && !Array.isArray(x);

function matchers(x: unknown, where: string): Matcher[] {
  if (x === undefined) return [];
  if (!Array.isArray(x)) throw new Error(`${where} must be a list of {name, value, isRegex?}`);
  return x.map((m, i) => {
    try {
      checkMatcher(m as Matcher);
    } catch (e) {
      throw new Error(`${where}[${i}]: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
    }
    return m as Matcher;
  });
}

/** Refuses a key the section does not know: a typo (actions.retrian, cooldwon) was silently ignored, its setting lost. */
function onlyKnown(o: Obj, known: readonly string[], where: string): void {
  const extra = firstUnknown(o, known);
  if (extra !== undefined) throw new Error(`${where}.${extra.slice(0, 100)} is unknown ${knownKeys(extra, known)}`);
}

/** A sub-section: absent (undefined), else an object of known keys. */
function section(x: unknown, known: readonly string[], where: string): Obj | undefined {
  if (x === undefined) return undefined;
  if (!isObj(x)) throw new Error(`${where} must be an object`);
  onlyKnown(x, known, where);
  return x;
}

function list(x: unknown, where: string): unknown[] {
  if (x === undefined) return [];
  if (!Array.isArray(x)) throw new Error(`${where} must be a list`);
  return x;
}

function approval(o: Obj, where: string): boolean {
  const a = o['approval'];
  if (a !== undefined && typeof a !== 'boolean') throw new Error(`${where}.approval must be true or false (got ${JSON.stringify(a)?.slice(0, 40)})`);
  return a === true;
}

export const ALERTING_KEYS = ['groupBy', 'groupWait', 'groupInterval', 'repeatInterval', 'evaluationInterval', 'inhibitRules', 'timeWindows', 'dashboardUrl', 'notifiers', 'actions'];

/** A duration of the section at `where` (its key path in the config, named by the error), `d` when absent. */
const dur = (o: Obj, k: string, d: number, where = 'alerting'): number => (o[k] === undefined ? d : parseDuration(o[k], `${where}.${k}`));

/** At most 24 days: a longer interval does not fit a Node timer, which then fires every millisecond. */
const MAX_EVALUATION_INTERVAL_MS = 24 * 86_400_000;

function evaluationInterval(o: Obj): number {
  const ms = dur(o, 'evaluationInterval', 30_000);
  if (ms > MAX_EVALUATION_INTERVAL_MS) throw new Error(`alerting.evaluationInterval must be at most 24d (got ${JSON.stringify(o['evaluationInterval'])?.slice(0, 40)})`);
  return ms;
}

/**
 * An absolute time window's start or end: epoch milliseconds, or ISO-8601 as queries and silences take it (no zone: UTC).
 * Date.parse read a time without a zone in the server's time zone (10:00 was 15:00Z under TZ=America/New_York: the
 * window muted the wrong hours), took free text ("Feb 1 2026 10:00") and rolled 2026-02-30 into March.
 */
function windowTime(v: unknown, where: string): number {
  let t: number | undefined;
  try {
    t = typeof v === 'number' && Number.isFinite(v) ? v : typeof v === 'string' ? parseTime(v, where) : undefined;
  } catch {
    t = undefined;
  }
  if (t === undefined) throw new Error(`${where} must be epoch milliseconds or an ISO-8601 time such as "2026-02-01T10:00:00Z" (no zone: UTC), got ${JSON.stringify(v)?.slice(0, 60)}`);
  return t;
}

/** The `alerting:` section of lookout.yaml (all optional), checked with readable errors. */
export function parseAlertingSettings(raw: unknown): AlertingSettings {
  const o: Obj = raw === undefined || raw === null ? {} : section(raw, ALERTING_KEYS, 'alerting') as Obj;
  const inhibitRules: InhibitRule[] = o['inhibitRules'] === undefined ? DEFAULT_PIPELINE.inhibitRules : list(o['inhibitRules'], 'alerting.inhibitRules').map((r, i) => {
    if (!isObj(r)) throw new Error(`alerting.inhibitRules[${i}] must be an object`);
    onlyKnown(r, ['source', 'target', 'equal'], `alerting.inhibitRules[${i}]`);
    const equal = r['equal'] ?? ['model'];
    if (!Array.isArray(equal) || !equal.every((e) => typeof e === 'string')) throw new Error(`alerting.inhibitRules[${i}].equal must be a list of label names`);
    return { source: matchers(r['source'], `alerting.inhibitRules[${i}].source`), target: matchers(r['target'], `alerting.inhibitRules[${i}].target`), equal: equal as string[] };
  });
  const timeWindows = list(o['timeWindows'], 'alerting.timeWindows').map((w, i) => {
    if (!isObj(w)) throw new Error(`alerting.timeWindows[${i}] must be an object`);
    onlyKnown(w, ['name', 'startsAt', 'endsAt', 'weekdays', 'startTime', 'endTime', 'matchers'], `alerting.timeWindows[${i}]`);
    const tw = { ...w, matchers: matchers(w['matchers'], `alerting.timeWindows[${i}].matchers`) } as MuteTimeWindow;
    for (const k of ['startsAt', 'endsAt'] as const) if (w[k] !== undefined) tw[k] = windowTime(w[k], `alerting.timeWindows[${i}].${k}`);
    checkTimeWindow(tw);
    return tw;
  });
  const dashboardUrl = o['dashboardUrl'] ?? '';
  if (typeof dashboardUrl !== 'string' || (dashboardUrl !== '' && !/^https?:\/\/[^/\s]+/.test(dashboardUrl))) {
    throw new Error(`alerting.dashboardUrl must be an absolute http(s) URL, the base of the dashboard links in notifications (e.g. https://lookout.example.com), got ${JSON.stringify(dashboardUrl)?.slice(0, 60)}`);
  }
  const groupBy = o['groupBy'] ?? DEFAULT_PIPELINE.groupBy;
  if (!Array.isArray(groupBy) || !groupBy.every((g) => typeof g === 'string')) throw new Error('alerting.groupBy must be a list of label names');
  const notifiers = (o['notifiers'] ?? []) as NotifierConfig[];
  if (!Array.isArray(notifiers)) throw new Error('alerting.notifiers must be a list');
  // two notifiers of one id share their resend state and their lines of the notification log
  const twice = declaredTwice(notifiers, 'id', 'alerting.notifiers');
  if (twice !== undefined) throw new Error(twice);
  const a: Obj = section(o['actions'], ['retrain', 'rollback'], 'alerting.actions') ?? {};
  const actions: ActionSettings = {};
  const r = section(a['retrain'], ['url', 'secret', 'command', 'cooldown', 'approval'], 'alerting.actions.retrain');
  if (r) {
    if (r['url'] === undefined && r['command'] === undefined) throw new Error('alerting.actions.retrain needs a "url" (webhook) or a "command" (argv list)');
    // a value of the wrong type was dropped: the action ran nothing (or unsigned) and still counted as done
    for (const [k, check] of [['url', httpUrl], ['secret', text], ['command', argv]] as const) {
      const wrong = r[k] === undefined ? undefined : check(r[k]);
      if (wrong !== undefined) throw new Error(`alerting.actions.retrain.${k} ${wrong}`);
    }
    actions.retrain = {
      ...(typeof r['url'] === 'string' && { url: r['url'] }), ...(typeof r['secret'] === 'string' && { secret: r['secret'] }),
      ...(Array.isArray(r['command']) && { command: r['command'] as string[] }),
      cooldownMs: dur(r, 'cooldown', 6 * 3_600_000, 'alerting.actions.retrain'), approval: approval(r, 'alerting.actions.retrain'),
    };
  }
  const rb: Obj = section(a['rollback'], ['cooldown', 'approval'], 'alerting.actions.rollback') ?? {};
  actions.rollback = { cooldownMs: dur(rb, 'cooldown', 3_600_000, 'alerting.actions.rollback'), approval: approval(rb, 'alerting.actions.rollback') };
  return {
    pipeline: {
      groupBy: groupBy as string[], groupWaitMs: dur(o, 'groupWait', DEFAULT_PIPELINE.groupWaitMs), groupIntervalMs: dur(o, 'groupInterval', DEFAULT_PIPELINE.groupIntervalMs),
      repeatIntervalMs: dur(o, 'repeatInterval', DEFAULT_PIPELINE.repeatIntervalMs), inhibitRules, timeWindows,
      dashboardUrl,
    },
    notifiers, actions, evaluationIntervalMs: evaluationInterval(o),
  };
}
