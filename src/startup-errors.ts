import { lstatSync, readlinkSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { InputError } from './io/errors.js';
import { MakeDirError } from './io/make-dirs.js';

/*
 * What stops `lookout serve` at start because of its environment (a data dir it cannot use, a store it cannot open, an
 * address it cannot listen on), as one line for the operator (InputError: exit code 2), not an internal error.
 */

const firstLine = (e: unknown): string => (e instanceof Error ? e.message : String(e)).split('\n')[0] ?? '';
const codeOf = (e: unknown): string | undefined => (e as { code?: unknown } | null)?.code as string | undefined;

/** A store URL as it may be printed: the password of scheme://user:password@host replaced by ***. */
export function shownStoreUrl(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/[^/@:]*):[^/@]*@/i, '$1:***@');
}

/** Errors of a directory its user may not write (permissions, a read-only file system). */
const NOT_WRITABLE = new Set(['EACCES', 'EPERM', 'EROFS']);

export function dataDirError(dir: string, e: unknown): InputError {
  if (e instanceof MakeDirError) return new InputError(`cannot use data dir ${dir}: ${makeDirWhy(dir, e)}`);
  const code = codeOf(e);
  const why = code === 'EEXIST' || code === 'ENOTDIR' ? 'not a directory'
    : code !== undefined && NOT_WRITABLE.has(code) ? `not writable (${code})` : firstLine(e);
  return new InputError(`cannot use data dir ${dir}: ${why}`);
}

/**
 * A file or directory inside the data dir that the server cannot use (DATA_DIR/journal a file, a journal directory
 * left by a start as another user): one line naming it, or null for an error that is not the file system's refusal.
 */
export function dataDirEntryError(dir: string, e: unknown): InputError | null {
  const code = codeOf(e);
  const path = (e as { path?: unknown } | null)?.path;
  if (typeof path !== 'string' || code === undefined) return null;
  if (code === 'EEXIST' || code === 'ENOTDIR') return new InputError(`cannot use data dir ${dir}: ${path} is not a directory`);
  if (NOT_WRITABLE.has(code)) return new InputError(`cannot use data dir ${dir}: ${path} is not writable (${code}); is it owned by another user (a start as root)?`);
  return null;
}

/**
 * The DuckDB summary-file cache's directory (DATA_DIR/lookout.duckdb.windows) that could not be set up at start. Something
 * in its way (a file) or another user's directory: refused in one line, as the journal's directory is (the operator's
 * to fix; silently running without the cache hid it). Anything else (a full disk, an I/O error): null, and the server
 * starts after one warning line on stderr (written here): the cache is optional, the store holds everything it would.
 */
export function summaryFilesCheck(dir: string, e: unknown): InputError | null {
  if (e === null) return null;
  const refused = dataDirEntryError(dir, e);
  if (refused !== null) return new InputError(`${refused.message} (the DuckDB summary-file cache: move it away, or set summaryFilesMb: 0 to run without it)`);
  const path = (e as { path?: unknown } | null)?.path;
  process.stderr.write(`lookout: warning: the DuckDB summary-file cache${typeof path === 'string' ? ` ${path}` : ''} cannot be used (${firstLine(e)}): range reads go to the store alone (slower), until a restart that can set it up\n`);
  return null;
}

/**
 * Committed groups whose journal records are gone (Recovered.missing): nothing can rebuild their summaries (events keep
 * their features only when sampled), so it is said, explaining counts lower than the events stored; the server runs
 * (until audit 13 this was silent).
 */
export function journalGapWarning(missing: number): string {
  return `lookout: warning: the summary journal lacks the records of ${missing} ingest group${missing === 1 ? '' : 's'} the store may have committed since the last checkpoint (a journal file removed or cut short?): their events are stored but not counted in the window summaries\n`;
}

/** What stopped makeDirs, naming the component: the file in the way, or the directory it could not create and why. */
function makeDirWhy(dir: string, e: MakeDirError): string {
  if (e.step === 'not-directory') return e.path === resolve(dir) ? 'not a directory' : `not a directory (${e.path} is not a directory)`;
  const parent = dirname(e.path);
  // A link to nothing (a volume not mounted, a target deleted): mkdir says EEXIST, which `ls` contradicts.
  const target = e.code === 'EEXIST' ? danglingTarget(e.path) : null;
  if (target !== null) return `${e.path} is a symbolic link to ${target}, which does not exist`;
  if (NOT_WRITABLE.has(e.code)) {
    return `cannot create ${e.path}: ${e.code === 'EROFS' ? `${parent} is on a read-only file system` : `${parent} is not writable`} (${e.code})`;
  }
  if (e.code === 'ENOENT') return `cannot create ${e.path}: the file system of ${parent} does not take new directories (ENOENT)`;
  return `cannot create ${e.path}: ${firstLine(e.cause)}`;
}

function danglingTarget(path: string): string | null {
  try {
    return lstatSync(path).isSymbolicLink() ? resolve(dirname(path), readlinkSync(path)) : null;
  } catch {
    return null;
  }
}

export function storeOpenError(url: string, e: unknown): InputError {
  const msg = firstLine(e);
  // DuckDB: 'IO Error: Could not set lock on file "F": Conflicting lock is held in EXE (PID N). See also ...'
  const lock = /Could not set lock on file "([^"]+)": Conflicting lock is held in (.+?) \(PID (\d+)\)/.exec(msg);
  if (lock) {
    return new InputError(`cannot open the store ${lock[1] ?? ''}: another process holds it (PID ${lock[3] ?? '?'}, ${lock[2] ?? '?'}); `
      + 'is another lookout serve running on this data dir? DuckDB allows one server per data dir');
  }
  return new InputError(`cannot open the store ${shownStoreUrl(url)}: ${msg}`);
}

/** The store refused a write during start-up (the journal's recovery checkpoint on a full disk): why, and what to do. */
export function storeRefusedAtStart(dataDir: string, failure: string): InputError {
  const full = /No space left on device|ENOSPC/i.test(failure) ? `; free space on the disk of ${dataDir}` : '';
  return new InputError(`cannot start: ${failure}${full}, then start again`);
}

export function listenError(host: string, port: number, e: unknown): InputError {
  const code = codeOf(e);
  const why = code === 'EADDRINUSE' ? 'the address is already in use (another process listens on it; choose another --port)'
    : code === 'EACCES' ? 'permission denied (ports below 1024 need privileges)'
      : code === 'EADDRNOTAVAIL' ? `${host} is not an address of this machine`
        : code === 'ENOTFOUND' || code === 'EAI_AGAIN' ? `cannot resolve host ${host}` : firstLine(e);
  return new InputError(`cannot listen on ${host}:${port}: ${why}`);
}

/**
 * A signal (SIGTERM, SIGINT) stopped `lookout serve` before it listened: what start-up had opened is closed (the
 * ingest pipeline checkpointed, the store closed), and the command ends with exit code 0. The message says what is
 * left to do, when anything is (an interrupted demo fill).
 */
export class StartStopped extends Error {
  constructor(message = 'nothing acknowledged is lost, the store was closed') {
    super(message);
    this.name = 'StartStopped';
  }
}
