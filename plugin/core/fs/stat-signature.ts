import { lstatSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Where a path stands, without following a link or reading a byte: its kind, inode, mtime and
 * ctime (ms, to the µs). Every way art reaches a cache entry (our store's writes, a git pull,
 * rsync, an `rm`) writes its record as a new file, or renames one into place, and so gives the
 * record a new inode or ctime, and moves the mtime and ctime of the shard's folder it lies in;
 * ctime cannot be set back. It is what git's index trusts for the same reason, with the same care
 * for racy timestamps (see `racy`).
 */
export type Signature = [kind: number, ino: number, mtimeMs: number, ctimeMs: number];
export const FOLDER = 1;
export const FILE = 2;
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
 * Entries' signatures from an earlier look (the last build's memo), each with the signature its
 * shard folder had then: while the folder still has that one, none of its entries changed since
 * (fs/folder-check.ts), so the entry's signature is the one known.
 */
export type KnownSignatures = (key: string) => { record: Signature; shard: readonly number[] } | undefined;

/**
 * Each cache entry's signature (its record file's) as one build first saw it, by key: a build keys
 * what it keeps by the entries it read, and looking at 8000 records once is 40 ms, twice 80. The first look comes before
 * the entry's art is read, so a change after it makes the next build miss, never reuse stale art;
 * a change during the build is racy (`racy`) and keeps nothing, unless the entry is settled.
 *
 * The folder a record lies in (its shard) is looked at before the first of its records: found the
 * same when the build keeps its output, it says none of its entries changed since (`shardAt`).
 * Found as it was when `known` took its entries' signatures, it stands for that first look of each.
 */
export class EntrySignatures {
  private readonly seen = new Map<string, Signature | undefined>();
  private readonly settled = new Set<string>();
  private readonly shards = new Map<string, Signature | undefined>();

  constructor(private readonly known?: KnownSignatures) {}

  /** The entry's signature as first seen, or taken now (and remembered). `record`: its record file. */
  of(key: string, record: string): Signature | undefined {
    if (this.seen.has(key)) return this.seen.get(key);
    const shard = record.slice(0, Math.max(record.lastIndexOf('/'), record.lastIndexOf('\\')));
    let folder = this.shards.get(shard);
    if (folder === undefined && !this.shards.has(shard)) this.shards.set(shard, (folder = signature(shard)));
    const known = this.known?.(key);
    const sig = known && sameSignature(folder, known.shard) ? known.record : signature(record);
    this.seen.set(key, sig);
    return sig;
  }

  /** The signature of a shard folder as first seen, before any record in it; undefined if none was looked at. */
  shardAt(path: string): Signature | undefined {
    return this.shards.get(path);
  }

  /**
   * Whether the entry's record, with this signature, can key what the build made from it: a file,
   * and not changed so close to `since` (the build's start) that a later change could look the
   * same; a settled entry was checked after its change instead.
   */
  trusted(key: string, sig: Signature | undefined, since: number): sig is Signature {
    return sig?.[0] === FILE && (this.settled.has(key) || !racy(sig, since));
  }

  /**
   * An entry that changed during the build (the build wrote it, or fetched it): its signature taken
   * once its timestamps are past the grain (waiting out the few ms left of it), and kept in place of
   * the first look when `holdsWhatWasUsed` then finds in it the art the build used. Read after the
   * signature was taken, so a change after the read moves the signature, and a change before it
   * fails the comparison.
   */
  async settle(key: string, record: string, holdsWhatWasUsed: () => Promise<boolean>): Promise<boolean> {
    // A timer may fire a little before the wall clock says it should: looked at again until it agrees.
    for (let rounds = 0; ; rounds++) {
      const sig = signature(record);
      if (sig?.[0] !== FILE) return false;
      const wait = settlesAt(sig) + 1 - Date.now();
      if (wait <= 0) {
        if (!(await holdsWhatWasUsed())) return false;
        this.seen.set(key, sig);
        this.settled.add(key);
        return true;
      }
      // Past the 50 ms grain, or still being written to after a few waits: left racy.
      if (wait > MAX_SETTLE_WAIT_MS || rounds === 3) return false;
      await sleep(wait);
    }
  }
}

/** The 50 ms grain, not the 2 s of a file system that keeps whole seconds: that entry stays racy. */
const MAX_SETTLE_WAIT_MS = 60;

export const sameSignature = (a: Signature | undefined, b: readonly number[]): boolean =>
  !!a && a[0] === b[0] && a[1] === b[1] && a[2] === b[2] && a[3] === b[3];

/**
 * Whether a signature's timestamps leave room for a later change with the same timestamps: as new
 * as `since` (less the file system's timestamp grain: 50 ms, or 2 s where only whole seconds are
 * kept). A racy input is not trusted: what was made from it is not kept by it.
 */
export function racy(sig: Signature, since: number): boolean {
  return since <= settlesAt(sig);
}

/** The moment from which a signature is no longer racy: its newest timestamp and the grain. */
export function settlesAt(sig: Signature): number {
  const [, , mtime, ctime] = sig;
  const grain = mtime % 1000 === 0 && ctime % 1000 === 0 ? 2000 : 50;
  return Math.max(mtime, ctime) + grain;
}
