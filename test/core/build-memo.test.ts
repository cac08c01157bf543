import { mkdir, readFile, readdir, rename, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { BuildMemo, type KeptBuild } from '../../plugin/core/build-memo.js';
import { CacheFolder } from '../../plugin/core/cache/folder.js';
import { EntrySignatures, signature } from '../../plugin/core/fs/stat-signature.js';
import { useTempDirs } from '../helpers/tmp.js';

const tempDir = useTempDirs();
const KEY_A = 'a'.repeat(64);
const KEY_B = 'b'.repeat(64);

const build = (art: string): KeptBuild => ({
  files: [{ fileName: 'assets/heroes-abc.png', kind: 'atlas-image', bytes: Buffer.from(art) }],
  texts: { dts: `declare module "virtual:retro-sprites" { /* ${art} */ }` },
  data: { sprites: 2 },
});

/**
 * A project on disk as a build leaves it: a manifest folder, a manifest, and two cache entries.
 * The inputs are older than the build's start, as they are when a user runs one build after another.
 */
async function project() {
  const root = await tempDir();
  const folder = new CacheFolder(join(root, 'manifests/.retro-cache'));
  await mkdir(join(root, 'manifests'), { recursive: true });
  await writeFile(join(root, 'manifests/heroes.yaml'), 'atlas: heroes\n');
  for (const key of [KEY_A, KEY_B]) {
    await mkdir(join(folder.dir, key.slice(0, 2)), { recursive: true });
    await writeFile(folder.entryFile(key, '0.png'), 'art');
    await writeFile(folder.recordFile(key), `{"key":"${key}"}`);
  }
  await sleep(80);
  const inputs = { files: [join(root, 'manifests/heroes.yaml')], dirs: [join(root, 'manifests')], keys: [KEY_A, KEY_B], startedAt: Date.now() };
  return { root, folder, inputs, memo: new BuildMemo(folder, { base: '/' }) };
}

/** git's checkout of a changed file: the old one unlinked, the new one created. */
async function replaceAsGitDoes(path: string, bytes: string): Promise<void> {
  await rm(path);
  await writeFile(path, bytes);
}

describe('a whole build kept by its inputs', () => {
  it('hands back the same files, texts and data while nothing it was made from changed', async () => {
    const { memo, inputs } = await project();
    expect(await memo.save(inputs, build('v1'))).toBe(true);
    const kept = await memo.find();
    expect(kept?.files.map((f) => [f.fileName, f.kind, Buffer.from(f.bytes).toString()])).toEqual([['assets/heroes-abc.png', 'atlas-image', 'v1']]);
    expect(kept?.texts).toEqual(build('v1').texts);
    expect(kept?.data).toEqual({ sprites: 2 });
  });

  it('is keyed by each entry as the build first saw it: one replaced after that (as git replaces files) makes the next build a miss', async () => {
    const { folder, memo, inputs } = await project();
    const signatures = new EntrySignatures();
    for (const key of inputs.keys) signatures.of(key, folder.recordFile(key));
    // A teammate's regenerated sprite lands after the build looked at the entry, before it saves.
    await replaceAsGitDoes(folder.recordFile(KEY_A), '{"key":"regenerated"}');
    // Its mtime set back to before the build: only the signature taken first tells the change.
    await utimes(folder.recordFile(KEY_A), new Date(inputs.startedAt - 60_000), new Date(inputs.startedAt - 60_000));
    expect(await memo.save({ ...inputs, signatures }, build('v1'))).toBe(true);
    expect(await memo.find()).toBeUndefined();
  });

  it('is a miss once a manifest changes, a manifest is added, or the options differ', async () => {
    const { root, folder, memo, inputs } = await project();
    await memo.save(inputs, build('v1'));
    await writeFile(join(root, 'manifests/heroes.yaml'), 'atlas: heroes # edited\n');
    expect(await memo.find()).toBeUndefined();

    await writeFile(join(root, 'manifests/heroes.yaml'), 'atlas: heroes\n');
    expect(await memo.find()).toBeDefined();
    await writeFile(join(root, 'manifests/items.yaml'), 'atlas: items\n');
    expect(await memo.find()).toBeUndefined();
    await rm(join(root, 'manifests/items.yaml'));
    // The folder's listing is back, but its signature moved on: still a miss, never a wrong hit.
    expect(await memo.find()).toBeUndefined();

    expect(await new BuildMemo(folder, { base: '/game/' }).find()).toBeUndefined();
  });

  it('is a miss once an entry changes the way git or rsync changes it (files replaced) or goes away', async () => {
    const { folder, memo, inputs } = await project();
    await memo.save(inputs, build('v1'));
    // git checkout of a regenerated entry: each of its files unlinked, then created anew.
    await replaceAsGitDoes(folder.entryFile(KEY_A, '0.png'), 'new art');
    await replaceAsGitDoes(folder.recordFile(KEY_A), '{"key":"regenerated"}');
    expect(await memo.find()).toBeUndefined();

    const again = await project();
    await again.memo.save(again.inputs, build('v1'));
    // rsync: a temporary file renamed over the old one.
    await writeFile(join(again.folder.dir, 'bb', '.tmp'), 'new record');
    await rename(join(again.folder.dir, 'bb', '.tmp'), again.folder.recordFile(KEY_B));
    expect(await again.memo.find()).toBeUndefined();

    const third = await project();
    await third.memo.save(third.inputs, build('v1'));
    await rm(third.folder.recordFile(KEY_A));
    await rm(third.folder.entryFile(KEY_A, '0.png'));
    expect(await third.memo.find()).toBeUndefined();
  });

  it("looks at the entries of a shard only when the shard's folder changed: a teammate's new sprite beside them is still a hit", async () => {
    const { folder, memo, inputs } = await project();
    await memo.save(inputs, build('v1'));
    // Written in place (damage, not a way art arrives: the shard's folder does not move), so only a
    // look at the entry itself would tell; the shard stands for it, and what was made from the
    // entry as verified then is what the build emits.
    await writeFile(folder.recordFile(KEY_A), '{"key":"edited in place"}');
    expect(Buffer.from((await memo.find())!.files[0]!.bytes).toString()).toBe('v1');
    // A new entry lands in the shard: its folder moves, so its entries are looked at one by one,
    // and the one rewritten now shows.
    await writeFile(join(folder.dir, 'aa', `${'a'.repeat(63)}1.json`), '{}');
    expect(await memo.find()).toBeUndefined();

    const again = await project();
    await again.memo.save(again.inputs, build('v1'));
    await writeFile(join(again.folder.dir, 'aa', `${'a'.repeat(63)}1.json`), '{}');
    expect(Buffer.from((await again.memo.find())!.files[0]!.bytes).toString()).toBe('v1');
    // The list of entries, read once a shard moved, is verified like any stored file: damaged, a miss.
    const blobs = join(again.folder.buildsDir, 'files');
    for (const f of await readdir(blobs)) {
      if ((await stat(join(blobs, f))).size === 2 * 96) await writeFile(join(blobs, f), Buffer.alloc(2 * 96));
    }
    expect(await again.memo.find()).toBeUndefined();
  });

  it("after a manifest's edit, hands the build that runs its entries' signatures: each stands while its shard is unchanged, and is looked at once the shard moved", async () => {
    const { root, folder, memo, inputs } = await project();
    await memo.save(inputs, build('v1'));
    await writeFile(join(root, 'manifests/heroes.yaml'), 'atlas: heroes # edited\n');
    expect(await memo.find()).toBeUndefined();
    const known = memo.knownSignatures();
    expect(known).toBeDefined();
    // Written in place (damage: the shard does not move), so only a look at the record would tell:
    // the signature handed over is the one the last build kept, taken without looking.
    const kept = signature(folder.recordFile(KEY_A));
    await writeFile(folder.recordFile(KEY_A), '{"key":"edited in place"}');
    expect(new EntrySignatures(known).of(KEY_A, folder.recordFile(KEY_A))).toEqual(kept);
    // Regenerated as git brings it (unlinked, created): its shard moved, so the entry is looked at.
    await replaceAsGitDoes(folder.recordFile(KEY_B), '{"key":"regenerated"}');
    expect(new EntrySignatures(known).of(KEY_B, folder.recordFile(KEY_B))).toEqual(signature(folder.recordFile(KEY_B)));
    // An entry the last build did not read is looked at too.
    const other = 'a'.repeat(63) + 'f';
    expect(known!(other)).toBeUndefined();

    // The list is verified like any stored file: damaged, nothing is handed over.
    const blobs = join(folder.buildsDir, 'files');
    for (const f of await readdir(blobs)) {
      if ((await stat(join(blobs, f))).size === 2 * 96) await writeFile(join(blobs, f), Buffer.alloc(2 * 96));
    }
    const after = new BuildMemo(folder, { base: '/' });
    expect(await after.find()).toBeUndefined();
    expect(after.knownSignatures()).toBeUndefined();
    // Nor from a memo of other options, which find() never opened.
    const elsewhere = new BuildMemo(folder, { base: '/game/' });
    await elsewhere.find();
    expect(elsewhere.knownSignatures()).toBeUndefined();
  });

  it('never hands back a damaged file, and ignores a memo this machine did not seal', async () => {
    const { folder, memo, inputs } = await project();
    await memo.save(inputs, build('v1'));
    const blobs = join(folder.buildsDir, 'files');
    for (const f of await readdir(blobs)) await writeFile(join(blobs, f), 'tampered');
    expect(await memo.find()).toBeUndefined();
    // The next save writes what it found damaged again, and so does one after damage that keeps the size.
    expect(await memo.save(inputs, build('v1'))).toBe(true);
    expect(Buffer.from((await memo.find())!.files[0]!.bytes).toString()).toBe('v1');
    for (const f of await readdir(blobs)) {
      const bytes = await readFile(join(blobs, f));
      bytes[0]! ^= 0xff;
      await writeFile(join(blobs, f), bytes);
    }
    expect(await memo.find()).toBeUndefined();
    await memo.save(inputs, build('v1'));
    expect(Buffer.from((await memo.find())!.files[0]!.bytes).toString()).toBe('v1');

    // A memo rewritten by hand (or committed by a pull request) carries no valid seal.
    await memo.save(inputs, build('v1'));
    const [name] = (await readdir(folder.buildsDir)).filter((n) => n.endsWith('.json'));
    const path = join(folder.buildsDir, name!);
    const sealed = await readFile(path);
    const body = sealed.subarray(0, sealed.length - 32).toString().replace('"sprites":2', '"sprites":3');
    await writeFile(path, Buffer.concat([Buffer.from(body), sealed.subarray(sealed.length - 32)]));
    expect(await memo.find()).toBeUndefined();
  });

  it('a build that generated into a shard keeps it standing for its entries, once its timestamps are past the grain', async () => {
    const { folder, memo, inputs } = await project();
    const signatures = new EntrySignatures();
    for (const key of inputs.keys) signatures.of(key, folder.recordFile(key));
    // The build generates a sprite beside KEY_A: the shard moves while the build runs.
    const made = 'a'.repeat(63) + '9';
    await writeFile(folder.entryFile(made, '0.png'), 'new art');
    await writeFile(folder.recordFile(made), `{"key":"${made}"}`);
    expect(await memo.save({ ...inputs, keys: [...inputs.keys, made], signatures }, build('v1'))).toBe(false);
    // Settled (the session does it for what it wrote), the made entry is trusted and the build kept.
    await sleep(60);
    const settled = new EntrySignatures();
    for (const key of [...inputs.keys]) settled.of(key, folder.recordFile(key));
    await settled.settle(made, folder.recordFile(made), async () => true);
    expect(await memo.save({ ...inputs, keys: [...inputs.keys, made], signatures: settled }, build('v1'))).toBe(true);
    // The shard's signature was kept: an in-place rewrite in it goes unseen, as in any unmoved shard.
    await writeFile(folder.recordFile(KEY_A), '{"key":"edited in place"}');
    expect(Buffer.from((await memo.find())!.files[0]!.bytes).toString()).toBe('v1');
  });

  it('is not kept when an input changed during the build (its timestamps could hide a later change)', async () => {
    const { folder, memo, inputs } = await project();
    await replaceAsGitDoes(folder.recordFile(KEY_A), '{"key":"written while the build ran"}');
    expect(await memo.save(inputs, build('v1'))).toBe(false);
    expect(await memo.find()).toBeUndefined();
  });

  it('keeps only the newest memos, and the files they name; files no memo names go once they are a minute old', async () => {
    const { folder, inputs } = await project();
    const longAgo = Date.now() / 1000 - 3600;
    for (let i = 0; i < 10; i++) {
      await new BuildMemo(folder, { base: `/v${i}/` }).save(inputs, build(`art ${i}`));
      // As if each build ran a minute after the last, long ago.
      for (const n of await readdir(folder.buildsDir)) {
        const path = join(folder.buildsDir, n);
        if (n.endsWith('.json') && (await stat(path)).mtimeMs > Date.now() - 10_000) await utimes(path, longAgo + 60 * i, longAgo + 60 * i);
      }
      for (const f of await readdir(join(folder.buildsDir, 'files'))) await utimes(join(folder.buildsDir, 'files', f), longAgo, longAgo);
    }
    expect((await readdir(folder.buildsDir)).filter((n) => n.endsWith('.json'))).toHaveLength(8);
    expect(await new BuildMemo(folder, { base: '/v9/' }).find()).toBeDefined();
    expect(await new BuildMemo(folder, { base: '/v2/' }).find()).toBeDefined();
    expect(await new BuildMemo(folder, { base: '/v1/' }).find()).toBeUndefined();
    // Two files per kept memo (the art and the declarations), the list of entries they all read
    // (the same bytes, kept once), and nothing of the dropped ones.
    expect(await readdir(join(folder.buildsDir, 'files'))).toHaveLength(17);
  });

  it('a build whose output changed leaves no stale files behind once they are a minute old', async () => {
    const { folder, memo, inputs } = await project();
    await memo.save(inputs, build('v1'));
    const files = join(folder.buildsDir, 'files');
    const longAgo = Date.now() / 1000 - 3600;
    for (const f of await readdir(files)) await utimes(join(files, f), longAgo, longAgo);
    await memo.save(inputs, build('v2'));
    // The new art, its declarations and the list of entries it read.
    expect(await readdir(files)).toHaveLength(3);
    expect(Buffer.from((await memo.find())!.files[0]!.bytes).toString()).toBe('v2');
  });
});
