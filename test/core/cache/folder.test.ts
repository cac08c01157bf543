import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CacheFolder } from '../../../plugin/core/cache/folder.js';

describe("the cache folder's layout", () => {
  it("puts an entry at <folder>/<key's first two digits>/<key>, as path.join spells it, however the folder is written", () => {
    const key = '3f'.padEnd(64, '0a');
    for (const dir of ['/work/game/manifests/.retro-cache', '/work/game/cache/', '/', 'relative/cache', './x/../cache', '/a//b/./c']) {
      expect(new CacheFolder(dir).entryDir(key), dir).toBe(join(dir, '3f', key));
    }
  });

  it('normalizes what is not a key, as before (the store refuses such keys first)', () => {
    expect(new CacheFolder('/cache').entryDir('../x')).toBe(join('/cache', '..', '../x'));
  });
});
