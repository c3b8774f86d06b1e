/**
 * Text from files and the server (column names, values, labels, notes) as the CLI prints it: C0 and C1 control
 * characters, DEL and Unicode's bidirectional controls shown escaped (`\u001b`), so that a column named
 * "\u001b[2J..." or "\u202euser" cannot clear the terminal, recolour what follows or reorder the line it is printed
 * in (until audit 15 they were printed raw). `keepLines`: a whole text, whose own newlines and tabs stay.
 */
const CONTROLS = '\\u0000-\\u0008\\u000b-\\u001f\\u007f-\\u009f\\u200e\\u200f\\u202a-\\u202e\\u2066-\\u2069';
const ALL = new RegExp(`[${CONTROLS}\\u0009\\u000a]`, 'g');
const BUT_LINES = new RegExp(`[${CONTROLS}]`, 'g');

const escaped = (c: string): string => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;

export function printable(s: string, keepLines = false): string {
  return s.replace(keepLines ? BUT_LINES : ALL, escaped);
}
