import type { FeatureKind } from '../core/drift/types.js';

export interface FeatureSpec {
  name: string;
  kind: FeatureKind;
}

/**
 * Features of a model from its input JSON Schema: each property of the top-level object is a feature;
 * "number"/"integer" properties are numerical, "string"/"boolean" (or enums) categorical. A property
 * may set "x-lookout-kind": "categorical" to monitor integer codes as categories.
 */
export function featuresFromSchema(schema: Record<string, unknown>): FeatureSpec[] {
  const props = schema['properties'];
  if (typeof props !== 'object' || props === null) return [];
  const out: FeatureSpec[] = [];
  for (const [name, def] of Object.entries(props as Record<string, unknown>)) {
    out.push({ name, kind: kindOf(def) });
  }
  return out;
}

function kindOf(def: unknown): FeatureKind {
  if (typeof def !== 'object' || def === null) return 'categorical';
  const d = def as Record<string, unknown>;
  if (d['x-lookout-kind'] === 'categorical' || d['x-lookout-kind'] === 'numerical') return d['x-lookout-kind'];
  if (Array.isArray(d['enum'])) return 'categorical';
  const types = Array.isArray(d['type']) ? (d['type'] as unknown[]) : [d['type']];
  return types.some((t) => t === 'number' || t === 'integer') ? 'numerical' : 'categorical';
}
