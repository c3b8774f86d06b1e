import type { Analysis } from '../core/rollout/analysis.js';

export interface RolloutEvent {
  type: 'started' | 'step' | 'promoted' | 'rolled_back' | 'paused' | 'resumed';
  model: string;
  rolloutId: string;
  primary: string;
  candidate: string;
  /** Traffic share of the candidate after the event. */
  weight: number;
  reason: string;
  at: number;
  analysis?: Analysis;
  /** A rollback a person asked for (POST /v1/models/:name/rollout/abort): who, as the API recorded it. */
  manualBy?: string;
}

/**
 * Where rollout events go. The default logs them; after the merge with the alert pipeline (issue 4) an
 * adapter forwards them there (rolled_back as an alert, the rest as notifications).
 */
export interface RolloutNotifier {
  notify(event: RolloutEvent): Promise<void>;
}

export class LogNotifier implements RolloutNotifier {
  constructor(private readonly log: (line: string) => void = (s) => void process.stderr.write(`${s}\n`)) {}

  async notify(e: RolloutEvent): Promise<void> {
    this.log(`lookout: rollout ${e.rolloutId} of ${e.model} ${e.type} (${e.primary} -> ${e.candidate}, weight ${e.weight}%): ${e.reason}`);
  }
}

/** Keeps events in memory (tests, and the rollout API's recent events). */
export class MemoryNotifier implements RolloutNotifier {
  readonly events: RolloutEvent[] = [];

  async notify(e: RolloutEvent): Promise<void> {
    this.events.push(e);
  }
}
