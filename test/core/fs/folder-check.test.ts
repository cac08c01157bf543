import { spawnSync } from 'node:child_process';
import { lstatSync } from 'node:fs';
import { mkdir, rename, rm, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { inlineFolderCheck, startFolderCheck, type FolderCheck } from '../../../plugin/core/fs/folder-check.js';
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

const checks: [string, () => FolderCheck][] = [
  ['on the calling thread', () => inlineFolderCheck],
  ['with a helper thread', () => startFolderCheck()],
];

describe.each(checks)('the entries check %s', (_name, make) => {
  const run = async (c: Awaited<ReturnType<typeof cache>>): Promise<boolean> => {
    const check = make();
    // The helper starts while Vite loads; give it that head start, as a build does.
    await sleep(50);
    try {
      return check.begin(c.root, c.keys.join(''), c.sigs).finish();
    } finally {
      check.close();
    }
  };

  it('passes while no entry changed', async () => {
    expect(await run(await cache())).toBe(true);
  });

  it("fails when one entry's file is replaced as git does (unlink, create), wherever it is in the list", async () => {
    for (const i of [0, ENTRIES - 1]) {
      const c = await cache();
      await unlink(join(c.dir(i), '0.png'));
      await writeFile(join(c.dir(i), '0.png'), 'new art');
      expect(await run(c)).toBe(false);
    }
  });

  it('fails when an entry is replaced by a rename (rsync) or removed', async () => {
    const c = await cache();
    await mkdir(`${c.dir(1234)}.new`);
    await rm(c.dir(1234), { recursive: true });
    await rename(`${c.dir(1234)}.new`, c.dir(1234));
    expect(await run(c)).toBe(false);
    const d = await cache();
    await rm(d.dir(77), { recursive: true });
    expect(await run(d)).toBe(false);
  });
});

describe('the helper thread', () => {
  it('never keeps the process alive, started and not closed', () => {
    // The compiled module, as the CLI runs it (`npm install` builds plugin/dist).
    const module = fileURLToPath(new URL('../../../plugin/dist/core/fs/folder-check.js', import.meta.url));
    const child = spawnSync(process.execPath, ['--input-type=module', '-e', `import { startFolderCheck } from ${JSON.stringify(module)}; startFolderCheck(); console.log('started');`], { encoding: 'utf8', timeout: 10_000 });
    expect(child.stdout.trim()).toBe('started');
    expect(child.status).toBe(0);
  });
});
