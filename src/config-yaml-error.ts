/**
 * A YAML parse error of lookout.yaml in one line: the parser's message without the code frame it announces (a message
 * cut at its first line ended "at line 1, column 35:" and showed nothing), the line it points at instead, and, for a
 * `${NAME}` left unquoted inside a flow mapping (`{ port: ${PORT} }`, where `{` and `}` are YAML's: README,
 * "Environment variables"), what to write.
 */
export function yamlErrorMessage(e: unknown, text: string): string {
  if (!(e instanceof Error)) return String(e);
  const first = (e.message.split('\n')[0] ?? '').replace(/:\s*$/, '');
  const pos = (e as { linePos?: Array<{ line: number }> }).linePos?.[0];
  const line = pos === undefined ? undefined : text.split(/\r?\n/)[pos.line - 1]?.trim();
  if (line === undefined || line === '') return first;
  const shown = line.length > 120 ? `${line.slice(0, 117)}...` : line;
  // an unquoted ${NAME} after a "{" or "[" of the line (a value of a flow mapping, an item of a flow sequence)
  const ref = /[[{][^"']*?(?:([\w.-]+):\s*)?(\$\{[^}]*\})/.exec(line);
  const hint = ref ? `; quote a \${NAME} reference inside { ... } or [ ... ]: ${ref[1] === undefined ? '' : `${ref[1]}: `}"${ref[2] ?? ''}"` : '';
  return `${first} (${shown})${hint}`;
}
