import type { DriftMethod } from './method.js';
import type { FeatureKind } from './types.js';
import { ks } from './methods/ks.js';
import { wasserstein } from './methods/wasserstein.js';
import { psi } from './methods/psi.js';
import { jensenShannon } from './methods/jensenshannon.js';
import { hellinger } from './methods/hellinger.js';
import { chiSquare } from './methods/chisquare.js';
import { didYouMean } from '../text/closest.js';

const methods = new Map<string, DriftMethod>();

export class UnknownDriftMethodError extends Error {
  constructor(readonly id: string) {
    super(`unknown drift method "${id}"; known methods: ${knownDriftMethods().join(', ')}${didYouMean(id, knownDriftMethods())}`);
    this.name = 'UnknownDriftMethodError';
  }
}

/** Registers a drift method under its stable id (plugins call this; ids must be unique). */
export function registerDriftMethod(method: DriftMethod): void {
  if (methods.has(method.id)) throw new Error(`drift method "${method.id}" is already registered`);
  methods.set(method.id, method);
}

export function getDriftMethod(id: string): DriftMethod {
  const m = methods.get(id);
  if (!m) throw new UnknownDriftMethodError(id);
  return m;
}

export function knownDriftMethods(): string[] {
  return [...methods.keys()].sort();
}

/** The ids of the methods that apply to a kind of feature (sorted). */
export function driftMethodsFor(kind: FeatureKind): string[] {
  return knownDriftMethods().filter((id) => getDriftMethod(id).kinds.includes(kind));
}

for (const m of [ks, wasserstein, psi, jensenShannon, hellinger, chiSquare]) registerDriftMethod(m);
