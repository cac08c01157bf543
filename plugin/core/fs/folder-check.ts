import { lstatSync } from 'node:fs';
import { isAbsolute, relative } from 'node:path';

/**
 * Checks that thousands of cache entries' folders still have the stat signatures stored for them
 * (fs/stat-signature.ts). It is the one step of a kept build that grows with the game: a `lstat`
 * per entry, 3 to 7 µs each in a VM, 25 to 55 ms at 8000 entries.
 *
 * On the calling thread, on purpose. Measured on a quiet 2-core machine, whole `vite build`s at 8000
 * and 20 000 entries: a helper thread taking half the list, and libuv's pool (32 calls in flight,
 * begun while Vite resolves its config), were both no faster; the calls do not overlap any better.
 * Nor was a thread started from Vite's `config` hook to look ahead: starting it, reading the memo
 * and its first, unoptimized `lstat`s took 150 to 175 ms, and the build asks 50 to 90 ms after it.
 */

const KEY_CHARS = 64;

/**
 * Compares the entries of `keys` (64-character keys, end to end) under `root`/<key[0..2]>/ with
 * `sigs` (kind, ino, mtimeMs, ctimeMs per entry); true when every one is the same folder. Stops at
 * the first difference.
 */
export function sameFolders(root: string, keys: string, sigs: Float64Array): boolean {
  const noThrow = { throwIfNoEntry: false } as const;
  const n = keys.length / KEY_CHARS;
  // The kernel walks every component of every path: from the working folder (a build's is usually
  // the project) that is two, not the seven or more of the absolute path; 15 % of the check. The
  // loop is synchronous, so the working folder cannot change under it.
  const rel = relative(process.cwd(), root);
  const base = rel === '' ? '.' : rel.startsWith('..') || isAbsolute(rel) ? root : rel;
  for (let i = 0; i < n; i++) {
    const key = keys.slice(i * KEY_CHARS, (i + 1) * KEY_CHARS);
    let st;
    try {
      st = lstatSync(`${base}/${key.slice(0, 2)}/${key}`, noThrow);
    } catch {
      return false;
    }
    const at = 4 * i;
    if (!st?.isDirectory() || st.ino !== sigs[at + 1] || st.mtimeMs !== sigs[at + 2] || st.ctimeMs !== sigs[at + 3]) return false;
  }
  return true;
}
