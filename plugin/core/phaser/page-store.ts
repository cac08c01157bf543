import { createHash } from 'node:crypto';
import { mkdir, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { ensureRealFolder, readRegular } from '../fs/untrusted-fs.js';
import { atomicWrite } from '../fs/atomic-write.js';
import { keepWithin, markUsed } from '../fs/lru-folder.js';
import type { RgbaImage } from '../image/bitmap.js';
import type { PngEffort } from '../image/png-encode.js';
import { runPool } from '../pool.js';
import type { BuiltAtlas } from './atlas.js';
import { encodedPage, rememberEncodedPage } from './encoded-pages.js';
import { openSealed, seal } from '../fs/seal.js';

/**
 * Bumped when the PNG writer's output for the same pixels changes, per effort (2: pages carry a
 * seal; fast 3: no adaptive filtering; small 3: the final compression in slices; small 4: filterings compared on a sample).
 */
const ENCODER_VERSION: Record<PngEffort, number> = { small: 4, fast: 3 };

/** Every bitmap of these atlases that is written as a PNG: pages and tiling images. */
export function bitmapsOf(atlases: readonly BuiltAtlas[]): RgbaImage[] {
  return atlases.flatMap((a) => [...a.pages, ...a.images.map((i) => i.image)]);
}

/**
 * A page's name in the store: the hash of its pixels, taken once per bitmap (a lookup and then a
 * save hashed the same megabytes twice). Bitmaps are not changed once built.
 */
const pixelKeys = new WeakMap<RgbaImage, Partial<Record<PngEffort, string>>>();
function pixelKey(image: RgbaImage, effort: PngEffort): string {
  let byEffort = pixelKeys.get(image);
  if (!byEffort) pixelKeys.set(image, (byEffort = {}));
  return (byEffort[effort] ??= createHash('sha256').update(`${ENCODER_VERSION[effort]}:${effort}:${image.width}x${image.height}:`).update(image.data).digest('hex'));
}

/** What the store may hold: every edit leaves its atlas's old pages behind, and a project lives for years. */
const PAGE_STORE_LIMIT_BYTES = 256 * 1024 * 1024;
const PAGE_FILE = /^[0-9a-f]{64}\.png$/;

/**
 * Encoded PNGs kept on disk by the pixels they encode, so a warm build skips the PNG writer (the
 * largest part of its work). Derived data: local, not committed, and safe to delete at any time.
 * Bounded: after a save that wrote pages, the least recently used ones go until the store is within
 * its limit (a page found is marked used).
 */
export class PageStore {
  constructor(readonly dir: string, private readonly limitBytes = PAGE_STORE_LIMIT_BYTES) {}

  private path(image: RgbaImage, effort: PngEffort): string {
    const key = pixelKey(image, effort);
    return join(this.dir, key.slice(0, 2), `${key}.png`);
  }

  /** Hands every stored encoding of these bitmaps to the renderer; returns the ones it found. */
  async load(images: readonly RgbaImage[], effort: PngEffort): Promise<Set<RgbaImage>> {
    const found = new Set<RgbaImage>();
    await runPool(images, 8, async (image) => {
      if (encodedPage(image, effort)) return;
      // Not a link, not a FIFO, not larger than an honest PNG of these pixels could be.
      const path = this.path(image, effort);
      const read = await readRegular(path, 1024 * 1024 + 8 * image.width * image.height);
      if (!('bytes' in read)) return;
      // The cache folder is untrusted (committed, a pull request can put anything in it): only a
      // page sealed on this machine for this name (the pixels' hash) is used.
      const bytes = await openSealed(basename(path), read.bytes);
      if (!bytes) return;
      rememberEncodedPage(image, effort, bytes);
      found.add(image);
      markUsed(path);
    });
    return found;
  }

  /** Stores the encodings the renderer made, then keeps the store within its limit. */
  async save(images: readonly RgbaImage[], effort: PngEffort, skip: ReadonlySet<RgbaImage>): Promise<void> {
    let wrote = false;
    await runPool(images, 8, async (image) => {
      const bytes = encodedPage(image, effort);
      if (!bytes || skip.has(image)) return;
      const path = this.path(image, effort);
      await mkdir(dirname(this.dir), { recursive: true });
      for (const folder of [this.dir, dirname(path)]) {
        // A link planted as `.pages/` or its shard would take our writes elsewhere.
        if (!(await ensureRealFolder(folder).then(() => true, () => false))) return;
      }
      // A lost write is only a later re-encode: derived data never fails a build.
      await atomicWrite(path, await seal(basename(path), bytes)).then(() => (wrote = true), () => undefined);
    });
    if (wrote) await keepWithin(this.dir, this.limitBytes, PAGE_FILE).catch(() => undefined);
  }

  async clear(): Promise<void> {
    await rm(this.dir, { recursive: true, force: true });
  }
}

