import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CacheFolder } from '../../../plugin/core/cache/folder.js';

describe("the cache folder's layout", () => {
  it("puts an entry's record and images in <folder>/<key's first two digits>/, as path.join spells it, however the folder is written", () => {
    const key = '3f'.padEnd(64, '0a');
    for (const dir of ['/work/game/manifests/.retro-cache', '/work/game/cache/', '/', 'relative/cache', './x/../cache', '/a//b/./c']) {
      const folder = new CacheFolder(dir);
      expect(folder.recordFile(key), dir).toBe(join(dir, '3f', `${key}.json`));
      expect(folder.entryFile(key, '0.png'), dir).toBe(join(dir, '3f', `${key}.0.png`));
      expect(folder.legacyEntryDir(key), dir).toBe(join(dir, '3f', key));
    }
  });

  it('normalizes what is not a key, as before (the store refuses such keys first)', () => {
    expect(new CacheFolder('/cache').recordFile('../x')).toBe(join('/cache', '..', '../x.json'));
  });
});
