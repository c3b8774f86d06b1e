import { checkMatcher, type Matcher } from '../core/rules/matchers.js';
import { checkTimeWindow } from '../core/rules/time-window.js';
import { parseDuration } from '../monitors/duration.js';
import type { ActionSettings } from './actions/runner.js';
import type { NotifierConfig } from './notifiers/types.js';
import { DEFAULT_PIPELINE, type InhibitRule, type MuteTimeWindow, type PipelineSettings } from './types.js';

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
  return x.map((m) => {
    checkMatcher(m as Matcher);
    return m as Matcher;
  });
}

const dur = (o: Obj, k: string, d: number): number => (o[k] === undefined ? d : parseDuration(o[k], `alerting.${k}`));

/** The `alerting:` section of lookout.yaml (all optional), checked with readable errors. */
export function parseAlertingSettings(raw: unknown): AlertingSettings {
  const o: Obj = isObj(raw) ? raw : {};
  const inhibitRules: InhibitRule[] = o['inhibitRules'] === undefined ? DEFAULT_PIPELINE.inhibitRules : (o['inhibitRules'] as unknown[]).map((r, i) => {
    if (!isObj(r)) throw new Error(`alerting.inhibitRules[${i}] must be an object`);
    const equal = r['equal'] ?? ['model'];
    if (!Array.isArray(equal) || !equal.every((e) => typeof e === 'string')) throw new Error(`alerting.inhibitRules[${i}].equal must be a list of label names`);
    return { source: matchers(r['source'], `alerting.inhibitRules[${i}].source`), target: matchers(r['target'], `alerting.inhibitRules[${i}].target`), equal: equal as string[] };
  });
  const timeWindows = ((o['timeWindows'] ?? []) as unknown[]).map((w, i) => {
    if (!isObj(w)) throw new Error(`alerting.timeWindows[${i}] must be an object`);
    const tw = { ...w, matchers: matchers(w['matchers'], `alerting.timeWindows[${i}].matchers`) } as MuteTimeWindow;
    if (typeof w['startsAt'] === 'string') tw.startsAt = Date.parse(w['startsAt']);
    if (typeof w['endsAt'] === 'string') tw.endsAt = Date.parse(w['endsAt']);
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
  const a: Obj = isObj(o['actions']) ? o['actions'] : {};
  const actions: ActionSettings = {};
  if (isObj(a['retrain'])) {
    const r = a['retrain'];
    if (r['url'] === undefined && r['command'] === undefined) throw new Error('alerting.actions.retrain needs a "url" (webhook) or a "command" (argv list)');
    actions.retrain = {
      ...(typeof r['url'] === 'string' && { url: r['url'] }), ...(typeof r['secret'] === 'string' && { secret: r['secret'] }),
      ...(Array.isArray(r['command']) && { command: r['command'] as string[] }),
      cooldownMs: dur(r, 'cooldown', 6 * 3_600_000), approval: r['approval'] === true,
    };
  }
  const rb: Obj = isObj(a['rollback']) ? a['rollback'] : {};
  actions.rollback = { cooldownMs: dur(rb, 'cooldown', 3_600_000), approval: rb['approval'] === true };
  return {
    pipeline: {
      groupBy: groupBy as string[], groupWaitMs: dur(o, 'groupWait', DEFAULT_PIPELINE.groupWaitMs), groupIntervalMs: dur(o, 'groupInterval', DEFAULT_PIPELINE.groupIntervalMs),
      repeatIntervalMs: dur(o, 'repeatInterval', DEFAULT_PIPELINE.repeatIntervalMs), inhibitRules, timeWindows,
      dashboardUrl,
    },
    notifiers, actions, evaluationIntervalMs: dur(o, 'evaluationInterval', 30_000),
  };
}
