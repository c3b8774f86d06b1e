import { isScalar, parseDocument } from 'yaml';
import { DECIMAL_PORT } from './port-digits.js';

export { DECIMAL_PORT };

/**
 * server.port written as YAML reads a number but a person reads no port (`0x50`, `1e3`, `80.0`, `+80`, `0o120`): YAML
 * and JSON read them as 80 or 1000, and the server listened there. The message, or undefined when it is written in
 * decimal digits (or absent).
 */
export function portNotDecimal(text: string): string | undefined {
  let node: unknown;
  try {
    node = parseDocument(text).getIn(['server', 'port'], true);
  } catch {
    return undefined;
  }
  // A value the schema refuses anyway (not an integer, out of range, not a number) is left to its message.
  if (!isScalar(node) || typeof node.value !== 'number' || !Number.isInteger(node.value) || node.value < 0 || node.value > 65535) return undefined;
  const written = node.source ?? String(node.value);
  return DECIMAL_PORT.test(written) ? undefined : `server.port must be a decimal integer from 0 to 65535 (got ${written})`;
}
