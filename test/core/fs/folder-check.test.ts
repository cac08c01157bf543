import { lstatSync } from 'node:fs';
import { mkdir, rename, rm, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { sameFolders } from '../../../plugin/core/fs/folder-check.js';
import { useTempDirs } from '../../helpers/tmp.js';

const tempDir = useTempDirs();
const ENTRIES = 1500;
const keyOf = (i: number) => i.toString(16).padStart(64, '0').replace(/^../, (i % 256).toString(16).padStart(2, '0'));

/** A cache folder of ENTRIES entries as the store lays them out, and each entry's signature now. */
async function cache() {
  const root = await tempDir();
  const keys = Array.from({ length: ENTRIES }, (_, i) => keyOf(i));
  for (const k of keys) {
    await mkdir(join(root, k.slice(0, 2), k), { recursive: true });
    await writeFile(join(root, k.slice(0, 2), k, '0.png'), 'art');
  }
  const sigs = new Float64Array(4 * ENTRIES);
  keys.forEach((k, i) => {
    const st = lstatSync(join(root, k.slice(0, 2), k));
    sigs.set([1, st.ino, st.mtimeMs, st.ctimeMs], 4 * i);
  });
  await sleep(20);
  return { root, keys, sigs, dir: (i: number) => join(root, keys[i]!.slice(0, 2), keys[i]!) };
}

describe('the entries check', () => {
  const run = (c: Awaited<ReturnType<typeof cache>>): boolean => sameFolders(c.root, c.keys.join(''), c.sigs);

  it('passes while no entry changed', async () => {
    expect(run(await cache())).toBe(true);
  });

  it("fails when one entry's file is replaced as git does (unlink, create), wherever it is in the list", async () => {
    for (const i of [0, ENTRIES - 1]) {
      const c = await cache();
      await unlink(join(c.dir(i), '0.png'));
      await writeFile(join(c.dir(i), '0.png'), 'new art');
      expect(run(c)).toBe(false);
    }
  });

  it('fails when an entry is replaced by a rename (rsync) or removed', async () => {
    const c = await cache();
    await mkdir(`${c.dir(1234)}.new`);
    await rm(c.dir(1234), { recursive: true });
    await rename(`${c.dir(1234)}.new`, c.dir(1234));
    expect(run(c)).toBe(false);
    const d = await cache();
    await rm(d.dir(77), { recursive: true });
    expect(run(d)).toBe(false);
  });

  it('gives the same answers from inside the cache folder, its parent, or anywhere else', async () => {
    const c = await cache();
    const back = process.cwd();
    try {
      for (const cwd of [c.root, join(c.root, '..'), join(c.root, c.keys[0]!.slice(0, 2))]) {
        process.chdir(cwd);
        expect(run(c)).toBe(true);
      }
      await unlink(join(c.dir(9), '0.png'));
      await writeFile(join(c.dir(9), '0.png'), 'new art');
      for (const cwd of [c.root, join(c.root, '..')]) {
        process.chdir(cwd);
        expect(run(c)).toBe(false);
      }
    } finally {
      process.chdir(back);
    }
  });

  it('passes with no entries at all', async () => {
    expect(sameFolders('/nonexistent', '', new Float64Array(0))).toBe(true);
  });
});
