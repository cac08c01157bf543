import { readdir, readFile, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createImage } from '../../../plugin/core/image/bitmap.js';
import { encodePngCompact } from '../../../plugin/core/image/png-encode.js';
import { encodedPage, encodePage } from '../../../plugin/core/phaser/encoded-pages.js';
import { PageStore } from '../../../plugin/core/phaser/page-store.js';
import { useTempDirs } from '../../helpers/tmp.js';

const tempDir = useTempDirs();

function page(seed: number) {
  const image = createImage(40, 30);
  for (let i = 0; i < image.data.length; i++) image.data[i] = (i * 7 + seed * 13) & 0xff;
  return image;
}

describe('the page store a warm build reads encoded pages from', () => {
  it('hands a later build the encoding of the same pixels, byte for byte, without encoding again', async () => {
    const store = new PageStore(join(await tempDir(), '.pages'));
    const first = page(1);
    encodePage(first, 'small');
    await store.save([first], 'small', new Set());

    // A fresh bitmap with the same pixels: what the next process builds from the same cache entries.
    const again = page(1);
    expect(encodedPage(again, 'small')).toBeUndefined();
    const found = await store.load([again, page(2)], 'small');
    expect(found.size).toBe(1);
    expect(Buffer.from(encodedPage(again, 'small')!).equals(Buffer.from(encodePngCompact(again)))).toBe(true);
  });

  it('keeps encodings apart by effort, writes whole files only, and can be cleared', async () => {
    const dir = join(await tempDir(), '.pages');
    const store = new PageStore(dir);
    const image = page(3);
    encodePage(image, 'fast');
    await store.save([image], 'fast', new Set());
    expect((await store.load([page(3)], 'small')).size).toBe(0);
    expect((await store.load([page(3)], 'fast')).size).toBe(1);
    const shards = await readdir(dir);
    for (const shard of shards) for (const f of await readdir(join(dir, shard))) expect(f).toMatch(/^[0-9a-f]{64}\.png$/);
    await store.clear();
    expect((await store.load([page(3)], 'fast')).size).toBe(0);
  });

  it('stays within its limit: after a save, the least recently used pages go, and a page a build found counts as used', async () => {
    const dir = join(await tempDir(), '.pages');
    const images = [1, 2, 3, 4].map(page);
    for (const image of images) encodePage(image, 'small');
    // Sealed on disk: each file is its encoding and a 32-byte seal. Room for any three, not four.
    const sizes = images.map((image) => encodedPage(image, 'small')!.length + 32);
    const store = new PageStore(dir, sizes.reduce((a, b) => a + b) - 1);
    await store.save(images.slice(0, 3), 'small', new Set());
    expect(await files(dir)).toHaveLength(3);

    // Pages 1, 2 and 3 were last used 300, 200 and 100 s ago; then a build finds page 1 again.
    const now = Date.now() / 1000;
    for (const [i, age] of [300, 200, 100].entries()) {
      const file = await fileOf(dir, images[i]!);
      await utimes(file, now - age, now - age);
    }
    expect((await new PageStore(dir).load([page(1)], 'small')).size).toBe(1);

    await store.save([images[3]!], 'small', new Set());
    expect(await files(dir)).toHaveLength(3);
    const found = (n: number) => new PageStore(dir).load([page(n)], 'small').then((f) => f.size);
    expect([await found(1), await found(2), await found(3), await found(4)]).toEqual([1, 0, 1, 1]);
  });
});

async function files(dir: string): Promise<string[]> {
  const shards = await readdir(dir);
  return (await Promise.all(shards.map(async (s) => (await readdir(join(dir, s))).map((f) => join(dir, s, f))))).flat();
}

/** The stored file of an image's encoding (the file is the encoding, then its seal). */
async function fileOf(dir: string, image: ReturnType<typeof page>): Promise<string> {
  const png = Buffer.from(encodedPage(image, 'small')!);
  for (const f of await files(dir)) if ((await readFile(f)).subarray(0, png.length).equals(png)) return f;
  throw new Error('page not stored');
}
