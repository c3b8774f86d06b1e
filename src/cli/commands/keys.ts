import { randomBytes } from 'node:crypto';
import { Command, InvalidArgumentError } from 'commander';
import { hashKey, type Scope } from '../../http/auth.js';
import { EXIT } from '../exit.js';
import { parseList } from '../parse.js';

const SCOPES: readonly Scope[] = ['ingest', 'read', 'admin'];

function parseScopes(v: string): Scope[] {
  const list = parseList(v);
  const bad = list.filter((s) => !(SCOPES as readonly string[]).includes(s));
  if (bad.length) throw new InvalidArgumentError(`unknown scope ${bad.join(', ')}; scopes: ${SCOPES.join(', ')}`);
  return list as Scope[];
}

function parseName(v: string): string {
  if (v.trim() === '') throw new InvalidArgumentError('a key needs a name (shown in errors and logs), not a blank one');
  return v;
}

/** `lookout keys create`: a new random API key, printed once, and the config line holding only its hash. */
export function keysCommand(setCode: (c: number) => void): Command {
  const keys = new Command('keys').description('API keys');
  keys.command('create')
    .description('create an API key: prints the key (shown once) and the lookout.yaml entry with its SHA-256')
    .requiredOption('--name <name>', 'a name for the key (shown in errors and logs)', parseName)
    .requiredOption('--scopes <list>', `comma-separated: ${SCOPES.join(', ')}`, parseScopes)
    .action((o: { name: string; scopes: Scope[] }) => {
      const key = `lk_${randomBytes(24).toString('base64url')}`;
      process.stdout.write(`key: ${key}\nadd to lookout.yaml under auth.keys:\n  - { name: ${JSON.stringify(o.name)}, sha256: "${hashKey(key)}", scopes: [${o.scopes.join(', ')}] }\n`);
      setCode(EXIT.ok);
    });
  return keys;
}
