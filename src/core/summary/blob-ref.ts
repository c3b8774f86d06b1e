import { base64ToBytes } from './base64.js';

/**
 * Where a summary state keeps sketch bytes: inline as base64 (summary format 1, and states on their own), or as
 * [offset, length] into the binary part that follows the JSON header in summary format 2 (see summary-format.ts).
 */
export type BlobRef = string | [number, number];

/** Resolves a base64 reference; a section reference needs the summary it belongs to (summary-format.ts). */
export function readBlob(ref: BlobRef): Uint8Array {
  if (typeof ref === 'string') return base64ToBytes(ref);
  throw new Error('summary: a section reference outside a format-2 summary');
}
