import { mkdir, readdir, symlink, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { keepWithin, markUsed } from '../../../plugin/core/fs/lru-folder.js';
import { useTempDirs } from '../../helpers/tmp.js';

const tempDir = useTempDirs();
const NAME = /^[0-9a-f]{64}\.bin$/;
const hex = (n: number) => n.toString(16).padStart(64, '0');

describe('a folder of derived files kept within its limit', () => {
  it('removes the least recently used first, counts shard folders, and leaves links and other files alone', async () => {
    const dir = await tempDir();
    await mkdir(join(dir, 'ab'));
    const now = Date.now() / 1000;
    // Five files of 100 bytes, used 500 s ago (the first) down to 100 s ago (the last).
    const paths = [0, 1, 2, 3, 4].map((i) => join(dir, i % 2 ? 'ab' : '', `${hex(i)}.bin`));
    for (const [i, p] of paths.entries()) {
      await writeFile(p, Buffer.alloc(100, i));
      await utimes(p, now - 500 + i * 100, now - 500 + i * 100);
    }
    await writeFile(join(dir, 'notes.txt'), Buffer.alloc(10_000)); // not named like ours: never counted, never removed
    await symlink(paths[4]!, join(dir, `${hex(9)}.bin`)); // a link: neither followed nor removed
    await markUsed(paths[0]!); // the oldest is used again: now the newest

    await keepWithin(dir, 300, NAME);
    const left = [...(await readdir(dir)), ...(await readdir(join(dir, 'ab'))).map((f) => `ab/${f}`)].sort();
    expect(left).toEqual(['ab', `ab/${hex(3)}.bin`, `${hex(0)}.bin`, `${hex(4)}.bin`, `${hex(9)}.bin`, 'notes.txt'].sort());

    await keepWithin(dir, 300, NAME); // within the limit: nothing more goes
    expect(await readdir(join(dir, 'ab'))).toEqual([`${hex(3)}.bin`]);
  });

  it('does nothing for a folder that is not there', async () => {
    await expect(keepWithin(join(await tempDir(), 'missing'), 1, NAME)).resolves.toBeUndefined();
  });
});
