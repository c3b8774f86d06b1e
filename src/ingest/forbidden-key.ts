/**
 * A batch row that held a key the JSON body guard refuses ("__proto__", or "constructor" holding "prototype": keys that
 * alter an object's prototype once merged or assigned), put in place of the row by the JSON parser (http/json-body.ts)
 * so that the row alone is rejected. It keeps the row's safe top-level parts (id, model, version, timestamp, segment:
 * text, numbers, and a segment object without such a key) for the reject's record; never the row itself.
 */
export class ForbiddenKeyRow {
  readonly id?: string;
  readonly model?: string;
  readonly version?: string;
  readonly timestamp?: string | number;
  readonly segment?: Readonly<Record<string, unknown>>;

  constructor(readonly key: string, readonly path: string, parts: { id?: unknown; model?: unknown; version?: unknown; timestamp?: unknown; segment?: unknown }) {
    if (typeof parts.id === 'string') this.id = parts.id;
    if (typeof parts.model === 'string') this.model = parts.model;
    if (typeof parts.version === 'string') this.version = parts.version;
    if (typeof parts.timestamp === 'string' || typeof parts.timestamp === 'number') this.timestamp = parts.timestamp;
    if (typeof parts.segment === 'object' && parts.segment !== null && !Array.isArray(parts.segment)) this.segment = parts.segment as Record<string, unknown>;
  }

  get message(): string {
    return `the row holds the key "${this.key}" at ${this.path}, which is refused (it could alter object prototypes): rename the key`;
  }
}
