/** The rollout controller's options, and the state its parts (controller, evaluation, ending) share. */
import type { Analysis } from '../core/rollout/analysis.js';
import type { GatewayStats } from '../gateway/stats.js';
import type { ModelRegistry } from '../registry/registry.js';
import { RolloutLooks } from './looks.js';
import type { RolloutNotifier } from './notifier.js';
import { RolloutRecords } from './records.js';
import type { Rollout } from './spec.js';

export interface ControllerOptions {
  registry: ModelRegistry;
  stats: GatewayStats;
  clock: () => number;
  newId: () => string;
  notifier: RolloutNotifier;
  /** Where a failed evaluation of one rollout is logged (default: stderr). */
  log?: (line: string) => void;
}

/** A rollback decided whose alias flip the store refused, to be tried again (RolloutState.withdrawn). */
export interface Withdrawal {
  reason: string;
  by: string;
  analysis: Analysis | undefined;
  manual: boolean;
}

/** What the controller (controller.ts), its evaluation (evaluation.ts) and its endings (ending.ts) read and change. */
export interface RolloutState {
  readonly o: ControllerOptions;
  /** Per model, its active rollout: running, paused, or promoted within its bake period. */
  readonly active: Map<string, Rollout>;
  readonly log: (line: string) => void;
  readonly looks: RolloutLooks;
  /**
   * Rollouts whose record may be behind the deployment history (loaded at start, or whose last evaluation failed: an
   * alias flip may have committed without the rollout being saved): checked against it before they are evaluated.
   */
  readonly unsettled: Set<string>;
  /**
   * Per model, a rollback decided whose alias flip the store refused (UnavailableError: unreachable, a full disk): its candidate gets no
   * traffic meanwhile (routing), and the rollback is tried again at every tick until it is stored. Kept in memory only:
   * after a restart the rollout goes on from its stored state, and its next evaluation decides again.
   */
  readonly withdrawn: Map<string, Withdrawal>;
  readonly records: RolloutRecords;
}

/** A controller's state before it loads anything. */
export function rolloutState(o: ControllerOptions): RolloutState {
  return {
    o,
    active: new Map(),
    log: o.log ?? ((line) => void process.stderr.write(`${line}\n`)),
    looks: new RolloutLooks(),
    unsettled: new Set(),
    withdrawn: new Map(),
    records: new RolloutRecords(o.registry.store, o.notifier, o.clock),
  };
}
