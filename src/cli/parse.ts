import { InvalidArgumentError } from 'commander';
import { DECIMAL_PORT } from '../port-digits.js';

/** A decimal number as written by people: an optional sign, digits with an optional fraction, an optional exponent. */
const DECIMAL_NUMBER = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:e[+-]?\d+)?$/i;
/** A decimal integer: an optional sign and digits. */
const DECIMAL_INTEGER = /^[+-]?\d+$/;

/**
 * Commander argument parsers with one-line messages. Decimal only: Number() also reads `0x10`, `0b11`, `0o7`, ` 5 `
 * and `Infinity` (`--seed 0x10` was seed 16, `--limit 1e3` a limit of 1000).
 */
export function parseNumber(value: string): number {
  const n = DECIMAL_NUMBER.test(value) ? Number(value) : NaN;
  if (!Number.isFinite(n)) throw new InvalidArgumentError(`"${value}" is not a number.`);
  return n;
}

export function parseInteger(value: string): number {
  const n = DECIMAL_INTEGER.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(n)) throw new InvalidArgumentError(`"${value}" is not an integer.`);
  return n;
}

/** Commander's accumulator of a repeatable option (each value taken whole, in order). */
export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

export function parseList(value: string): string[] {
  const items = value.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
  if (items.length === 0) throw new InvalidArgumentError('expected a comma-separated list.');
  return items;
}

/**
 * A TCP port: a decimal integer from 0 (any free port) to 65535, digits only: Number() also read `0x50`, `1e3`, ` 80`,
 * `80.0` and `+80` as ports (the server listened on 80 or 1000).
 */
export function parsePort(value: string): number {
  const n = DECIMAL_PORT.test(value) ? Number(value) : NaN;
  if (!(n >= 0 && n <= 65535)) throw new InvalidArgumentError(`"${value}" is not a port: a decimal integer from 0 to 65535 is expected.`);
  return n;
}

/**
 * A model name given to a list's --model: not empty. The API read `?model=` as no filter, so `--model "$MODEL"` with
 * MODEL unset listed every model's alerts under "alerts of model " (audit 24); it refuses it since audit 25.
 */
export function parseModelName(value: string): string {
  if (value.trim() === '') throw new InvalidArgumentError('an empty model name: give the model\'s name, or leave --model out to list every model\'s.');
  return value;
}

/**
 * An option's value that the command sends as a query parameter (a time, a cursor, a segment, a notifier): not empty.
 * The API refuses an empty parameter since audit 25, naming the parameter rather than the option; `lookout models
 * history --from "$FROM"` with FROM unset left it out and listed the whole history.
 */
export function parseNonEmpty(value: string): string {
  if (value.trim() === '') throw new InvalidArgumentError('an empty value: give one, or leave the option out for its default.');
  return value;
}
