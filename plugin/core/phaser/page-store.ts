import { createHash } from 'node:crypto';
import { mkdir, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { ensureRealFolder, readRegular } from '../fs/untrusted-fs.js';
import { atomicWrite } from '../fs/atomic-write.js';
import type { RgbaImage } from '../image/bitmap.js';
import { decodePng } from '../image/png.js';
import type { PngEffort } from '../image/png-encode.js';
import { runPool } from '../pool.js';
import type { BuiltAtlas } from './atlas.js';
import { encodedPage, rememberEncodedPage } from './encoded-pages.js';

/** Bumped when the PNG writer's output for the same pixels changes. */
const ENCODER_VERSION = 1;

/** Every bitmap of these atlases that is written as a PNG: pages and tiling images. */
export function bitmapsOf(atlases: readonly BuiltAtlas[]): RgbaImage[] {
  return atlases.flatMap((a) => [...a.pages, ...a.images.map((i) => i.image)]);
}

/**
 * Encoded PNGs kept on disk by the pixels they encode, so a warm build skips the PNG writer (the
 * largest part of its work). Derived data: local, not committed, and safe to delete at any time.
 */
export class PageStore {
  constructor(readonly dir: string) {}

  private path(image: RgbaImage, effort: PngEffort): string {
    const key = createHash('sha256').update(`${ENCODER_VERSION}:${effort}:${image.width}x${image.height}:`).update(image.data).digest('hex');
    return join(this.dir, key.slice(0, 2), `${key}.png`);
  }

  /** Hands every stored encoding of these bitmaps to the renderer; returns the ones it found. */
  async load(images: readonly RgbaImage[], effort: PngEffort): Promise<Set<RgbaImage>> {
    const found = new Set<RgbaImage>();
    await runPool(images, 8, async (image) => {
      if (encodedPage(image, effort)) return;
      // Not a link, not a FIFO, not larger than an honest PNG of these pixels could be.
      const read = await readRegular(this.path(image, effort), 1024 * 1024 + 8 * image.width * image.height);
      if (!('bytes' in read)) return;
      const bytes = read.bytes;
      // The name says which pixels the file encodes; the cache folder is untrusted (committed, a
      // pull request can put anything in it), so the file must prove it: decoded, it is exactly them.
      if (!encodes(bytes, image)) return;
      rememberEncodedPage(image, effort, new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
      found.add(image);
    });
    return found;
  }

  /** Stores the encodings the renderer made. */
  async save(images: readonly RgbaImage[], effort: PngEffort, skip: ReadonlySet<RgbaImage>): Promise<void> {
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
      await atomicWrite(path, bytes).catch(() => undefined);
    });
  }

  async clear(): Promise<void> {
    await rm(this.dir, { recursive: true, force: true });
  }
}

function encodes(bytes: Buffer, image: RgbaImage): boolean {
  try {
    const decoded = decodePng(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    return decoded.width === image.width && decoded.height === image.height && Buffer.from(decoded.data.buffer, decoded.data.byteOffset, decoded.data.byteLength).equals(Buffer.from(image.data.buffer, image.data.byteOffset, image.data.byteLength));
  } catch {
    return false;
  }
}
