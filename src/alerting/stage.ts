import type { AlertRecord, AlertStore, NotificationRecord } from '../storage/alerts.js';
import type { Logger, PipelineSettings } from './types.js';

/** What every stage sees. */
export interface StageContext {
  now: number;
  groupKey: string;
  store: AlertStore;
  settings: PipelineSettings;
  log: Logger;
  /** Every alert still firing (open or acknowledged), across groups: inhibition looks at these. */
  active: readonly AlertRecord[];
  /** Set by the repeat stage: alerts the notify stage sends as "resolved" besides firing ones. */
  notes: Record<string, unknown>;
  /** Aborted when the server stops: deliveries start no more retries (the next start sends what failed again). */
  signal?: AbortSignal;
  /** Told of every delivery to a notifier (sent or failed, with its attempts), recorded in the log or not: /metrics. */
  onDelivery?: DeliveryObserver;
}

/** Observes a delivery to a notifier: its record and how long it took, its retries included (seconds). */
export type DeliveryObserver = (rec: NotificationRecord, seconds: number) => void;

/**
 * One signature for every step of the pipeline (as Alertmanager's stages): alerts in, the alerts that go on
 * out. A stage that mutes an alert drops it from the output (and records why on the alert).
 */
export type Stage = (alerts: AlertRecord[], ctx: StageContext) => Promise<AlertRecord[]>;

export async function runStages(stages: readonly Stage[], alerts: AlertRecord[], ctx: StageContext): Promise<AlertRecord[]> {
  let out = alerts;
  for (const s of stages) {
    if (out.length === 0) break;
    out = await s(out, ctx);
  }
  return out;
}
