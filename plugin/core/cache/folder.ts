import { randomBytes } from 'node:crypto';
import { mkdir, readdir, rm } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import { atomicWrite } from '../fs/atomic-write.js';
import { isProcessAlive } from './lock.js';
import { ensureRealFolder, readRegular } from '../fs/untrusted-fs.js';

export const DEFAULT_CACHE_DIR = 'manifests/.retro-cache';

const KEY_RE = /^[0-9a-f]{64}$/;
const SHARD_RE = /^[0-9a-f]{2}$/;
const RECORD_RE = /^([0-9a-f]{64})\.json$/;
/** `.tmp-<key prefix>-<pid>-<random>.<name>`: a file of an entry being written. */
const ENTRY_TEMP_RE = /^\.tmp-[0-9a-f]+-(\d+)-/;

/** Local areas of the folder: never committed (see the folder's own .gitignore). */
const LOCKS = '.locks';
const CORRUPT = '.corrupt';
const PAGES = '.pages';
const PARSES = '.parses';
const ATLASES = '.atlases';
const BUILDS = '.builds';
/** Paid v2 tasks whose art has not landed yet, one record per key (see providers/retrodiffusion/v2/journal.ts). */
const PENDING = '.pending';

const IGNORE_FILE =
  '# Written by retro-sprites: locks, interrupted writes, pending tasks and derived data are local; entries are meant to be committed.\n' +
  `${LOCKS}/\n${CORRUPT}/\n${PAGES}/\n${PENDING}/\n${PARSES}/\n${ATLASES}/\n${BUILDS}/\n**/.tmp-*\n`;

/** The cache folder of a project: the option, else RETRO_SPRITES_CACHE, else the default; relative to the root. */
export function resolveCacheDir(root: string, option: string | undefined, env: NodeJS.ProcessEnv): string {
  // RETRO_SPRITES_CACHE: a throwaway cache for a session against the emulator, without editing the config.
  return resolve(root, option ?? (env.RETRO_SPRITES_CACHE?.trim() || DEFAULT_CACHE_DIR));
}

export function isCacheKey(key: string): boolean {
  return KEY_RE.test(key);
}

/**
 * The cache folder's layout, in one place: committed entries as files directly in their shard,
 * `<key[0..2]>/<key>.json` (the record) beside `<key[0..2]>/<key>.0.png`… (the images), and the
 * local areas beside them: `.locks/` (one lock file per key in generation), `.corrupt/` (damaged
 * entries set aside for a person to inspect), `.pages/`, `.parses/`, `.atlases/` and `.builds/` (derived
 * data a build may keep: encoded atlas pages, manifest parses, each atlas's output, whole builds), `.pending/` (paid v2
 * tasks not landed yet) and `.tmp-*` (writes in progress). The store, the page store and prune all
 * go through it, so no other module knows where anything lies.
 *
 * Files in the shard, not a folder per entry: every way art reaches an entry (a write, a `git pull`,
 * rsync, a removal) adds, removes or renames a file in the shard, so one `lstat` of a shard tells
 * whether any of its entries changed (a kept build looks at 256 shards, not 20 000 entries).
 * Earlier versions kept an entry as a folder, `<key[0..2]>/<key>/record.json`; the store still
 * reads one and moves it into this layout (`legacyEntryDir`).
 */
export class CacheFolder {
  /** The folder as `join` writes it, so an entry's path can be put together without it. */
  private readonly base: string;

  constructor(readonly dir: string) {
    const base = join(dir, '.');
    this.base = base.endsWith(sep) ? base.slice(0, -1) : base;
  }

  get locksDir(): string {
    return join(this.dir, LOCKS);
  }

  get corruptDir(): string {
    return join(this.dir, CORRUPT);
  }

  /** Derived, local, safe to delete at any time. */
  get pagesDir(): string {
    return join(this.dir, PAGES);
  }

  /** Manifest parses kept by their text's hash (manifest/parse-cache.ts): derived, local. */
  get parsesDir(): string {
    return join(this.dir, PARSES);
  }

  /** Each atlas's output by its inputs (phaser/atlas-memo.ts): derived, local. */
  get atlasesDir(): string {
    return join(this.dir, ATLASES);
  }

  /** Whole builds by their inputs (build-memo.ts): derived, local. */
  get buildsDir(): string {
    return join(this.dir, BUILDS);
  }

  /** Records of paid work in flight, so an interrupted run resumes it instead of paying again. */
  get pendingDir(): string {
    return join(this.dir, PENDING);
  }

  /** The entry is in: its pending-task record (if any) has done its job. */
  async clearPending(key: string): Promise<void> {
    if (isCacheKey(key)) await rm(join(this.pendingDir, `${key}.json`), { force: true });
  }

  shardDir(key: string): string {
    // Asked for every entry, several times a build: `join` is ten times the cost of the concatenation
    // it comes to for a key (64 hex digits: nothing to normalize).
    return isCacheKey(key) ? `${this.base}${sep}${key.slice(0, 2)}` : join(this.dir, key.slice(0, 2));
  }

  /**
   * An entry's record, written last: an entry exists when its record does. Its stat signature is
   * what the memos key on (a regenerated entry gets a new record file).
   */
  recordFile(key: string): string {
    return this.entryFile(key, 'json');
  }

  /** One of an entry's files: `name` as its record gives it (`0.png`), beside the record. */
  entryFile(key: string, name: string): string {
    return isCacheKey(key) ? `${this.base}${sep}${key.slice(0, 2)}${sep}${key}.${name}` : join(this.shardDir(key), `${key}.${name}`);
  }

  /** Where an entry lay in earlier versions: a folder of its own, `<key[0..2]>/<key>/record.json`. */
  legacyEntryDir(key: string): string {
    return join(this.shardDir(key), key);
  }

  /** A fresh name beside the entry's place; its files are written as `<temp>.<name>` before their renames. */
  entryTemp(key: string): string {
    return join(this.shardDir(key), `.tmp-${key.slice(0, 16)}-${process.pid}-${randomBytes(4).toString('hex')}`);
  }

  /** The names in the entry's shard that are its files (the record included), as found there. */
  async entryFileNames(key: string): Promise<string[]> {
    const prefix = `${key}.`;
    const names = await readdir(this.shardDir(key)).catch(() => [] as string[]);
    return names.filter((n) => n.startsWith(prefix));
  }

  /** A fresh place in `.corrupt/` for a damaged entry. */
  corruptPlace(key: string): string {
    return join(this.corruptDir, `${key}-${Date.now()}-${randomBytes(3).toString('hex')}`);
  }

  private ignoreWritten = false;
  /** The folder's own `.gitignore`, brought up to date when an older version wrote it. */
  async ensureIgnoreFile(): Promise<void> {
    if (this.ignoreWritten) return;
    await mkdir(dirname(this.dir), { recursive: true });
    await ensureRealFolder(this.dir);
    const path = join(this.dir, '.gitignore');
    // Read without following a link (a committed `.gitignore -> /dev/zero` must not hang us); the
    // write replaces the name itself (rename), so a link there is replaced, never written through.
    const read = await readRegular(path, 64 * 1024);
    const current = 'bytes' in read ? read.bytes.toString('utf8') : undefined;
    if (current !== IGNORE_FILE) await atomicWrite(path, IGNORE_FILE);
    this.ignoreWritten = true;
  }

  /** Every complete entry's key (temp files, locks and set-aside entries excluded; entries in the old layout included), sorted. */
  async entryKeys(): Promise<string[]> {
    const out = new Set<string>();
    for (const shard of await this.shards()) {
      for (const entry of await readdir(join(this.dir, shard), { withFileTypes: true })) {
        const m = RECORD_RE.exec(entry.name);
        if (m && entry.isFile()) out.add(m[1]!);
        else if (entry.isDirectory() && isCacheKey(entry.name)) out.add(entry.name);
      }
    }
    return [...out].sort();
  }

  /** Removes temp files (and folders, of older versions) that interrupted writes of dead processes left behind (they are never read). */
  async sweepTemp(): Promise<number> {
    let n = 0;
    for (const shard of await this.shards()) {
      for (const entry of await readdir(join(this.dir, shard))) {
        const m = ENTRY_TEMP_RE.exec(entry);
        if (m && !isProcessAlive(Number(m[1]))) {
          await rm(join(this.dir, shard, entry), { recursive: true, force: true });
          n++;
        }
      }
    }
    return n;
  }

  /** Drops the derived data; the next build makes what it needs again. */
  async clearDerived(): Promise<void> {
    await rm(this.pagesDir, { recursive: true, force: true });
    await rm(this.parsesDir, { recursive: true, force: true });
    await rm(this.atlasesDir, { recursive: true, force: true });
    await rm(this.buildsDir, { recursive: true, force: true });
  }

  private async shards(): Promise<string[]> {
    const all = await readdir(this.dir, { withFileTypes: true }).catch(() => []);
    return all.filter((d) => d.isDirectory() && SHARD_RE.test(d.name)).map((d) => d.name);
  }
}
