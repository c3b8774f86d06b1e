import { InvalidArgumentError } from 'commander';
import { parseStates } from '../alerting/state-list.js';

/**
 * A `--state` option's parser (commander): `all` or a comma-separated list of `known`, checked here so that a typo is
 * a usage error (exit 2) naming the states, not the server's 400. Returns the value as given (sent as `?state=`).
 */
export function stateOption(known: readonly string[]): (v: string) => string {
  return (v) => {
    try {
      parseStates(v, known);
    } catch (e) {
      throw new InvalidArgumentError((e as Error).message.replace(/^state/, '--state'));
    }
    return v;
  };
}
