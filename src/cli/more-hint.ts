/**
 * The "more:" line of a list the API answered a page of: the same command with the next page's `--before`/`--after`
 * (the answer's `next`). Text output ends with it; with --json it goes to stderr, leaving stdout the JSON list.
 */
export function writeMore(command: string, flags: Record<string, string | number | undefined>, param: 'before' | 'after', next: string | null, json: boolean | undefined): void {
  if (next === null) return;
  const given = Object.entries(flags).filter((e): e is [string, string | number] => e[1] !== undefined).map(([k, v]) => ` --${k} ${quote(String(v))}`).join('');
  (json ? process.stderr : process.stdout).write(`more: ${command}${given}${json ? ' --json' : ''} --${param} ${quote(next)}\n`);
}

/** A shell word: as is when plain, else single-quoted. */
function quote(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}
