/**
 * Traffic policies of the gateway, and the routing decision for one request. Pure: the random source is
 * passed in (seeded), sticky routing hashes the request key.
 */
import { fnv1a } from '../summary/hash.js';
import type { Random } from '../random/rng.js';
import { didYouMean, firstUnknown } from '../text/closest.js';

export type TrafficPolicy =
  | { kind: 'single' }
  /** `percent` of requests go to the candidate; with `stickyKey`, a request key always lands on the same side. */
  | { kind: 'canary'; candidate: string; percent: number; stickyKey?: string }
  /** The primary answers; `percent` (default 100) of requests are mirrored to the candidate and compared. */
  | { kind: 'shadow'; candidate: string; percent?: number }
  /** The primary (blue) answers; `standby` (green) is deployed and idle until a switch flips them. */
  | { kind: 'blue-green'; standby: string };

export const POLICY_KINDS = ['single', 'canary', 'shadow', 'blue-green'] as const;

export class UnknownPolicyError extends Error {
  constructor(kind: string) {
    super(`unknown traffic policy "${kind}"; known policies: ${POLICY_KINDS.join(', ')}${didYouMean(kind, POLICY_KINDS)}`);
    this.name = 'UnknownPolicyError';
  }
}

/** What the router works from: the primary version and the policy in force (a running rollout's or the configured one). */
export interface RoutingInput {
  primary: string;
  policy: TrafficPolicy;
  /** Canary: also mirror requests served by the candidate to the primary (paired outputs for the disagreement check). */
  compareCanary?: boolean;
}

export interface RouteDecision {
  /** The version that answers. */
  version: string;
  /** A version the request is mirrored to (never affects the response). */
  mirror: string | null;
  /** Which side answered: the primary or the candidate. */
  arm: 'primary' | 'candidate';
}

/** Number of sticky buckets: canary percentages have 0.01% resolution. */
export const BUCKETS = 10_000;

/** The sticky bucket of a request key, in [0, BUCKETS). */
export function stickyBucket(key: string): number {
  // FNV-1a then murmur3's finaliser, so that similar keys ("user-1", "user-2") spread evenly.
  let h = fnv1a(key);
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return ((h ^ (h >>> 16)) >>> 0) % BUCKETS;
}

/** Routes one request; `key` is the sticky routing key when the request carries one. */
export function route(input: RoutingInput, key: string | null, random: Random): RouteDecision {
  const { primary, policy } = input;
  switch (policy.kind) {
    case 'single':
    case 'blue-green':
      return { version: primary, mirror: null, arm: 'primary' };
    case 'shadow': {
      // audit 27: a candidate that has become the primary (its alias moved, the configuration left as it was) is not
      // mirrored to: its model server was called twice per request and the version had two events per prediction
      if (policy.candidate === primary) return { version: primary, mirror: null, arm: 'primary' };
      const share = policy.percent ?? 100;
      const mirror = share >= 100 || random.next() * 100 < share ? policy.candidate : null;
      return { version: primary, mirror, arm: 'primary' };
    }
    case 'canary': {
      const toCandidate = policy.stickyKey !== undefined && key !== null
        ? stickyBucket(key) < Math.round(policy.percent * (BUCKETS / 100))
        : random.next() * 100 < policy.percent;
      if (!toCandidate || policy.candidate === primary) return { version: primary, mirror: null, arm: 'primary' };
      return { version: policy.candidate, mirror: input.compareCanary ? primary : null, arm: 'candidate' };
    }
    default:
      throw new UnknownPolicyError((policy as { kind: string }).kind);
  }
}

const POLICY_KEYS: Record<TrafficPolicy['kind'], readonly string[]> = {
  single: ['kind'], canary: ['kind', 'candidate', 'percent', 'stickyKey'], shadow: ['kind', 'candidate', 'percent'], 'blue-green': ['kind', 'standby'],
};

/** Checks a policy read from configuration or a request; throws a readable error. */
export function checkPolicy(p: unknown): TrafficPolicy {
  if (typeof p !== 'object' || p === null || Array.isArray(p)) throw new Error('policy must be an object {kind, ...}');
  const o = p as Record<string, unknown>;
  const kind = String(o['kind'] ?? '');
  if (!(POLICY_KINDS as readonly string[]).includes(kind)) throw new UnknownPolicyError(kind);
  // a misspelt key was ignored: a canary's stickykey (no longer sticky), a shadow's precent (every request mirrored)
  const known = POLICY_KEYS[kind as TrafficPolicy['kind']];
  const extra = firstUnknown(o, known);
  if (extra !== undefined) throw new Error(`policy.${extra.slice(0, 100)} is unknown (policy "${kind}"; known keys: ${known.join(', ')}${didYouMean(extra, known)})`);
  const version = (name: string): string => {
    const v = o[name];
    if (typeof v !== 'string' || v === '') throw new Error(`policy "${kind}" needs "${name}" (a version)`);
    return v;
  };
  const percent = (name: string, dflt?: number): number => {
    const v = o[name] ?? dflt;
    if (typeof v !== 'number' || !(v >= 0 && v <= 100)) throw new Error(`policy "${kind}": "${name}" must be a number from 0 to 100`);
    return v;
  };
  switch (kind) {
    case 'canary': {
      const sticky = o['stickyKey'];
      if (sticky !== undefined && (typeof sticky !== 'string' || sticky === '')) throw new Error('policy "canary": "stickyKey" must be a non-empty string');
      return { kind, candidate: version('candidate'), percent: percent('percent'), ...(sticky !== undefined && { stickyKey: sticky as string }) };
    }
    case 'shadow':
      return { kind, candidate: version('candidate'), percent: percent('percent', 100) };
    case 'blue-green':
      return { kind, standby: version('standby') };
    default:
      return { kind: 'single' };
  }
}
