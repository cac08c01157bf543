import { spawn } from 'node:child_process';
import { mkdir, readFile, readdir, rename, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CacheStore } from '../../../plugin/core/cache/store.js';
import { sha256Hex } from '../../../plugin/core/cache/hash.js';
import type { GenerationResult } from '../../../plugin/core/providers/provider.js';
import { useTempDirs } from '../../helpers/tmp.js';

const tempDir = useTempDirs();
const KEY = 'ab' + '0'.repeat(62);

function result(bytes: number[] = [1, 2, 3]): GenerationResult {
  return {
    images: [{ format: 'png', bytes: new Uint8Array(bytes), width: 1, height: 1 }],
    cost: { amount: 1, unit: 'credits' },
    model: 'RDModel.RD_FLUX',
    type: 'txt2img',
    createdAt: 1733425519,
  };
}
const meta = { provider: { id: 'test', version: '1' }, request: { prompt: 'x' }, requestedBy: 'atlas/hero' };

describe('the cache a team commits to git', () => {
  it('stores the images exactly as received with a readable record, in the shard of its key prefix', async () => {
    const store = new CacheStore(await tempDir());
    await store.put(KEY, result([9, 8, 7]), meta);
    const shard = join(store.dir, 'ab');
    expect((await readdir(shard)).sort()).toEqual([`${KEY}.0.png`, `${KEY}.json`]);
    expect([...(await readFile(join(shard, `${KEY}.0.png`)))]).toEqual([9, 8, 7]);
    const record = JSON.parse(await readFile(join(shard, `${KEY}.json`), 'utf8'));
    expect(record).toMatchObject({
      key: KEY,
      provider: { id: 'test', version: '1' },
      request: { prompt: 'x' },
      requested_by: 'atlas/hero',
      cost: { amount: 1, unit: 'credits' },
      created_at: '2024-12-05T19:05:19.000Z',
      files: [{ name: '0.png', format: 'png', sha256: sha256Hex(new Uint8Array([9, 8, 7])) }],
    });
    // Locks and interrupted writes stay out of git; entries go in.
    expect(await readFile(join(store.dir, '.gitignore'), 'utf8')).toMatch(/\.locks\//);
  });

  it('answers a hit with the verified bytes and a miss for an unknown key', async () => {
    const store = new CacheStore(await tempDir());
    await store.put(KEY, result(), meta);
    const hit = await store.lookup(KEY);
    expect(hit.status).toBe('hit');
    if (hit.status === 'hit') expect([...hit.entry.images[0]!.bytes]).toEqual([1, 2, 3]);
    expect((await store.lookup('cd' + '1'.repeat(62))).status).toBe('miss');
  });

  it('sets a corrupt entry aside instead of shipping it (one flipped byte)', async () => {
    const store = new CacheStore(await tempDir());
    await store.put(KEY, result([1, 2, 3, 4]), meta);
    const file = store.folder.entryFile(KEY, '0.png');
    const bytes = await readFile(file);
    bytes[2] = bytes[2]! ^ 0xff;
    await writeFile(file, bytes);
    const found = await store.lookup(KEY);
    expect(found.status).toBe('corrupt');
    if (found.status === 'corrupt') {
      expect(found.corrupt.reason).toMatch(/0\.png does not match its sha256/);
      expect((await readdir(found.corrupt.setAsideTo)).sort()).toEqual(['0.png', 'record.json']);
    }
    // Set aside, so the next look is a clean miss and the key can be generated again.
    expect((await store.lookup(KEY)).status).toBe('miss');
  });

  it('takes an image without its record (an interrupted write, a partial copy) for a miss, and writes the entry over it', async () => {
    const store = new CacheStore(await tempDir());
    await mkdir(join(store.dir, 'ab'), { recursive: true });
    await writeFile(store.folder.entryFile(KEY, '0.png'), 'half');
    expect((await store.lookup(KEY)).status).toBe('miss');
    await store.put(KEY, result([5, 6]), meta);
    const hit = await store.lookup(KEY);
    expect(hit.status === 'hit' && [...hit.entry.images[0]!.bytes]).toEqual([5, 6]);
  });

  it("reads an entry an earlier version committed (a folder of its own), and moves it into today's layout by renames, its bytes untouched", async () => {
    const store = new CacheStore(await tempDir());
    await store.put(KEY, result([4, 2]), meta);
    const record = await readFile(store.recordFile(KEY));
    // The layout of earlier versions, as a checkout of an older commit leaves it.
    const old = store.folder.legacyEntryDir(KEY);
    await mkdir(old);
    await rename(store.folder.entryFile(KEY, '0.png'), join(old, '0.png'));
    await rename(store.recordFile(KEY), join(old, 'record.json'));
    expect(await store.keys()).toEqual([KEY]);

    const found = await store.lookup(KEY);
    expect(found.status === 'hit' && [...found.entry.images[0]!.bytes]).toEqual([4, 2]);
    expect((await readdir(join(store.dir, 'ab'))).sort()).toEqual([`${KEY}.0.png`, `${KEY}.json`]);
    expect(await readFile(store.recordFile(KEY))).toEqual(record);
    expect((await store.lookupMany([KEY])).get(KEY)?.status).toBe('hit');
  });

  it('sets aside an entry of the earlier layout without a record (a partial copy)', async () => {
    const store = new CacheStore(await tempDir());
    await mkdir(store.folder.legacyEntryDir(KEY), { recursive: true });
    await writeFile(join(store.folder.legacyEntryDir(KEY), '0.png'), 'x');
    const found = await store.lookup(KEY);
    expect(found.status).toBe('corrupt');
    if (found.status === 'corrupt') expect(found.corrupt.reason).toMatch(/record\.json is missing/);
    expect((await store.lookup(KEY)).status).toBe('miss');
  });

  it('removes an entry whole: no file of it is left in its shard', async () => {
    const store = new CacheStore(await tempDir());
    const other = 'ab' + '7'.repeat(62);
    await store.put(KEY, { ...result(), images: [result().images[0]!, { format: 'gif', bytes: new Uint8Array([7]), width: 1, height: 1 }] }, meta);
    await store.put(other, result(), meta);
    await store.remove(KEY);
    expect((await readdir(join(store.dir, 'ab'))).sort()).toEqual([`${other}.0.png`, `${other}.json`]);
    expect(await store.keys()).toEqual([other]);
  });

  it('keeps the first entry when two writers race on one key', async () => {
    const store = new CacheStore(await tempDir());
    const [a, b] = await Promise.all([store.put(KEY, result([1]), meta), store.put(KEY, result([2]), meta)]);
    expect([...a.images[0]!.bytes]).toEqual([...b.images[0]!.bytes]);
    expect(await store.keys()).toEqual([KEY]);
    const shard = await readdir(join(store.dir, 'ab'));
    expect(shard.sort()).toEqual([`${KEY}.0.png`, `${KEY}.json`]); // no temp file left behind
  });

  it('looks many keys of one shard up in a pass, and sees a shard turned into a link on the next pass (real rename and symlink, as a checkout would leave them)', async () => {
    const root = await tempDir();
    const store = new CacheStore(root);
    const keys = [KEY, 'ab' + '1'.repeat(62), 'ab' + '2'.repeat(62)];
    for (const k of keys) await store.put(k, result(), meta);
    const first = await store.lookupMany(keys);
    expect(keys.map((k) => first.get(k)?.status)).toEqual(['hit', 'hit', 'hit']);

    const elsewhere = join(root, 'elsewhere');
    await rename(join(store.dir, 'ab'), elsewhere);
    await symlink(elsewhere, join(store.dir, 'ab'), 'dir');
    const second = await store.lookupMany(keys);
    const statuses = keys.map((k) => second.get(k)?.status);
    // The link is set aside once; the keys after it find no shard.
    expect(statuses).toEqual(['corrupt', 'miss', 'miss']);
    const firstLookup = second.get(KEY);
    if (firstLookup?.status === 'corrupt') expect(firstLookup.corrupt.reason).toMatch(/its shard ab is a (symbolic )?link/);
  });
});

describe('the per-key lock between processes', () => {
  it('makes a second holder wait until the first releases', async () => {
    const store = new CacheStore(await tempDir(), { lockPollMs: 5 });
    const order: string[] = [];
    const release = await store.locks.acquire(KEY);
    const second = store.locks.acquire(KEY).then((r) => {
      order.push('second');
      return r;
    });
    await new Promise((r) => setTimeout(r, 50));
    order.push('first-done');
    await release();
    await (await second)();
    expect(order).toEqual(['first-done', 'second']);
  });

  it('takes over a lock whose holder died', async () => {
    const store = new CacheStore(await tempDir(), { lockPollMs: 5 });
    // A real process that exits at once: its pid is then free, as after a SIGKILL.
    const child = spawn(process.execPath, ['-e', '0']);
    const pid = child.pid!;
    await new Promise((r) => child.on('exit', r));
    await mkdir(store.locks.dir, { recursive: true });
    const { hostname } = await import('node:os');
    await writeFile(join(store.locks.dir, `${KEY}.lock`), JSON.stringify({ pid, host: hostname(), at: Date.now() }));
    const release = await store.locks.acquire(KEY);
    await release();
  });

  it('takes over a lock older than the stale limit even if its holder looks alive', async () => {
    const store = new CacheStore(await tempDir(), { lockPollMs: 5, lockStaleMs: 1000 });
    await mkdir(store.locks.dir, { recursive: true });
    await writeFile(join(store.locks.dir, `${KEY}.lock`), JSON.stringify({ pid: process.pid, host: 'elsewhere', at: Date.now() - 5000 }));
    const release = await store.locks.acquire(KEY);
    await release();
  });
});
