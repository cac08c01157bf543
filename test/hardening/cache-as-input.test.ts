import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { lstat, mkdir, readdir, readFile, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { CacheFolder } from '../../plugin/core/cache/folder.js';
import { CacheStore } from '../../plugin/core/cache/store.js';
import { runGeneration } from '../../plugin/core/generate/run.js';
import { createImage } from '../../plugin/core/image/bitmap.js';
import { encodedPage, encodePage } from '../../plugin/core/phaser/encoded-pages.js';
import { PageStore } from '../../plugin/core/phaser/page-store.js';
import type { Provider } from '../../plugin/core/providers/provider.js';
import { countingProvider } from '../helpers/counting-provider.js';
import { keyedRequests, manySprites, writeProject } from '../helpers/project.js';
import { useTempDirs } from '../helpers/tmp.js';

/**
 * The cache folder is committed: a pull request can put links, FIFOs, files where folders go and
 * records naming files outside it. Each case plants one such thing (with the real file system:
 * symlink(2), mkfifo(1)) and runs the real engine with a counting provider.
 */
const tempDir = useTempDirs();
const sha = (b: Uint8Array | string) => createHash('sha256').update(b).digest('hex');

async function project(n = 1) {
  const base = await tempDir();
  const root = join(base, 'project');
  await writeProject(root, { 'manifests/a.yaml': manySprites(n) });
  const provider = countingProvider();
  const requests = await keyedRequests(root, provider);
  const cacheDir = join(root, 'manifests/.retro-cache');
  const run = (p: Provider = provider, store = new CacheStore(cacheDir)) => runGeneration(requests, { store, provider: p, root, concurrency: 2 });
  const first = await run();
  expect(first.failures).toEqual([]);
  const key = requests[0]!.key;
  const folder = new CacheFolder(cacheDir);
  const entry = { record: folder.recordFile(key), image: folder.entryFile(key, '0.png'), shard: folder.shardDir(key), legacy: folder.legacyEntryDir(key) };
  return { base, root, provider, requests, cacheDir, key, entry, run };
}

type Entry = Awaited<ReturnType<typeof project>>['entry'];

async function removeEntry(entry: Entry): Promise<void> {
  await rm(entry.record);
  await rm(entry.image);
}

/** The entry moved into the layout of earlier versions (a folder of its own), as a checkout of an older commit holds it. */
async function toLegacy(entry: Entry): Promise<void> {
  await mkdir(entry.legacy);
  await rename(entry.image, join(entry.legacy, '0.png'));
  await rename(entry.record, join(entry.legacy, 'record.json'));
}

async function editRecord(entry: Entry, edit: (r: { files: { name: string; sha256: string }[] }) => void): Promise<void> {
  const path = entry.record;
  const record = JSON.parse(await readFile(path, 'utf8'));
  edit(record);
  await writeFile(path, JSON.stringify(record));
}

describe('reads of the cache are bounded and confined', () => {
  const cases: [string, (p: Awaited<ReturnType<typeof project>>) => Promise<void>, RegExp][] = [
    ['a record naming ../../../../dev/zero', (p) => editRecord(p.entry, (r) => { r.files[0]!.name = '../../../../../../../../dev/zero'; }), /names a file outside its entry/],
    ['a record naming an absolute path', (p) => editRecord(p.entry, (r) => { r.files[0]!.name = '/etc/hostname'; }), /names a file outside its entry/],
    ['0.png symlinked to /dev/zero', async (p) => { await rm(p.entry.image); await symlink('/dev/zero', p.entry.image); }, /0\.png is a symbolic link/],
    ['0.png a FIFO (would block a reader forever)', async (p) => { await rm(p.entry.image); execFileSync('mkfifo', [p.entry.image]); }, /0\.png is not a regular file/],
    ['0.png larger than any answer of its size', async (p) => { await writeFile(p.entry.image, Buffer.alloc(3 * 1024 * 1024)); }, /0\.png is \d+ bytes, more than/],
    ['the record symlinked to /dev/zero', async (p) => { await rm(p.entry.record); await symlink('/dev/zero', p.entry.record); }, /its record is a symbolic link/],
    ['an earlier version\'s record.json symlinked to /dev/zero', async (p) => { await toLegacy(p.entry); await rm(join(p.entry.legacy, 'record.json')); await symlink('/dev/zero', join(p.entry.legacy, 'record.json')); }, /record\.json is a symbolic link/],
    ['an earlier version\'s 0.png a FIFO', async (p) => { await toLegacy(p.entry); await rm(join(p.entry.legacy, '0.png')); execFileSync('mkfifo', [join(p.entry.legacy, '0.png')]); }, /0\.png is not a regular file/],
  ];
  for (const [what, plant, reason] of cases) {
    it(`${what}: set aside and generated again, no hang`, async () => {
      const p = await project();
      await plant(p);
      const again = await p.run();
      expect(again.corrupt.map((c) => c.reason)).toEqual([expect.stringMatching(reason)]);
      expect(again.failures).toEqual([]);
      expect(p.provider.calls).toHaveLength(2);
      expect((await p.run()).summary.cached).toBe(1);
    });
  }

  for (const how of ['named by the record', 'behind a symlinked 0.png'] as const) {
    it(`an outside file with known bytes ${how} is not a hit`, async () => {
      const p = await project();
      const outside = join(p.base, 'outside.png');
      const bytes = await readFile(p.entry.image);
      await writeFile(outside, bytes);
      if (how === 'named by the record') {
        await editRecord(p.entry, (r) => { r.files[0]!.name = '../../../../../outside.png'; r.files[0]!.sha256 = sha(bytes); });
      } else {
        await rm(p.entry.image);
        await symlink(outside, p.entry.image);
      }
      const again = await p.run();
      expect(again.corrupt).toHaveLength(1);
      expect(p.provider.calls).toHaveLength(2);
    });
  }
});

describe('a damaged layout is set aside before anything is paid, once', () => {
  const cases: [string, (p: Awaited<ReturnType<typeof project>>) => Promise<void>, RegExp][] = [
    ['the shard path is a file', async (p) => { await rm(p.entry.shard, { recursive: true }); await writeFile(p.entry.shard, 'junk'); }, /its shard [0-9a-f]{2} is a file/],
    ['the record is a folder', async (p) => { await rm(p.entry.record); await mkdir(p.entry.record); }, /its record is a folder/],
    ['the record is a symlink to a valid record elsewhere', async (p) => { await rename(p.entry.record, join(p.base, 'elsewhere.json')); await symlink(join(p.base, 'elsewhere.json'), p.entry.record); }, /its record is a symbolic link/],
    ['an earlier version\'s entry path is a file', async (p) => { await removeEntry(p.entry); await writeFile(p.entry.legacy, 'junk'); }, /the entry is a file, not a folder/],
    ['an earlier version\'s entry is a symlink to a folder elsewhere', async (p) => { await toLegacy(p.entry); await rename(p.entry.legacy, join(p.base, 'elsewhere')); await symlink(join(p.base, 'elsewhere'), p.entry.legacy); }, /the entry is a symbolic link/],
    ['an earlier version\'s record.json is a folder', async (p) => { await toLegacy(p.entry); await rm(join(p.entry.legacy, 'record.json')); await mkdir(join(p.entry.legacy, 'record.json')); }, /record\.json is a folder/],
  ];
  for (const [what, plant, reason] of cases) {
    it(`${what}: set aside, generated, and a hit on the next run`, async () => {
      const p = await project();
      await plant(p);
      const again = await p.run();
      expect(again.corrupt.map((c) => c.reason)).toEqual([expect.stringMatching(reason)]);
      expect(again.failures).toEqual([]);
      expect(p.provider.calls).toHaveLength(2);
      const third = await p.run();
      expect(third.summary.cached).toBe(1);
      expect(p.provider.calls).toHaveLength(2);
    });
  }
});

describe('writes never follow links', () => {
  it('a symlinked .gitignore is replaced, never written through (the file it points at is untouched)', async () => {
    const p = await project();
    const victim = join(p.base, 'bashrc');
    await writeFile(victim, 'alias ls=ls\n');
    await rm(join(p.cacheDir, '.gitignore'));
    await symlink(victim, join(p.cacheDir, '.gitignore'));
    await removeEntry(p.entry);
    const again = await p.run(p.provider, new CacheStore(p.cacheDir));
    expect(again.failures).toEqual([]);
    expect(await readFile(victim, 'utf8')).toBe('alias ls=ls\n');
    expect((await lstat(join(p.cacheDir, '.gitignore'))).isSymbolicLink()).toBe(false);
  });

  for (const area of ['.corrupt', '.locks'] as const) {
    it(`a symlinked ${area}/ is refused: nothing written outside, nothing paid`, async () => {
      const p = await project();
      const outside = join(p.base, 'home');
      await mkdir(outside);
      await rm(join(p.cacheDir, area), { recursive: true, force: true });
      await symlink(outside, join(p.cacheDir, area));
      // Something to set aside (for .corrupt) or to generate (for .locks).
      if (area === '.corrupt') await writeFile(p.entry.image, 'junk');
      else await removeEntry(p.entry);
      const err = await p.run().then((r) => r.failures[0]?.error, (e: Error) => e);
      expect(err?.message).toMatch(new RegExp(`${area.replace('.', '\\.')} is a symbolic link, not a folder; retro-sprites never writes through links`));
      expect(await readdir(outside)).toEqual([]);
      expect(p.provider.calls).toHaveLength(1);
    });
  }

  it('.pages/: junk or another image under a page\'s name is never used; a symlinked .pages/ is not written through', async () => {
    const dir = join(await tempDir(), '.pages');
    const image = createImage(24, 16);
    for (let i = 0; i < image.data.length; i++) image.data[i] = (i * 11) & 0xff;
    encodePage(image, 'small');
    await new PageStore(dir).save([image], 'small', new Set());
    const [shard] = await readdir(dir);
    const [name] = await readdir(join(dir, shard!));
    const path = join(dir, shard!, name!);
    const fresh = () => {
      const copy = createImage(24, 16);
      copy.data.set(image.data);
      return copy;
    };
    expect((await new PageStore(dir).load([fresh()], 'small')).size).toBe(1);
    // A valid PNG from pngjs, of other pixels: it would ship as the atlas page if trusted.
    const other = new PNG({ width: 24, height: 16 });
    other.data.fill(7);
    for (const junk of [PNG.sync.write(other), Buffer.from('not a png')]) {
      await writeFile(path, junk);
      const copy = fresh();
      expect((await new PageStore(dir).load([copy], 'small')).size).toBe(0);
      expect(encodedPage(copy, 'small')).toBeUndefined();
    }
    await rm(path);
    await symlink('/dev/zero', path);
    expect((await new PageStore(dir).load([fresh()], 'small')).size).toBe(0);

    const outside = join(dir, '..', 'outside');
    await mkdir(outside);
    await rm(dir, { recursive: true });
    await symlink(outside, dir);
    const again = fresh();
    encodePage(again, 'small');
    await new PageStore(dir).save([again], 'small', new Set());
    expect(await readdir(outside)).toEqual([]);
  });
});

describe('nothing paid for is lost', () => {
  it('when the cache folder cannot take an answer: no new paid request starts, the answers in hand are rescued, and the message says where', async () => {
    const p = await project(1);
    await rm(p.cacheDir, { recursive: true });
    const more = await writeProject(p.root, { 'manifests/a.yaml': manySprites(10, 'many', ' again') }).then(() => keyedRequests(p.root, p.provider));
    const counting = countingProvider({ delayMs: 30 });
    let blocked = false;
    // A path in the way, appearing once the first answer is being paid for: every write then fails.
    const provider: Provider = {
      ...counting,
      async generate(payload, ctx) {
        if (!blocked) {
          blocked = true;
          await rm(p.cacheDir, { recursive: true, force: true });
          await writeFile(p.cacheDir, 'a file where the cache folder was');
        }
        return counting.generate(payload, ctx);
      },
    };
    const result = await runGeneration(more, { store: new CacheStore(p.cacheDir), provider, root: p.root, concurrency: 2 });
    // At most the requests already in flight when the first write failed were paid for.
    expect(counting.calls.length).toBeLessThanOrEqual(2);
    const rescued = result.failures.filter((f) => (f.error as { code?: string }).code === 'cache-unwritable' && /saved in/.test(f.error.message));
    expect(rescued).toHaveLength(counting.calls.length);
    const skipped = result.failures.filter((f) => /^not requested: the cache folder .* cannot be written/.test(f.error.message));
    expect(skipped).toHaveLength(10 - counting.calls.length);
    // The rescue folder is a cache folder of its own: every paid answer verifies there.
    const where = /saved in (\S+)\. /.exec(rescued[0]!.error.message)![1]!;
    const rescue = new CacheStore(where);
    for (const f of rescued) expect((await rescue.lookup(f.request.key)).status).toBe('hit');
    expect(rescued[0]!.error.message).toMatch(/cp -R/);
    await rm(where, { recursive: true, force: true });
  });
});
