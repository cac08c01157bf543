import { mkdir, open, rename, rm } from 'node:fs/promises';
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
  if (!f || typeof f !== 'object') return 'record.json lists a file that is not an object';
  const c = f as Partial<CachedFile>;
  if (!isPlainName(c.name)) return `record.json names a file outside its entry (${printable(JSON.stringify(c.name ?? null), 60)}); entry files are plain names like 0.png`;
  if (c.format !== 'png' && c.format !== 'gif') return `record.json gives ${c.name} the format ${printable(JSON.stringify(c.format ?? null), 20)}`;
  const side = (n: unknown) => typeof n === 'number' && Number.isInteger(n) && n > 0 && n <= 8192;
  if (!side(c.width) || !side(c.height) || c.width! * c.height! > MAX_DECODE_PIXELS) return `record.json gives ${c.name} a size no image of ours has`;
  if (typeof c.sha256 !== 'string' || !SHA256_RE.test(c.sha256)) return `record.json gives ${c.name} no sha256`;
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

/**
 * The content-addressed store: `<dir>/<key[0..2]>/<key>/` holds `record.json` and the images
 * exactly as received (`0.png`, `1.gif`, …). Entries are written to a temp folder beside their final
 * place and renamed into it, so a reader (or a crash) sees either no entry or a whole one.
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

  entryDir(key: string): string {
    return this.folder.entryDir(key);
  }

  /**
   * Reads and verifies an entry. A damaged entry is moved to `.corrupt/` and reported, never
   * returned; so is a damaged layout (a shard or entry that is a file or a link, a record that is a
   * folder, an entry that cannot be read), before anything is paid for it.
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
  private probe(key: string, folders?: Set<string>): CacheLookup | { aside: string; reason: string } {
    const shard = this.folder.shardDir(key);
    const dir = this.entryDir(key);
    let kind: string;
    try {
      if (!folders?.has(shard)) {
        const shardKind = kindOfSync(shard);
        if (shardKind === 'missing') return { status: 'miss' };
        if (shardKind !== 'folder') return { aside: shard, reason: `its shard ${basename(shard)} is ${describeKind(shardKind)}, not a folder` };
        folders?.add(shard);
      }
      kind = kindOfSync(dir);
    } catch (err) {
      return { aside: dir, reason: `it cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})` };
    }
    if (kind === 'missing') return { status: 'miss' };
    if (kind !== 'folder') return { aside: dir, reason: `the entry is ${describeKind(kind)}, not a folder` };
    const record = readRegularSync(join(dir, 'record.json'), MAX_RECORD_BYTES);
    if ('missing' in record) return { aside: dir, reason: 'record.json is missing' };
    if ('problem' in record) return { aside: dir, reason: `record.json ${record.problem}` };
    const verdict = this.verify(key, dir, record.bytes.toString('utf8'));
    return typeof verdict === 'string' ? { aside: dir, reason: verdict } : { status: 'hit', entry: verdict };
  }

  private settle(key: string, found: CacheLookup | { aside: string; reason: string }): Promise<CacheLookup> | CacheLookup {
    return 'aside' in found ? this.setAside(key, found.aside, found.reason) : found;
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

  private verify(key: string, dir: string, recordText: string): CacheEntry | string {
    let record: CacheRecord;
    try {
      record = JSON.parse(recordText) as CacheRecord;
    } catch {
      return 'record.json is not valid JSON';
    }
    if (!record || typeof record !== 'object' || Array.isArray(record)) return 'record.json is not a record';
    if (record.key !== key) return `record.json names key ${shortKey(String(record.key))}, not this entry's`;
    if (record.format !== CACHE_FORMAT) {
      throw new RetroSpritesError(
        'cache-format',
        `cache entry ${shortKey(key)} has format ${record.format}; this version of retro-sprites reads format ${CACHE_FORMAT}. Upgrade vite-plugin-retro-sprites.`,
      );
    }
    if (!Array.isArray(record.files) || record.files.length === 0) return 'record.json lists no files';
    for (const f of record.files as unknown[]) {
      const problem = fileProblem(f);
      if (problem) return problem;
    }
    if (new Set(record.files.map((f) => f.name)).size !== record.files.length) return 'record.json lists a file twice';
    const images: GeneratedImage[] = [];
    for (const f of record.files) {
      const read = readRegularSync(join(dir, f.name), fileLimit(f));
      if ('missing' in read) return `${f.name} is missing`;
      if ('problem' in read) return `${f.name} ${read.problem}`;
      const bytes = read.bytes;
      if (sha256Hex(bytes) !== f.sha256) return `${f.name} does not match its sha256 (the file changed or is truncated)`;
      images.push({ format: f.format, bytes: new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), width: f.width, height: f.height });
    }
    return { key, record, images };
  }

  /** Moves what lies at `path` (the entry, or a shard in the way) to `.corrupt/` for a person to inspect. */
  private async setAside(key: string, path: string, reason: string): Promise<CacheLookup> {
    const target = this.folder.corruptPlace(key);
    await ensureRealFolder(this.dir);
    await ensureRealFolder(this.folder.corruptDir);
    try {
      await rename(path, target);
    } catch (err) {
      // Another process set it aside (or replaced it) first: look again.
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return this.lookup(key);
      throw new RetroSpritesError(
        'cache-layout',
        `cache entry ${shortKey(key)} is damaged (${reason}) and could not be set aside to ${target}: ${(err as Error).message}. Remove ${path} and run again`,
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

  /**
   * Writes an entry whose record is already made (one fetched from a remote cache, verified), so
   * the local copy is byte for byte the record that was paid for. Same atomic write as `put`.
   */
  async putRecord(record: CacheRecord, images: readonly GeneratedImage[]): Promise<CacheEntry> {
    const key = record.key;
    assertKey(key);
    // A record from elsewhere (a remote cache) names its own files: plain names inside the entry only.
    for (const f of record.files) {
      if (!isPlainName(f.name)) throw new RetroSpritesError('cache-layout', `cache entry ${shortKey(key)} names a file outside its entry (${printable(JSON.stringify(f.name), 60)}); refusing to write it`);
    }
    // Real folders only, all the way down: a link planted as the shard would take the entry elsewhere.
    await mkdir(dirname(this.dir), { recursive: true });
    await ensureRealFolder(this.dir);
    await ensureRealFolder(this.folder.shardDir(key));
    await this.folder.ensureIgnoreFile();
    const tmp = this.folder.entryTempDir(key);
    await mkdir(tmp);
    try {
      for (const [i, image] of images.entries()) await writeDurable(join(tmp, record.files[i]!.name), image.bytes);
      await writeDurable(join(tmp, 'record.json'), JSON.stringify(record, null, 2) + '\n');
      try {
        await rename(tmp, this.entryDir(key));
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw err;
        await rm(tmp, { recursive: true, force: true });
        const existing = await this.lookup(key);
        if (existing.status === 'hit') {
          await this.folder.clearPending(key);
          return existing.entry;
        }
        return this.putRecord(record, images);
      }
      await this.folder.clearPending(key);
      return { key, record, images: [...images] };
    } catch (err) {
      await rm(tmp, { recursive: true, force: true });
      throw err;
    }
  }

  /** Every complete entry's key, sorted. */
  keys(): Promise<string[]> {
    return this.folder.entryKeys();
  }

  /** Removes one entry (prune). */
  async remove(key: string): Promise<void> {
    assertKey(key);
    await rm(this.entryDir(key), { recursive: true, force: true });
  }
}

function assertKey(key: string): void {
  if (!isCacheKey(key)) throw new RetroSpritesError('bad-key', `not a cache key: ${JSON.stringify(key)}`);
}
