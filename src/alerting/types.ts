import type { Matcher } from '../core/rules/matchers.js';
import type { TimeWindow } from '../core/rules/time-window.js';
import type { Severity } from '../core/rules/types.js';

/** What a monitor (or any other code) reports to the alert pipeline: firing at a severity, or resolved (null). */
export interface Signal {
  /** The monitor or SLO id, or "external:NAME" for alerts raised by other code. */
  source: string;
  model: string;
  version: string | null;
  severity: Severity | null;
  labels: Record<string, string>;
  context: Record<string, unknown>;
  at: number;
  /** Action of the level that fired (e.g. "retrain", "rollback"). */
  action?: string;
}

export interface InhibitRule {
  /** While an alert matching `source` fires... */
  source: Matcher[];
  /** ...alerts matching `target`... */
  target: Matcher[];
  /** ...with the same values of these labels are muted. */
  equal: string[];
}

export interface MuteTimeWindow extends TimeWindow {
  /** Alerts it applies to (default all). */
  matchers?: Matcher[];
}

export interface PipelineSettings {
  groupBy: string[];
  groupWaitMs: number;
  groupIntervalMs: number;
  repeatIntervalMs: number;
  inhibitRules: InhibitRule[];
  timeWindows: MuteTimeWindow[];
  /** Base URL of the dashboard for links in alerts. */
  dashboardUrl: string;
  /** How often the pipeline is flushed (the evaluation interval; 0 or absent: by hand). */
  flushIntervalMs?: number;
}

export const DEFAULT_PIPELINE: PipelineSettings = {
  groupBy: ['model', 'version'],
  groupWaitMs: 30_000,
  groupIntervalMs: 5 * 60_000,
  repeatIntervalMs: 4 * 3_600_000,
  inhibitRules: [{ source: [{ name: 'category', value: 'data' }], target: [{ name: 'category', value: 'drift' }], equal: ['model'] }],
  timeWindows: [],
  dashboardUrl: '',
};

export interface Logger {
  info(msg: string, data?: Record<string, unknown>): void;
  warn(msg: string, data?: Record<string, unknown>): void;
}

export const consoleLogger: Logger = {
  info: () => undefined,
  warn: (msg, data) => process.stderr.write(`lookout: ${msg}${data ? ` ${JSON.stringify(data)}` : ''}\n`),
};
