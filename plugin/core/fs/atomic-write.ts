import { randomBytes } from 'node:crypto';
import { open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/**
 * Writes a file so that a reader (a game reloading, another process, a crash) sees the old content
 * or the new, never half of it: the bytes go to a temporary name beside the target, then a rename.
 * The temporary file is created exclusively (`wx`), so a link planted under its name is never
 * followed. `fsync` makes the bytes durable before the rename, for what cannot be made again.
 */
export async function atomicWrite(path: string, bytes: Uint8Array | string, opts: { fsync?: boolean } = {}): Promise<void> {
  const tmp = join(dirname(path), `.tmp-${basename(path)}-${process.pid}-${randomBytes(4).toString('hex')}`);
  try {
    const handle = await open(tmp, 'wx');
    try {
      await handle.writeFile(bytes);
      if (opts.fsync) await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}
