import { createHash } from 'node:crypto';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { PNG } from 'pngjs';
import { CacheFolder } from '../../plugin/core/cache/folder.js';

/**
 * New art for the same key in a cache entry, as a teammate's regeneration arrives through git: its
 * image with red and blue swapped (pngjs writes it), its record's hash made to match, each file
 * unlinked and created anew (git's checkout), so the record's and its shard's stat signatures move.
 */
export async function regenerateEntry(cacheDir: string, key: string): Promise<void> {
  const folder = new CacheFolder(cacheDir);
  const image = folder.entryFile(key, '0.png');
  const png = PNG.sync.read(await readFile(image));
  for (let i = 0; i < png.data.length; i += 4) [png.data[i], png.data[i + 2]] = [png.data[i + 2]!, png.data[i]!];
  const art = PNG.sync.write(png);
  const record = JSON.parse(await readFile(folder.recordFile(key), 'utf8'));
  record.files[0].sha256 = createHash('sha256').update(art).digest('hex');
  for (const [path, bytes] of [[image, art], [folder.recordFile(key), JSON.stringify(record, null, 2) + '\n']] as const) {
    await rm(path);
    await writeFile(path, bytes);
  }
}
