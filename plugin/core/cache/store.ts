import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { RetroSpritesError } from '../errors.js';
import type { GeneratedImage, GenerationResult } from '../providers/provider.js';
import { runPool } from '../pool.js';
import { sha256Hex } from './hash.js';
import { KeyLocks, isProcessAlive } from './lock.js';
import { CACHE_FORMAT, type CacheRecord, type CachedFile } from './record.js';

export const DEFAULT_CACHE_DIR = 'manifests/.retro-cache';

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

const KEY_RE = /^[0-9a-f]{64}$/;
/** Encoded atlas pages, kept so a warm build skips the PNG writer: derived, local, never committed. */
export const PAGES_DIR = '.pages';
/** Manifest parses kept by their text's hash (manifest/parse-cache.ts): derived, local, never committed. */
export const PARSES_DIR = '.parses';
const IGNORE_FILE =
  '# Written by retro-sprites: locks, interrupted writes and encoded pages are local; entries are meant to be committed.\n' +
  `.locks/\n.corrupt/\n${PAGES_DIR}/\n${PARSES_DIR}/\n**/.tmp-*\n`;

async function fsyncFile(path: string): Promise<void> {
  const h = await open(path, 'r');
  try {
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
  readonly locks: KeyLocks;

  constructor(dir: string, opts: { lockPollMs?: number; lockStaleMs?: number } = {}) {
    this.dir = dir;
    this.locks = new KeyLocks(join(dir, '.locks'), { pollMs: opts.lockPollMs, staleMs: opts.lockStaleMs });
  }

  entryDir(key: string): string {
    return join(this.dir, key.slice(0, 2), key);
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
    if (record.key !== key) return `record.json names key ${String(record.key).slice(0, 12)}, not this entry's`;
    if (record.format !== CACHE_FORMAT) {
      throw new RetroSpritesError(
        'cache-format',
        `cache entry ${key.slice(0, 12)} has format ${record.format}; this version of retro-sprites reads format ${CACHE_FORMAT}. Upgrade vite-plugin-retro-sprites.`,
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
    const target = join(this.dir, '.corrupt', `${key}-${Date.now()}-${randomBytes(3).toString('hex')}`);
    await mkdir(join(this.dir, '.corrupt'), { recursive: true });
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
    const shard = join(this.dir, key.slice(0, 2));
    await mkdir(shard, { recursive: true });
    await this.ensureIgnoreFile();
    const tmp = join(shard, `.tmp-${key.slice(0, 16)}-${process.pid}-${randomBytes(4).toString('hex')}`);
    await mkdir(tmp);
    try {
      const files: CachedFile[] = [];
      for (const [i, image] of result.images.entries()) {
        const name = `${i}.${image.format}`;
        await writeFile(join(tmp, name), image.bytes);
        await fsyncFile(join(tmp, name));
        files.push({ name, format: image.format, width: image.width, height: image.height, sha256: sha256Hex(image.bytes) });
      }
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
      await writeFile(join(tmp, 'record.json'), JSON.stringify(record, null, 2) + '\n');
      await fsyncFile(join(tmp, 'record.json'));
      try {
        await rename(tmp, this.entryDir(key));
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw err;
        await rm(tmp, { recursive: true, force: true });
        const existing = await this.lookup(key);
        if (existing.status === 'hit') return existing.entry;
        return this.put(key, result, meta);
      }
      return { key, record, images: result.images };
    } catch (err) {
      await rm(tmp, { recursive: true, force: true });
      throw err;
    }
  }

  private ignoreWritten = false;
  /** The folder's own `.gitignore`, brought up to date when an older version wrote it. */
  async ensureIgnoreFile(): Promise<void> {
    if (this.ignoreWritten) return;
    await mkdir(this.dir, { recursive: true });
    const path = join(this.dir, '.gitignore');
    const current = await readFile(path, 'utf8').catch(() => undefined);
    if (current !== IGNORE_FILE) await writeFile(path, IGNORE_FILE);
    this.ignoreWritten = true;
  }

  /** Every complete entry's key (temp folders, locks and set-aside entries excluded). */
  async keys(): Promise<string[]> {
    const out: string[] = [];
    const shards = await readdir(this.dir, { withFileTypes: true }).catch(() => []);
    for (const shard of shards) {
      if (!shard.isDirectory() || !/^[0-9a-f]{2}$/.test(shard.name)) continue;
      for (const entry of await readdir(join(this.dir, shard.name), { withFileTypes: true })) {
        if (entry.isDirectory() && KEY_RE.test(entry.name)) out.push(entry.name);
      }
    }
    return out.sort();
  }

  /** Removes one entry (prune). */
  async remove(key: string): Promise<void> {
    assertKey(key);
    await rm(this.entryDir(key), { recursive: true, force: true });
  }

  /** Removes temp folders that interrupted writes left behind (they are never read). */
  async sweepTemp(): Promise<number> {
    let n = 0;
    const shards = await readdir(this.dir, { withFileTypes: true }).catch(() => []);
    for (const shard of shards) {
      if (!shard.isDirectory() || !/^[0-9a-f]{2}$/.test(shard.name)) continue;
      for (const entry of await readdir(join(this.dir, shard.name))) {
        const m = /^\.tmp-[0-9a-f]+-(\d+)-/.exec(entry);
        if (m && !isProcessAlive(Number(m[1]))) {
          await rm(join(this.dir, shard.name, entry), { recursive: true, force: true });
          n++;
        }
      }
    }
    return n;
  }
}

function assertKey(key: string): void {
  if (!KEY_RE.test(key)) throw new RetroSpritesError('bad-key', `not a cache key: ${JSON.stringify(key)}`);
}
