/**
 * The "more:" line of a list the API answered a page of: the same command with the next page's `--before`/`--after`
 * (the answer's `next`). Text output ends with it; with --json it goes to stderr, leaving stdout the JSON list.
 */
export function writeMore(command: string, flags: Record<string, string | number | undefined>, param: 'before' | 'after', next: string | null, json: boolean | undefined): void {
  if (next === null) return;
  (json ? process.stderr : process.stdout).write(`more: ${commandLine(command, flags)}${json ? ' --json' : ''} --${param} ${quote(next)}\n`);
}

/** `command` with the flags that are set, each a shell word: "lookout alerts list --state all --model churn". */
export function commandLine(command: string, flags: Record<string, string | number | undefined>): string {
  return command + Object.entries(flags).filter((e): e is [string, string | number] => e[1] !== undefined).map(([k, v]) => ` --${k} ${quote(String(v))}`).join('');
}

/** A shell word: as is when plain, else single-quoted. */
function quote(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}
