import { open } from 'node:fs/promises';

/** fsyncs a directory: the entries created, renamed or removed in it so far are durable once this resolves. */
export async function syncDir(dir: string): Promise<void> {
  const h = await open(dir, 'r');
  try {
    await h.sync();
  } finally {
    await h.close();
  }
}
