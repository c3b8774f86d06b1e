import type { Matcher } from '../../core/rules/matchers.js';
import type { Severity } from '../../core/rules/types.js';

/** One alert as notifiers see it. */
export interface NotifiedAlert {
  id: string;
  fingerprint: string;
  status: 'firing' | 'resolved';
  severity: string;
  model: string;
  version: string | null;
  labels: Record<string, string>;
  context: Record<string, unknown>;
  startsAt: number;
  endsAt: number | null;
  acknowledged: boolean;
  dashboardUrl?: string;
  runbookUrl?: string;
}

/** One notification: the alerts of one group, as of one flush. */
export interface NotificationPayload {
  version: '1';
  groupKey: string;
  groupLabels: Record<string, string>;
  status: 'firing' | 'resolved';
  receiver: string;
  sentAt: number;
  /**
   * For notifiers that re-send (`resendInterval`, e.g. Alertmanager): the firing alerts hold until then unless sent
   * again (Alertmanager's endsAt).
   */
  expiresAt?: number;
  alerts: NotifiedAlert[];
}

export interface NotifierConfig {
  id: string;
  kind: string;
  /** Only alerts matching all of these (default: all alerts). */
  matchers?: Matcher[];
  /** Only alerts at least this severe. */
  minSeverity?: Severity;
  /** Send resolve notifications (default true). */
  sendResolved?: boolean;
  /** Retries after a failed attempt (default 3), with exponential backoff from backoffMs (default 500). */
  retries?: number;
  backoffMs?: number;
  timeoutMs?: number;
  /**
   * Re-send the firing alerts of every group this often, whatever the repeat interval (receivers that keep alert
   * state and expire it: Alertmanager, default 1m); none for the other kinds.
   */
  resendInterval?: string | number;
  [key: string]: unknown;
}

export interface Notifier {
  readonly config: Required<Pick<NotifierConfig, 'id' | 'kind' | 'sendResolved' | 'retries' | 'backoffMs' | 'timeoutMs'>> & NotifierConfig;
  /** `resendInterval` in ms (absent: the notifier only gets what people get). */
  readonly resendMs?: number;
  /**
   * One attempt; throws on failure (the pipeline retries). `signal` aborting (the server stopping) cuts the attempt short:
   * it fails at once, its request or command stopped.
   */
  send(p: NotificationPayload, signal?: AbortSignal): Promise<void>;
}

/** Builds the send function of one notifier kind from its config (throws a readable error on bad config). */
export type NotifierFactory = (config: NotifierConfig) => (p: NotificationPayload, timeoutMs: number, signal?: AbortSignal) => Promise<void>;
