import { lstatSync } from 'node:fs';
import { mkdir, rename, rm, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { sameEntries, type ShardSignature } from '../../../plugin/core/fs/folder-check.js';
import { useTempDirs } from '../../helpers/tmp.js';

const tempDir = useTempDirs();
const ENTRIES = 1500;
const keyOf = (i: number) => i.toString(16).padStart(64, '0').replace(/^../, (i % 256).toString(16).padStart(2, '0'));

/** A cache folder of ENTRIES entries as the store lays them out, each record's signature now, and each shard's. */
async function cache() {
  const root = await tempDir();
  const keys = Array.from({ length: ENTRIES }, (_, i) => keyOf(i)).sort();
  const record = (k: string) => join(root, k.slice(0, 2), `${k}.json`);
  for (const k of keys) {
    await mkdir(join(root, k.slice(0, 2)), { recursive: true });
    await writeFile(join(root, k.slice(0, 2), `${k}.0.png`), 'art');
    await writeFile(record(k), '{}');
  }
  const sigs = new Float64Array(4 * ENTRIES);
  keys.forEach((k, i) => {
    const st = lstatSync(record(k));
    sigs.set([2, st.ino, st.mtimeMs, st.ctimeMs], 4 * i);
  });
  const shards: ShardSignature[] = [...new Set(keys.map((k) => k.slice(0, 2)))].map((name) => {
    const st = lstatSync(join(root, name));
    return [name, 1, st.ino, st.mtimeMs, st.ctimeMs];
  });
  await sleep(20);
  return { root, keys, sigs, shards, record: (i: number) => record(keys[i]!) };
}

/** git's checkout of a changed file: the old one unlinked, the new one created. */
async function replaceAsGitDoes(path: string, bytes: string): Promise<void> {
  await unlink(path);
  await writeFile(path, bytes);
}

describe('the entries check', () => {
  const run = (c: Awaited<ReturnType<typeof cache>>, shards: ShardSignature[] = c.shards): boolean => sameEntries(c.root, c.keys.join(''), c.sigs, shards);

  it('passes while no entry changed, by the shards alone or entry by entry', async () => {
    const c = await cache();
    expect(run(c)).toBe(true);
    expect(run(c, [])).toBe(true);
  });

  it("fails when one entry's record is replaced as git does (unlink, create), wherever it is in the list", async () => {
    for (const i of [0, ENTRIES - 1]) {
      const c = await cache();
      await replaceAsGitDoes(c.record(i), '{"regenerated":true}');
      expect(run(c)).toBe(false);
      expect(run(c, [])).toBe(false);
    }
  });

  it('fails when a record is replaced by a rename (rsync) or removed', async () => {
    const c = await cache();
    await writeFile(`${c.record(1234)}.tmp`, '{}');
    await rename(`${c.record(1234)}.tmp`, c.record(1234));
    expect(run(c)).toBe(false);
    const d = await cache();
    await rm(d.record(77));
    expect(run(d)).toBe(false);
  });

  it('takes an unchanged shard for all of its entries, and looks at each entry of a shard that moved', async () => {
    const c = await cache();
    // Rewritten in place: the record's signature moves, its shard's does not.
    await writeFile(c.record(5), '{"edited":"in place"}');
    expect(run(c)).toBe(true);
    expect(run(c, [])).toBe(false);
    // Anything new in that shard moves it: its entries are looked at again, and the edit shows.
    await writeFile(join(c.root, c.keys[5]!.slice(0, 2), '.unrelated'), '');
    expect(run(c)).toBe(false);
  });

  it('gives the same answers from inside the cache folder, its parent, or anywhere else', async () => {
    const c = await cache();
    const back = process.cwd();
    try {
      for (const cwd of [c.root, join(c.root, '..'), join(c.root, c.keys[0]!.slice(0, 2))]) {
        process.chdir(cwd);
        expect(run(c)).toBe(true);
        expect(run(c, [])).toBe(true);
      }
      await replaceAsGitDoes(c.record(9), '{"regenerated":true}');
      for (const cwd of [c.root, join(c.root, '..')]) {
        process.chdir(cwd);
        expect(run(c)).toBe(false);
      }
    } finally {
      process.chdir(back);
    }
  });

  it('passes with no entries at all', async () => {
    expect(sameEntries('/nonexistent', '', new Float64Array(0))).toBe(true);
  });
});
