import { parseDuration } from '../../monitors/duration.js';
import { ALERTMANAGER_DEFAULTS, alertmanagerNotifier } from './alertmanager/alertmanager.js';
import { commandNotifier } from './command/command.js';
import { argv, checkNotifierKeys, httpUrl, text, type KeyCheck } from './keys.js';
import { slackNotifier } from './slack/slack.js';
import type { Notifier, NotifierConfig, NotifierFactory } from './types.js';
import { webhookNotifier } from './webhook/webhook.js';
import { didYouMean } from '../../core/text/closest.js';

interface Kind {
  factory: NotifierFactory;
  /** The kind's own keys and their checks (the keys every notifier takes are in keys.ts). */
  keys: Readonly<Record<string, KeyCheck>>;
  /** Defaults for its config (e.g. resendInterval). */
  defaults?: Partial<NotifierConfig>;
}

const kinds = new Map<string, Kind>();

/** Registers a notifier kind under a stable id (plugins call this), with the keys it takes. */
export function registerNotifierKind(kind: string, k: Kind): void {
  if (kinds.has(kind)) throw new Error(`notifier kind "${kind}" is already registered`);
  kinds.set(kind, k);
}

export function knownNotifierKinds(): string[] {
  return [...kinds.keys()].sort();
}

/**
 * A notifier from its config; unknown kinds, keys the kind does not take and bad settings fail with a readable message
 * naming the key as `where.key` (where: its place in the config, e.g. alerting.notifiers[0]).
 */
export function createNotifier(config: NotifierConfig, at?: string): Notifier {
  if (typeof config !== 'object' || config === null || Array.isArray(config)) throw new Error(`${at ?? 'a notifier'} must be an object {id, kind, ...}`);
  // which one: a list of several had no way to tell (the notification log and /metrics name a notifier by its id)
  if (typeof config.id !== 'string' || config.id === '') throw new Error(`${at ?? 'a notifier'} needs an "id" (a non-empty string; got ${JSON.stringify(config.id)?.slice(0, 40) ?? 'none'})`);
  const where = at ?? `notifier "${config.id}"`;
  const kind = kinds.get(config.kind);
  if (!kind) throw new Error(`notifier "${config.id}": unknown kind "${String(config.kind)}"; known kinds: ${knownNotifierKinds().join(', ')}${didYouMean(String(config.kind), knownNotifierKinds())}`);
  checkNotifierKeys(config, config.kind, kind.keys, where);
  const send = kind.factory(config);
  const full = { sendResolved: true, retries: 3, backoffMs: 500, timeoutMs: 10_000, ...(kind.defaults ?? {}), ...config };
  const resendMs = full.resendInterval === undefined ? undefined : parseDuration(full.resendInterval, `${where}.resendInterval`);
  if (resendMs === 0) throw new Error(`${where}.resendInterval must be more than 0`);
  return { config: full, send: (p, signal) => send(p, full.timeoutMs, signal), ...(resendMs !== undefined && { resendMs }) };
}

registerNotifierKind('webhook', { factory: webhookNotifier, keys: { url: httpUrl, secret: text } });
registerNotifierKind('slack', { factory: slackNotifier, keys: { url: httpUrl } });
registerNotifierKind('alertmanager', { factory: alertmanagerNotifier, keys: { url: httpUrl }, defaults: ALERTMANAGER_DEFAULTS });
registerNotifierKind('command', { factory: commandNotifier, keys: { command: argv } });
