import { utimesSync } from 'node:fs';
import { lstat, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Derived files kept in the cache folder's local part (`.pages/`, `.parses/`) are made again on a
 * miss, but each edit adds new ones: without a bound they grow for the life of the project. A
 * file's mtime is its last use (readers mark a hit with `markUsed`), so the least recently used go
 * first.
 */

const SHARD = /^[0-9a-f]{2}$/;

/** Marks a kept file as just used. Best effort: a file that cannot be touched only ages sooner. */
export function markUsed(path: string): void {
  const now = new Date();
  try {
    // On this thread: one small call per hit, where a pool round trip is longer than the call.
    utimesSync(path, now, now);
  } catch {
    // Gone or read-only: it is only older than it should be.
  }
}

/**
 * Removes the least recently used of the files named like `file` (in `dir`, or in its two-hex-digit
 * shard folders) until the rest fit `limitBytes`. Links, folders and anything else are left alone.
 */
export async function keepWithin(dir: string, limitBytes: number, file: RegExp): Promise<void> {
  const found: { path: string; size: number; used: number }[] = [];
  let total = 0;
  const visit = async (folder: string, depth: number): Promise<void> => {
    for (const e of await readdir(folder, { withFileTypes: true }).catch(() => [])) {
      if (depth === 0 && e.isDirectory() && SHARD.test(e.name)) await visit(join(folder, e.name), 1);
      if (!e.isFile() || !file.test(e.name)) continue;
      const path = join(folder, e.name);
      const st = await lstat(path).catch(() => undefined);
      if (!st?.isFile()) continue;
      found.push({ path, size: st.size, used: st.mtimeMs });
      total += st.size;
    }
  };
  await visit(dir, 0);
  if (total <= limitBytes) return;
  found.sort((a, b) => b.used - a.used);
  let kept = 0;
  for (const f of found) {
    kept += f.size;
    if (kept > limitBytes) await rm(f.path, { force: true });
  }
}
