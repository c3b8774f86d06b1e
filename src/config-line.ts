import { readFileSync } from 'node:fs';
import { isMap, isSeq, LineCounter, parseDocument, type Node } from 'yaml';

/*
 * Audit 27: an error about a value of lookout.yaml names the line of the file that holds it, after its key path
 * (`invalid config lookout.yaml: monitors[1] (id "b"): window must be a duration ... (line 23)`), so an operator
 * need not count list items in a long file. Only the error's message is changed; the checks are unchanged.
 */

const SEGMENT = String.raw`(?:[A-Za-z_][\w-]*|\[\d+\])`;
const PATH = new RegExp(String.raw`^(${SEGMENT}(?:\.[A-Za-z_][\w-]*|\[\d+\])*)`);
const ENTRY = /^ \((?:id|name) "(?:[^"\\]|\\.)*"\): /;

/** The key path a config error's message starts with, an entry's own path after it: `monitors[1] (id "b"): window ...` -> monitors, 1, window. */
export function messagePath(message: string): Array<string | number> {
  const out: Array<string | number> = [];
  let rest = message;
  for (;;) {
    const m = PATH.exec(rest);
    if (!m?.[1]) return out;
    for (const s of m[1].match(/[A-Za-z_][\w-]*|\[\d+\]/g) ?? []) out.push(s.startsWith('[') ? Number(s.slice(1, -1)) : s);
    rest = rest.slice(m[1].length);
    const e = ENTRY.exec(rest);
    if (!e) return out;
    rest = rest.slice(e[0].length);
  }
}

/** The 1-based line of the deepest part of `path` that the YAML `text` holds (a key's own line); undefined for none. */
export function lineOfPath(text: string, path: ReadonlyArray<string | number>): number | undefined {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines });
  let node: unknown = doc.contents;
  let offset: number | undefined;
  for (const seg of path) {
    if (isMap(node) && typeof seg === 'string') {
      const pair = node.items.find((p) => (p.key as { value?: unknown } | null)?.value === seg);
      if (!pair) break;
      offset = (pair.key as Node).range?.[0] ?? offset;
      node = pair.value;
    } else if (isSeq(node) && typeof seg === 'number' && seg < node.items.length) {
      node = node.items[seg];
      offset = (node as Node | null)?.range?.[0] ?? offset;
    } else break;
  }
  return offset === undefined ? undefined : lines.linePos(offset).line;
}

/**
 * `message` of an error about the config file `file` (`invalid config FILE: PATH ...`) with ` (line N)` added, N the
 * line of PATH in the file; the message unchanged when it is about something else or the path is not found.
 */
export function withConfigLine(message: string, file: string | undefined): string {
  if (file === undefined) return message;
  const head = `invalid config ${file}: `;
  if (!message.startsWith(head) || message.includes('\n') || /\(line \d+\)$/.test(message)) return message;
  const path = messagePath(message.slice(head.length));
  if (path.length === 0) return message;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return message;
  }
  const line = lineOfPath(text, path);
  return line === undefined ? message : `${message} (line ${line})`;
}
