import { RegistryError } from '../registry/errors.js';
import type { ModelControl } from '../registry/registry.js';
import type { Rollout, RolloutSpec } from './spec.js';

/**
 * Whether a rollout of `spec.candidate` can start now, given the model's control state and its current rollout (the
 * active one, if any): throws a RegistryError naming why not; answers the serving alias and the version it points to.
 */
export function checkStartable(model: string, spec: RolloutSpec, ctl: ModelControl, cur: Rollout | undefined, now: number): { alias: string; primary: string } {
  const alias = ctl.serving.alias;
  const primary = ctl.aliases[alias];
  if (primary === undefined) throw new RegistryError('conflict', `alias "${alias}" of model "${model}" is not set: set it before a rollout`);
  if (primary === spec.candidate) throw new RegistryError('conflict', `${spec.candidate} already is the "${alias}" version`);
  // audit 29: the message says how to give it one (a `--demo` model's versions have none)
  if (!ctl.upstreams.has(spec.candidate)) {
    throw new RegistryError('bad_request', `version ${spec.candidate} has no upstream to send traffic to: give it its model server's URL first: lookout versions update ${model} ${spec.candidate} --upstream URL (PATCH /v1/models/${encodeURIComponent(model)}/versions/${encodeURIComponent(spec.candidate)} {"upstream": URL})`);
  }
  // a paused version gets no traffic (a blue-green switch to it left the model answering 503); a paused model none at all
  if (ctl.modelPaused) throw new RegistryError('conflict', `model "${model}" is paused: resume it before a rollout (lookout models resume ${model})`, { model });
  if (ctl.pausedVersions.has(spec.candidate)) throw new RegistryError('conflict', `version ${spec.candidate} of model "${model}" is paused: resume it before a rollout (lookout versions resume ${model} ${spec.candidate})`, { model, version: spec.candidate });
  if (cur && (cur.state === 'running' || cur.state === 'paused')) throw new RegistryError('conflict', `rollout ${cur.id} of model "${model}" is still ${cur.state}`, { rollout: cur.id });
  // a new rollout would replace the baking one in `active`: its version would no longer be watched (nor rolled back)
  const bakeUntil = cur?.state === 'promoted' ? (cur.promotedAt ?? 0) + cur.bakeMs : 0;
  if (cur && bakeUntil > now) {
    throw new RegistryError('conflict', `rollout ${cur.id} of model "${model}" is in its bake period until ${new Date(bakeUntil).toISOString()}: wait for its end, or abort it (which rolls ${cur.candidate} back)`, { rollout: cur.id, bakeUntil });
  }
  return { alias, primary };
}
