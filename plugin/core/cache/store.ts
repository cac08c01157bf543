import { link, mkdir, open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { shortKey } from '../cache-key.js';
import { RetroSpritesError } from '../errors.js';
import type { GeneratedImage, GenerationResult } from '../providers/provider.js';
import { sha256Hex } from './hash.js';
import { CacheFolder, isCacheKey } from './folder.js';
import { KeyLocks } from './lock.js';
import { CACHE_FORMAT, type CacheRecord, type CachedFile } from './record.js';
import { ensureRealFolder, isPlainName, kindOf, kindOfSync, readRegularSync } from '../fs/untrusted-fs.js';
import { printable } from '../printable.js';
import { MAX_DECODE_PIXELS } from '../image/png.js';

/** A record is a few hundred bytes; anything near this is not one. */
const MAX_RECORD_BYTES = 1024 * 1024;
/** The largest answer the API client accepts; no stored image can be larger. */
const MAX_ENTRY_FILE_BYTES = 64 * 1024 * 1024;
const SHA256_RE = /^[0-9a-f]{64}$/;

/** The most bytes an honest file of this record can have: generous for any encoder, bounded for a bomb. */
function fileLimit(f: CachedFile): number {
  const frames = f.format === 'gif' ? 64 : 1;
  return Math.min(MAX_ENTRY_FILE_BYTES, 1024 * 1024 + 8 * f.width * f.height * frames);
}

/** Why a record's file entry cannot be trusted, or undefined. */
function fileProblem(f: unknown): string | undefined {
  if (!f || typeof f !== 'object') return 'its record lists a file that is not an object';
  const c = f as Partial<CachedFile>;
  if (!isPlainName(c.name) || c.name === 'json') return `its record names a file outside its entry (${printable(JSON.stringify(c.name ?? null), 60)}); entry files are plain names like 0.png`;
  if (c.format !== 'png' && c.format !== 'gif') return `its record gives ${c.name} the format ${printable(JSON.stringify(c.format ?? null), 20)}`;
  const side = (n: unknown) => typeof n === 'number' && Number.isInteger(n) && n > 0 && n <= 8192;
  if (!side(c.width) || !side(c.height) || c.width! * c.height! > MAX_DECODE_PIXELS) return `its record gives ${c.name} a size no image of ours has`;
  if (typeof c.sha256 !== 'string' || !SHA256_RE.test(c.sha256)) return `its record gives ${c.name} no sha256`;
  return undefined;
}

function describeKind(kind: string): string {
  return kind === 'link' ? 'a symbolic link' : kind === 'file' ? 'a file' : 'not a folder';
}

/** A verified cache entry: every file's sha256 matched its record. */
export interface CacheEntry {
  key: string;
  record: CacheRecord;
  images: GeneratedImage[];
}

/** An entry that failed verification and was moved aside. */
export interface CorruptEntry {
  key: string;
  reason: string;
  /** Where the damaged folder now lies, for a person to inspect. */
  setAsideTo: string;
}

export type CacheLookup = { status: 'hit'; entry: CacheEntry } | { status: 'miss' } | { status: 'corrupt'; corrupt: CorruptEntry };

/** A new file, written and flushed to disk: an entry holds art that was paid for. */
async function writeDurable(path: string, bytes: Uint8Array | string): Promise<void> {
  const h = await open(path, 'wx');
  try {
    await h.writeFile(bytes);
    await h.sync();
  } finally {
    await h.close();
  }
}

/** What the synchronous look at an entry found; the asynchronous part (setting aside, moving an old entry) follows. */
type Probe =
  | CacheLookup
  | { aside: 'shard'; path: string; reason: string }
  | { aside: 'entry'; reason: string }
  | { legacy: true };

/**
 * The content-addressed store: in `<dir>/<key[0..2]>/`, `<key>.json` (the record) and the images
 * exactly as received (`<key>.0.png`, `<key>.1.gif`, …; see folder.ts). The images are written
 * first, each to a temp name and renamed into place, the record last: a reader (or a crash) sees no
 * entry or a whole one, and the record names each file by its sha256.
 */
export class CacheStore {
  readonly dir: string;
  readonly folder: CacheFolder;
  readonly locks: KeyLocks;

  constructor(dir: string, opts: { lockPollMs?: number; lockStaleMs?: number } = {}) {
    this.dir = dir;
    this.folder = new CacheFolder(dir);
    this.locks = new KeyLocks(this.folder.locksDir, { pollMs: opts.lockPollMs, staleMs: opts.lockStaleMs });
  }

  /** Where providers that resume paid work keep their records (the folder's `.pending/`). */
  get pendingDir(): string {
    return this.folder.pendingDir;
  }

  /** The file whose stat signature stands for the entry (its record). */
  recordFile(key: string): string {
    return this.folder.recordFile(key);
  }

  /**
   * Reads and verifies an entry. A damaged entry is moved to `.corrupt/` and reported, never
   * returned; so is a damaged layout (a shard that is a file or a link, a record that is a folder
   * or a link, an entry that cannot be read), before anything is paid for it.
   */
  async lookup(key: string): Promise<CacheLookup> {
    assertKey(key);
    await this.checkRoot();
    return this.settle(key, this.probe(key));
  }

  /**
   * An entry's verdict, read synchronously: its files are small and local, and each read through
   * the event loop costs a thread-pool round trip (ten per entry) that is longer than the read.
   * `folders`: shards already seen to be folders in this pass (256 shards hold thousands of entries;
   * only a folder is remembered, so a shard set aside is looked at again).
   */
  private probe(key: string, folders?: Set<string>): Probe {
    const shard = this.folder.shardDir(key);
    try {
      if (!folders?.has(shard)) {
        const shardKind = kindOfSync(shard);
        if (shardKind === 'missing') return { status: 'miss' };
        if (shardKind !== 'folder') return { aside: 'shard', path: shard, reason: `its shard ${basename(shard)} is ${describeKind(shardKind)}, not a folder` };
        folders?.add(shard);
      }
    } catch (err) {
      return { aside: 'shard', path: shard, reason: `it cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})` };
    }
    const record = readRegularSync(this.folder.recordFile(key), MAX_RECORD_BYTES);
    if ('missing' in record) {
      // A miss, unless the entry is still in the layout of earlier versions.
      let legacy: string;
      try {
        legacy = kindOfSync(this.folder.legacyEntryDir(key));
      } catch {
        legacy = 'other';
      }
      return legacy === 'missing' ? { status: 'miss' } : { legacy: true };
    }
    if ('problem' in record) return { aside: 'entry', reason: `its record ${record.problem}` };
    const verdict = this.verify(key, record.bytes.toString('utf8'), (name) => this.folder.entryFile(key, name));
    return typeof verdict === 'string' ? { aside: 'entry', reason: verdict } : { status: 'hit', entry: verdict };
  }

  private settle(key: string, found: Probe): Promise<CacheLookup> | CacheLookup {
    if ('legacy' in found) return this.moveLegacy(key);
    if (!('aside' in found)) return found;
    return found.aside === 'shard' ? this.setAsidePath(key, found.path, found.reason) : this.setAsideEntry(key, found.reason);
  }

  private rootChecked = false;
  /** The folder itself may be missing (nothing cached yet), never a link or a file. */
  private async checkRoot(): Promise<void> {
    if (this.rootChecked) return;
    const kind = await kindOf(this.dir);
    if (kind !== 'missing' && kind !== 'folder') {
      throw new RetroSpritesError(
        'cache-layout',
        `the cache folder ${this.dir} is ${describeKind(kind)}; retro-sprites reads and writes only a real folder (a committed link could point anywhere). Replace it with the folder itself`,
      );
    }
    this.rootChecked = kind === 'folder';
  }

  /** Looks many keys up, each once. */
  async lookupMany(keys: readonly string[]): Promise<Map<string, CacheLookup>> {
    const out = new Map<string, CacheLookup>();
    await this.checkRoot();
    const folders = new Set<string>();
    for (const key of new Set(keys)) {
      assertKey(key);
      out.set(key, await this.settle(key, this.probe(key, folders)));
    }
    return out;
  }

  /** The entry its record describes, each file read from `pathOf(name)` and checked; or why not. */
  private verify(key: string, recordText: string, pathOf: (name: string) => string): CacheEntry | string {
    let record: CacheRecord;
    try {
      record = JSON.parse(recordText) as CacheRecord;
    } catch {
      return 'its record is not valid JSON';
    }
    if (!record || typeof record !== 'object' || Array.isArray(record)) return 'its record is not a record';
    if (record.key !== key) return `its record names key ${shortKey(String(record.key))}, not this entry's`;
    if (record.format !== CACHE_FORMAT) {
      throw new RetroSpritesError(
        'cache-format',
        `cache entry ${shortKey(key)} has format ${record.format}; this version of retro-sprites reads format ${CACHE_FORMAT}. Upgrade vite-plugin-retro-sprites.`,
      );
    }
    if (!Array.isArray(record.files) || record.files.length === 0) return 'its record lists no files';
    for (const f of record.files as unknown[]) {
      const problem = fileProblem(f);
      if (problem) return problem;
    }
    if (new Set(record.files.map((f) => f.name)).size !== record.files.length) return 'its record lists a file twice';
    const images: GeneratedImage[] = [];
    for (const f of record.files) {
      const read = readRegularSync(pathOf(f.name), fileLimit(f));
      if ('missing' in read) return `${f.name} is missing`;
      if ('problem' in read) return `${f.name} ${read.problem}`;
      const bytes = read.bytes;
      if (sha256Hex(bytes) !== f.sha256) return `${f.name} does not match its sha256 (the file changed or is truncated)`;
      images.push({ format: f.format, bytes: new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), width: f.width, height: f.height });
    }
    return { key, record, images };
  }

  /**
   * An entry in the layout of earlier versions (`<key[0..2]>/<key>/record.json`), verified there
   * and then moved into today's by renames (its bytes, as committed, untouched: git sees renames),
   * the record last. A damaged one is set aside like any other.
   */
  private async moveLegacy(key: string): Promise<CacheLookup> {
    const dir = this.folder.legacyEntryDir(key);
    const kind = await kindOf(dir).catch(() => 'other' as const);
    if (kind === 'missing') return this.lookup(key);
    if (kind !== 'folder') return this.setAsidePath(key, dir, `the entry is ${describeKind(kind)}, not a folder`);
    const record = readRegularSync(join(dir, 'record.json'), MAX_RECORD_BYTES);
    if ('missing' in record) return this.setAsidePath(key, dir, 'record.json is missing');
    if ('problem' in record) return this.setAsidePath(key, dir, `record.json ${record.problem}`);
    const verdict = this.verify(key, record.bytes.toString('utf8'), (name) => join(dir, name));
    if (typeof verdict === 'string') return this.setAsidePath(key, dir, verdict.replace(/^its record/, 'record.json'));
    try {
      for (const f of verdict.record.files) await rename(join(dir, f.name), this.folder.entryFile(key, f.name));
      await rename(join(dir, 'record.json'), this.folder.recordFile(key));
      await rm(dir, { recursive: true, force: true });
    } catch (err) {
      // Another process moved it first: look again.
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return this.lookup(key);
      throw new RetroSpritesError('cache-layout', `cache entry ${shortKey(key)} could not be moved out of ${dir} into the cache's layout: ${(err as Error).message}. Check the folder's permissions and run again`, { cause: err });
    }
    return { status: 'hit', entry: verdict };
  }

  /**
   * Moves a damaged entry's files (the record first, so it is gone at once) into one folder in
   * `.corrupt/`, named as in an entry of their own (`record.json`, `0.png`) for a person to inspect.
   */
  private setAsideEntry(key: string, reason: string): Promise<CacheLookup> {
    const record = `${key}.json`;
    return this.setAside(key, reason, this.folder.recordFile(key), async (target) => {
      const names = (await this.folder.entryFileNames(key)).sort((a, b) => Number(b === record) - Number(a === record));
      await mkdir(target);
      for (const [i, name] of names.entries()) {
        const gone = !(await moved(join(this.folder.shardDir(key), name), join(target, name === record ? 'record.json' : name.slice(key.length + 1))));
        if (gone && i === 0) return false;
      }
      return true;
    });
  }

  /** Moves what lies at `path` (a shard in the way, or an entry of the old layout) to `.corrupt/` for a person to inspect. */
  private setAsidePath(key: string, path: string, reason: string): Promise<CacheLookup> {
    return this.setAside(key, reason, path, (target) => moved(path, target));
  }

  /** `move` puts what is damaged at a fresh place in `.corrupt/`; false when another process set it aside (or replaced it) first: then the key is looked at again. */
  private async setAside(key: string, reason: string, what: string, move: (target: string) => Promise<boolean>): Promise<CacheLookup> {
    const target = this.folder.corruptPlace(key);
    await ensureRealFolder(this.dir);
    await ensureRealFolder(this.folder.corruptDir);
    try {
      if (!(await move(target))) return this.lookup(key);
    } catch (err) {
      throw new RetroSpritesError(
        'cache-layout',
        `cache entry ${shortKey(key)} is damaged (${reason}) and could not be set aside to ${target}: ${(err as Error).message}. Remove ${what} and run again`,
        { cause: err },
      );
    }
    return { status: 'corrupt', corrupt: { key, reason, setAsideTo: target } };
  }

  /**
   * Writes an entry atomically. If the entry appeared meanwhile (another process won a race it
   * should not have been in), the existing entry wins and ours is discarded.
   */
  async put(
    key: string,
    result: GenerationResult,
    meta: { provider: { id: string; version: string }; request: Record<string, unknown>; requestedBy: string },
  ): Promise<CacheEntry> {
    assertKey(key);
    const files: CachedFile[] = result.images.map((image, i) => ({
      name: `${i}.${image.format}`,
      format: image.format,
      width: image.width,
      height: image.height,
      sha256: sha256Hex(image.bytes),
    }));
    const record: CacheRecord = {
      format: CACHE_FORMAT,
      key,
      provider: meta.provider,
      request: meta.request,
      requested_by: meta.requestedBy,
      cost: result.cost,
      ...(result.model ? { model: result.model } : {}),
      ...(result.type ? { type: result.type } : {}),
      created_at: new Date(result.createdAt * 1000).toISOString(),
      files,
    };
    return this.putRecord(record, result.images);
  }

  /** Writes of this store in progress, by key: one at a time, so two never rename images over each other. */
  private readonly writing = new Map<string, Promise<unknown>>();

  /**
   * Writes an entry whose record is already made (one fetched from a remote cache, verified), so
   * the local copy is byte for byte the record that was paid for. Same atomic write as `put`.
   *
   * Writers of one key take turns in this process; between processes, paid art is written under
   * the key's lock (generate/obtain.ts), and two copies of one remote entry are the same bytes.
   */
  putRecord(record: CacheRecord, images: readonly GeneratedImage[]): Promise<CacheEntry> {
    const key = record.key;
    const before = this.writing.get(key) ?? Promise.resolve();
    const mine = before.catch(() => undefined).then(() => this.write(record, images));
    this.writing.set(key, mine);
    const forget = () => {
      if (this.writing.get(key) === mine) this.writing.delete(key);
    };
    mine.then(forget, forget);
    return mine;
  }

  private async write(record: CacheRecord, images: readonly GeneratedImage[]): Promise<CacheEntry> {
    const key = record.key;
    assertKey(key);
    // A record from elsewhere (a remote cache) names its own files: plain names inside the entry only.
    for (const f of record.files) {
      if (!isPlainName(f.name) || f.name === 'json') throw new RetroSpritesError('cache-layout', `cache entry ${shortKey(key)} names a file outside its entry (${printable(JSON.stringify(f.name), 60)}); refusing to write it`);
    }
    // Real folders only, all the way down: a link planted as the shard would take the entry elsewhere.
    await mkdir(dirname(this.dir), { recursive: true });
    await ensureRealFolder(this.dir);
    await ensureRealFolder(this.folder.shardDir(key));
    await this.folder.ensureIgnoreFile();
    const tmp = this.folder.entryTemp(key);
    const temps: string[] = [];
    const existing = async (): Promise<CacheEntry> => {
      const found = await this.lookup(key);
      if (found.status !== 'hit') return this.write(record, images);
      await this.folder.clearPending(key);
      return found.entry;
    };
    try {
      for (const [i, image] of images.entries()) {
        temps.push(`${tmp}.${record.files[i]!.name}`);
        await writeDurable(temps.at(-1)!, image.bytes);
      }
      temps.push(`${tmp}.json`);
      await writeDurable(temps.at(-1)!, JSON.stringify(record, null, 2) + '\n');
      // Under the key's lock nobody else writes this entry; the look is for one that raced anyway.
      if ((await kindOf(this.folder.recordFile(key))) !== 'missing') return await existing();
      for (const [i, f] of record.files.entries()) await rename(temps[i]!, this.folder.entryFile(key, f.name));
      if (!(await linkNew(temps.at(-1)!, this.folder.recordFile(key)))) return await existing();
      await this.folder.clearPending(key);
      return { key, record, images: [...images] };
    } finally {
      for (const t of temps) await rm(t, { force: true });
    }
  }

  /** Every complete entry's key, sorted. */
  keys(): Promise<string[]> {
    return this.folder.entryKeys();
  }

  /** Removes one entry (prune): its record first, so no reader sees it half gone. */
  async remove(key: string): Promise<void> {
    assertKey(key);
    await rm(this.folder.recordFile(key), { force: true });
    for (const name of await this.folder.entryFileNames(key)) await rm(join(this.folder.shardDir(key), name), { force: true });
    await rm(this.folder.legacyEntryDir(key), { recursive: true, force: true });
  }
}

/** Renames `from` to `to`; false when nothing is at `from` (any other failure throws). */
async function moved(from: string, to: string): Promise<boolean> {
  try {
    await rename(from, to);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
}

/**
 * Gives `temp` the name `final` unless something has it already (false then): the record is the
 * entry, and a record another process wrote first is never replaced. Where the file system has no
 * hard links, a rename (the look before it stands in for the check).
 */
async function linkNew(temp: string, final: string): Promise<boolean> {
  try {
    await link(temp, final);
    return true;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'ENOSYS' && code !== 'EXDEV') throw err;
    await rename(temp, final);
    return true;
  }
}

function assertKey(key: string): void {
  if (!isCacheKey(key)) throw new RetroSpritesError('bad-key', `not a cache key: ${JSON.stringify(key)}`);
}
