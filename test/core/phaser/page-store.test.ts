import { readdir } from 'node:fs/promises';
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
});
