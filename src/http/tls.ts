import { readFileSync, statSync } from 'node:fs';
import { createSecureContext } from 'node:tls';
import type { Server as TlsServer } from 'node:tls';
import { InputError } from '../io/errors.js';

/** server.tls: the PEM files `lookout serve` answers HTTPS with (else plain HTTP). */
export interface TlsFiles {
  certFile: string;
  keyFile: string;
  /** Seconds between two looks at the files (default TLS_RELOAD_CHECK_MS). */
  reloadCheckSeconds?: number;
}

export interface TlsMaterial {
  cert: Buffer;
  key: Buffer;
}

/**
 * Milliseconds between two looks at the files' modification times (a renewed certificate is served without a restart)
 * unless server.tls.reloadCheckSeconds says otherwise.
 */
export const TLS_RELOAD_CHECK_MS = 10_000;

const reason = (e: unknown): string => (e instanceof Error ? e.message.split('\n')[0] ?? e.message : String(e));

/**
 * Reads the certificate (chain) and key, and checks that they make a context (readable PEM, the key of the
 * certificate): a start with a wrong one stops before the store is opened, naming what is wrong.
 */
export function readTls(files: TlsFiles, where = 'cannot serve HTTPS'): TlsMaterial {
  const read = (path: string, what: string): Buffer => {
    try {
      return readFileSync(path);
    } catch (e) {
      throw new InputError(`${where}: cannot read the ${what} ${path}: ${reason(e)}`);
    }
  };
  const material = { cert: read(files.certFile, 'certificate'), key: read(files.keyFile, 'private key') };
  try {
    createSecureContext(material);
  } catch (e) {
    // OpenSSL's words ("key values mismatch", "no start line"), with the files they are about.
    throw new InputError(`${where}: the certificate ${files.certFile} and the key ${files.keyFile} cannot be used together: ${reason(e)}`);
  }
  return material;
}

const stamp = (files: TlsFiles): string => {
  try {
    const [c, k] = [statSync(files.certFile), statSync(files.keyFile)];
    return `${c.mtimeMs}:${c.size}:${c.ino}|${k.mtimeMs}:${k.size}:${k.ino}`;
  } catch {
    return 'unreadable';
  }
};

/**
 * Serves renewed files (certbot, cert-manager) without a restart: every TLS_RELOAD_CHECK_MS the files' stat (symlinks
 * followed) is compared with the last; when it changed and the new pair makes a context, new connections get it.
 * A pair that does not (a renewal caught between writing the two files, a broken file) keeps the one served, with a
 * warning, and is tried again at the next change. Returns the stop function.
 */
export function reloadTlsOnChange(server: TlsServer, files: TlsFiles, log: { info(m: string): void; warn(m: string): void }, everyMs = files.reloadCheckSeconds !== undefined ? files.reloadCheckSeconds * 1000 : TLS_RELOAD_CHECK_MS): () => void {
  let last = stamp(files);
  const timer = setInterval(() => {
    const now = stamp(files);
    if (now === last) return;
    last = now;
    try {
      server.setSecureContext(readTls(files) as unknown as Parameters<TlsServer['setSecureContext']>[0]);
      log.info(`TLS: serving the renewed certificate ${files.certFile}`);
    } catch (e) {
      log.warn(`TLS: the changed files cannot be used, the certificate served so far stays: ${reason(e)}`);
    }
  }, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
