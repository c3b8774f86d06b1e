import { SEVERITIES } from '../../core/rules/types.js';
import { checkMatcher } from '../../core/rules/matchers.js';
import { parseDuration } from '../../monitors/duration.js';
import { ALERTMANAGER_DEFAULTS, alertmanagerNotifier } from './alertmanager/alertmanager.js';
import { commandNotifier } from './command/command.js';
import { slackNotifier } from './slack/slack.js';
import type { Notifier, NotifierConfig, NotifierFactory } from './types.js';
import { webhookNotifier } from './webhook/webhook.js';

const kinds = new Map<string, { factory: NotifierFactory; defaults: Partial<NotifierConfig> }>();

/** Registers a notifier kind under a stable id (plugins call this), with defaults for its config (e.g. resendInterval). */
export function registerNotifierKind(kind: string, factory: NotifierFactory, defaults: Partial<NotifierConfig> = {}): void {
  if (kinds.has(kind)) throw new Error(`notifier kind "${kind}" is already registered`);
  kinds.set(kind, { factory, defaults });
}

export function knownNotifierKinds(): string[] {
  return [...kinds.keys()].sort();
}

/** A notifier from its config; unknown kinds and bad settings fail with a readable message. */
export function createNotifier(config: NotifierConfig): Notifier {
  if (typeof config.id !== 'string' || config.id === '') throw new Error('every notifier needs an "id"');
  const kind = kinds.get(config.kind);
  if (!kind) throw new Error(`notifier "${config.id}": unknown kind "${String(config.kind)}"; known kinds: ${knownNotifierKinds().join(', ')}`);
  for (const m of config.matchers ?? []) checkMatcher(m);
  if (config.minSeverity !== undefined && !SEVERITIES.includes(config.minSeverity)) throw new Error(`notifier "${config.id}": minSeverity must be one of ${SEVERITIES.join(', ')}`);
  const send = kind.factory(config);
  const full = { sendResolved: true, retries: 3, backoffMs: 500, timeoutMs: 10_000, ...kind.defaults, ...config };
  const resendMs = full.resendInterval === undefined ? undefined : parseDuration(full.resendInterval, `notifier "${config.id}": resendInterval`);
  if (resendMs === 0) throw new Error(`notifier "${config.id}": resendInterval must be more than 0`);
  return { config: full, send: (p) => send(p, full.timeoutMs), ...(resendMs !== undefined && { resendMs }) };
}

registerNotifierKind('webhook', webhookNotifier);
registerNotifierKind('slack', slackNotifier);
registerNotifierKind('alertmanager', alertmanagerNotifier, ALERTMANAGER_DEFAULTS);
registerNotifierKind('command', commandNotifier);
