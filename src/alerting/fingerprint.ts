import { createHash } from 'node:crypto';
import { labelsKey } from '../core/rules/matchers.js';

/** Identity of an alert: its source and labels, severity excluded (escalation keeps the same alert). */
export function fingerprint(source: string, labels: Record<string, string>): string {
  const { severity: _s, ...rest } = labels;
  return createHash('sha256').update(`${source}\u0000${labelsKey(rest)}`).digest('hex').slice(0, 16);
}
