import { lstatSync } from 'node:fs';
import { isAbsolute, relative } from 'node:path';
import { sameSignature, signature, type Signature } from './stat-signature.js';

/**
 * Checks that thousands of cache entries still have the stat signatures stored for them
 * (fs/stat-signature.ts), in the cache folder's layout (cache/folder.ts: `<key[0..2]>/<key>.json`
 * beside the entry's images). It is the one step of a kept build that grows with the game.
 *
 * A shard whose own signature is the one stored stands for every entry in it: an entry's files
 * are written, replaced and removed by name in the shard's folder, which moves its timestamps. So
 * an unchanged cache is 256 `lstat`s whatever its size; only the entries of a shard that changed
 * (a teammate's new sprite landed beside them) are looked at one by one, 3 to 7 µs each.
 *
 * On the calling thread, on purpose. Measured on a quiet 2-core machine, whole `vite build`s at 8000
 * and 20 000 entries, one `lstat` per entry: a helper thread taking half the list, and libuv's pool
 * (32 calls in flight, begun while Vite resolves its config), were both no faster.
 */

const KEY_CHARS = 64;

/** A shard folder's name (two hex digits) and its signature when its entries' signatures were taken. */
export type ShardSignature = [name: string, ...sig: Signature];

/**
 * Compares the entries of `keys` (64-character keys, end to end) under `root` with `sigs` (kind,
 * ino, mtimeMs, ctimeMs of each record file); an entry in a shard of `shards` whose folder is
 * unchanged is taken as unchanged without a look. True when every one is the same file. Stops at
 * the first difference.
 */
export function sameEntries(root: string, keys: string, sigs: Float64Array, shards: readonly ShardSignature[] = []): boolean {
  const noThrow = { throwIfNoEntry: false } as const;
  const n = keys.length / KEY_CHARS;
  // The kernel walks every component of every path: from the working folder (a build's is usually
  // the project) that is two, not the seven or more of the absolute path; 15 % of the check. The
  // loop is synchronous, so the working folder cannot change under it.
  const rel = relative(process.cwd(), root);
  const base = rel === '' ? '.' : rel.startsWith('..') || isAbsolute(rel) ? root : rel;
  const unchanged = new Set<string>();
  for (const [name, ...sig] of shards) if (sameSignature(signature(`${base}/${name}`), sig)) unchanged.add(name);
  for (let i = 0; i < n; i++) {
    const key = keys.slice(i * KEY_CHARS, (i + 1) * KEY_CHARS);
    const shard = key.slice(0, 2);
    if (unchanged.has(shard)) continue;
    let st;
    try {
      st = lstatSync(`${base}/${shard}/${key}.json`, noThrow);
    } catch {
      return false;
    }
    const at = 4 * i;
    if (!st?.isFile() || st.ino !== sigs[at + 1] || st.mtimeMs !== sigs[at + 2] || st.ctimeMs !== sigs[at + 3]) return false;
  }
  return true;
}
