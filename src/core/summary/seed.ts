import { fnv1a } from './hash.js';

/** Seed of a window summary's sketches, from its key (deterministic across restarts and nodes). */
export function summarySeed(model: string, version: string, segment: string, granularity: string, windowStart: number): number {
  return fnv1a(`${model}\u0000${version}\u0000${segment}\u0000${granularity}\u0000${windowStart}`);
}
