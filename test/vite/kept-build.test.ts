import { createHash } from 'node:crypto';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { CacheFolder } from '../../plugin/core/cache/folder.js';
import { PLACEHOLDER_ID, PLACEHOLDER_VERSION } from '../../plugin/core/providers/placeholder/index.js';
import { listFiles } from '../helpers/files.js';
import { keyedRequests, writeProject } from '../helpers/project.js';
import { cachedImages } from '../helpers/cached-images.js';
import { regenerateEntry } from '../helpers/regenerated-entry.js';
import { useTempDirs } from '../helpers/tmp.js';
import { buildWithPlugin, collectingLogger, GAME_FILES } from '../helpers/vite.js';

const tempDir = useTempDirs();
const KEPT = /^retro-sprites: 4 sprites, unchanged since the last build: its output is reused \(\d+ ms\)$/;

/** Every file of dist/ and its sha256: what a user deploys. */
async function deployed(root: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const f of await listFiles(join(root, 'dist'))) out[f] = createHash('sha256').update(await readFile(join(root, 'dist', f))).digest('hex');
  return out;
}

/** The cached PNGs of every entry, by entry folder. */
/** A game built until its build is kept: the first build generates, the next one keeps its result. */
async function keptGame() {
  const root = await tempDir();
  await writeProject(root, GAME_FILES);
  await buildWithPlugin(root, { dts: false });
  // A moment between builds, as between a user's: an input changed within the timestamps' grain is racy.
  await sleep(100);
  await buildWithPlugin(root, { dts: false });
  const made = await deployed(root);
  const logger = await buildWithPlugin(root, { dts: false });
  expect(logger.lines).toContainEqual(expect.stringMatching(KEPT));
  return { root, made, cache: join(root, 'manifests/.retro-cache') };
}

describe('an unchanged vite build', () => {
  it('is kept by the time `vite build` returns: what it keeps is written while Vite bundles, and waited for', async () => {
    const root = await tempDir();
    await writeProject(root, GAME_FILES);
    const cache = join(root, 'manifests/.retro-cache');
    const memos = async (dir: string) => (await readdir(join(cache, dir)).catch(() => [])).filter((f) => f.endsWith('.json') && !f.startsWith('last-'));
    // The first build makes the cache folder, in the manifests' folder: that listing changed as it
    // ran, so only its atlases are kept (with the art it generated, settled), not the whole build.
    await sleep(100);
    await buildWithPlugin(root, { dts: false });
    expect(await memos('.atlases')).toHaveLength(1);
    expect(await readdir(join(cache, '.pages'))).not.toHaveLength(0);
    await sleep(100);
    await buildWithPlugin(root, { dts: false });
    expect(await memos('.builds')).toHaveLength(1);
  });

  it('deploys the very bytes the full build made, without reading one cached image', async () => {
    const { root, made, cache } = await keptGame();
    expect(await deployed(root)).toEqual(made);

    // Overwritten in place, the cache's images would fail any read of them (sha256 and decode).
    // The kept build never opens them: what it ships is what the full build made and verified.
    for (const png of await cachedImages(cache)) await writeFile(png, 'not a png');
    const logger = await buildWithPlugin(root, { dts: false });
    expect(logger.lines).toContainEqual(expect.stringMatching(KEPT));
    expect(await deployed(root)).toEqual(made);
  });

  it('a manifest edit is built in full: the edited sprite is generated and the atlas changes', async () => {
    const { root, made } = await keptGame();
    await writeFile(join(root, 'manifests/heroes.yaml'), GAME_FILES['manifests/heroes.yaml'].replace('knight in blue armor', 'knight in red armor'));
    // A user's edit is saved a moment before the build: one within the timestamps' grain is racy.
    await sleep(100);
    const logger = await buildWithPlugin(root, { dts: false });
    expect(logger.lines).toContainEqual(expect.stringMatching(/^retro-sprites: 4 sprites, 3 cached, 1 generated/));
    expect(logger.lines).not.toContainEqual(expect.stringMatching(KEPT));
    const edited = await deployed(root);
    expect(edited).not.toEqual(made);
    // The art it generated was settled before it kept its output: the next build is kept, and ships the same.
    const next = await buildWithPlugin(root, { dts: false });
    expect(next.lines).toContainEqual(expect.stringMatching(KEPT));
    expect(await deployed(root)).toEqual(edited);
  });

  it('a sprite a teammate regenerated (its entry rewritten by git pull) ships its new art, as a full build would', async () => {
    const { root, made, cache } = await keptGame();
    const [hero] = (await keyedRequests(root, { id: PLACEHOLDER_ID, version: PLACEHOLDER_VERSION })).filter((r) => r.sprite === 'hero');
    await regenerateEntry(cache, hero!.key);

    const logger = await buildWithPlugin(root, { dts: false });
    expect(logger.lines).not.toContainEqual(expect.stringMatching(KEPT));
    const pulled = await deployed(root);
    expect(pulled).not.toEqual(made);
    // The same bytes as a build that keeps nothing at all.
    await new CacheFolder(cache).clearDerived();
    await buildWithPlugin(root, { dts: false });
    expect(await deployed(root)).toEqual(pulled);
  });

  it("a manifest edit pulled with a teammate's regenerated sprite ships both, as a full build would", async () => {
    const { root, cache } = await keptGame();
    const [hero] = (await keyedRequests(root, { id: PLACEHOLDER_ID, version: PLACEHOLDER_VERSION })).filter((r) => r.sprite === 'hero');
    // The build after it takes its entries' signatures from the last build's memo, standing only
    // while their shard is unchanged: the regenerated entry moved its shard, so it is looked at.
    await regenerateEntry(cache, hero!.key);
    await writeFile(join(root, 'manifests/heroes.yaml'), GAME_FILES['manifests/heroes.yaml'].replace('gold coin', 'silver coin'));
    await sleep(100);
    const logger = await buildWithPlugin(root, { dts: false });
    expect(logger.lines).toContainEqual(expect.stringMatching(/^retro-sprites: 4 sprites, 3 cached, 1 generated/));
    const pulled = await deployed(root);
    await new CacheFolder(cache).clearDerived();
    await buildWithPlugin(root, { dts: false });
    expect(await deployed(root)).toEqual(pulled);
  });

  it('a build with another base is built in full, with that base in its pack', async () => {
    const { root } = await keptGame();
    const logger = collectingLogger();
    const { build } = await import('vite');
    const { retroSprites } = await import('../../plugin/index.js');
    await build({ root, configFile: false, customLogger: logger, logLevel: 'info', base: '/game/', plugins: [retroSprites({ dts: false })], build: { outDir: join(root, 'dist'), emptyOutDir: true } });
    expect(logger.lines).not.toContainEqual(expect.stringMatching(KEPT));
    const pack = (await listFiles(join(root, 'dist'))).find((f) => /pack-.*\.json$/.test(f))!;
    expect(JSON.parse(await readFile(join(root, 'dist', pack), 'utf8'))['retro-sprites'].path).toBe('/game/');
  });
});
