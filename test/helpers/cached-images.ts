import { readdir } from 'node:fs/promises';
import { join } from 'node:path';

/** Every image file of every entry in a cache folder (`<key[0..2]>/<key>.<n>.png|gif`), as paths. */
export async function cachedImages(cacheDir: string): Promise<string[]> {
  const out: string[] = [];
  for (const shard of (await readdir(cacheDir)).filter((s) => /^[0-9a-f]{2}$/.test(s))) {
    for (const f of await readdir(join(cacheDir, shard))) if (/^[0-9a-f]{64}\.\d+\.(png|gif)$/.test(f)) out.push(join(cacheDir, shard, f));
  }
  return out;
}
