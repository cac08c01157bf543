import { lstatSync } from 'node:fs';

/**
 * Where a path stands, without following a link or reading a byte: its kind, inode, mtime and
 * ctime (ms, to the µs). Every way art reaches a cache entry (our store's writes, a git pull,
 * rsync, an `rm -r`) adds, removes or renames a file in the entry's folder, and so moves the
 * folder's mtime and ctime; ctime cannot be set back. It is what git's index trusts for the same
 * reason, with the same care for racy timestamps (see `racy`).
 */
export type Signature = [kind: number, ino: number, mtimeMs: number, ctimeMs: number];
export const FOLDER = 1;
const FILE = 2;
const NO_THROW = { throwIfNoEntry: false } as const;

export function signature(path: string): Signature | undefined {
  let st;
  try {
    st = lstatSync(path, NO_THROW);
  } catch {
    return undefined;
  }
  if (!st) return undefined;
  return [st.isDirectory() ? FOLDER : st.isFile() ? FILE : 0, st.ino, st.mtimeMs, st.ctimeMs];
}

/**
 * Each cache entry's signature as one build first saw it, by key: a build keys what it keeps by the
 * entries it read, and looking at 8000 folders once is 40 ms, twice 80. The first look comes before
 * the entry's art is read, so a change after it makes the next build miss, never reuse stale art;
 * a change during the build is racy (`racy`) and keeps nothing.
 */
export type EntrySignatures = Map<string, Signature | undefined>;

/** The entry's signature from `book`, or taken now (and written in it). */
export function entrySignature(book: EntrySignatures | undefined, key: string, dir: string): Signature | undefined {
  if (book?.has(key)) return book.get(key);
  const sig = signature(dir);
  book?.set(key, sig);
  return sig;
}

export const sameSignature = (a: Signature | undefined, b: readonly number[]): boolean =>
  !!a && a[0] === b[0] && a[1] === b[1] && a[2] === b[2] && a[3] === b[3];

/**
 * Whether a signature's timestamps leave room for a later change with the same timestamps: as new
 * as `since` (less the file system's timestamp grain: 50 ms, or 2 s where only whole seconds are
 * kept). A racy input is not trusted: what was made from it is not kept by it.
 */
export function racy(sig: Signature, since: number): boolean {
  const times = [sig[2], sig[3]];
  const grain = times.every((t) => t % 1000 === 0) ? 2000 : 50;
  return times.some((t) => t >= since - grain);
}
