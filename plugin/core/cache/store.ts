import { mkdir, open, readFile, readdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { shortKey } from '../cache-key.js';
import { RetroSpritesError } from '../errors.js';
import type { GeneratedImage, GenerationResult } from '../providers/provider.js';
import { runPool } from '../pool.js';
import { sha256Hex } from './hash.js';
import { CacheFolder, isCacheKey } from './folder.js';
import { KeyLocks } from './lock.js';
import { CACHE_FORMAT, type CacheRecord, type CachedFile } from './record.js';

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

  /** Reads and verifies an entry. A damaged entry is moved to `.corrupt/` and reported, never returned. */
  async lookup(key: string): Promise<CacheLookup> {
    assertKey(key);
    const dir = this.entryDir(key);
    let recordText: string;
    try {
      recordText = await readFile(join(dir, 'record.json'), 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT' || (err as NodeJS.ErrnoException).code === 'ENOTDIR') {
        return (await this.exists(dir)) ? this.setAside(key, 'record.json is missing') : { status: 'miss' };
      }
      throw err;
    }
    const problem = await this.verify(key, dir, recordText);
    if (typeof problem === 'string') return this.setAside(key, problem);
    return { status: 'hit', entry: problem };
  }

  /**
   * Looks many keys up at once, a bounded number at a time: reads are mostly waiting on the disk,
   * and a warm build of thousands of sprites should not wait for them one by one.
   */
  async lookupMany(keys: readonly string[], concurrency = 16): Promise<Map<string, CacheLookup>> {
    const out = new Map<string, CacheLookup>();
    await runPool([...new Set(keys)], concurrency, async (key) => {
      out.set(key, await this.lookup(key));
    });
    return out;
  }

  private async exists(dir: string): Promise<boolean> {
    return readdir(dir).then(() => true, () => false);
  }

  private async verify(key: string, dir: string, recordText: string): Promise<CacheEntry | string> {
    let record: CacheRecord;
    try {
      record = JSON.parse(recordText) as CacheRecord;
    } catch {
      return 'record.json is not valid JSON';
    }
    if (record.key !== key) return `record.json names key ${shortKey(String(record.key))}, not this entry's`;
    if (record.format !== CACHE_FORMAT) {
      throw new RetroSpritesError(
        'cache-format',
        `cache entry ${shortKey(key)} has format ${record.format}; this version of retro-sprites reads format ${CACHE_FORMAT}. Upgrade vite-plugin-retro-sprites.`,
      );
    }
    if (!Array.isArray(record.files) || record.files.length === 0) return 'record.json lists no files';
    const images: GeneratedImage[] = [];
    for (const f of record.files) {
      let bytes: Buffer;
      try {
        bytes = await readFile(join(dir, f.name));
      } catch {
        return `${f.name} is missing`;
      }
      if (sha256Hex(bytes) !== f.sha256) return `${f.name} does not match its sha256 (the file changed or is truncated)`;
      images.push({ format: f.format, bytes: new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), width: f.width, height: f.height });
    }
    return { key, record, images };
  }

  private async setAside(key: string, reason: string): Promise<CacheLookup> {
    const target = this.folder.corruptPlace(key);
    await mkdir(this.folder.corruptDir, { recursive: true });
    try {
      await rename(this.entryDir(key), target);
    } catch (err) {
      // Another process set it aside (or replaced it) first: look again.
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return this.lookup(key);
      throw err;
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
    await mkdir(this.folder.shardDir(key), { recursive: true });
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
