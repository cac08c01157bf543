import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { build, preview, type PreviewServer } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectingLogger } from '../helpers/vite.js';
import { browserAvailable, launchBrowser, openDemo, pixelStats } from './browser.js';
import { demoConfig, REPO } from './demo-config.js';
import { frameMismatches, phaserTextures } from './phaser-frames.js';
import { PHASER_MAJORS } from './phaser-majors.js';
import { sourceFrames, type SourceFrames } from './source-frames.js';

const OUTPUT = join(REPO, 'test-output', 'e2e');

// One chromium for both majors; one build of the demo per major.
describe.skipIf(!browserAvailable('demo game in the browser'))('the demo game, built and served like `npm run demo`', () => {
  let browser: Browser | undefined;
  let sources: SourceFrames;

  beforeAll(async () => {
    // The committed cache must be enough: the offline provider, whatever the developer's shell holds.
    delete process.env.RD_API_KEY;
    browser = await launchBrowser();
    sources = await sourceFrames(REPO);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
  });

  describe.each(PHASER_MAJORS)('on $name', (major) => {
    let outDir: string;
    let server: PreviewServer | undefined;
    let page: Page;
    let problems: string[];
    const buildLog = collectingLogger();
    const shot = (name: string) => join(OUTPUT, `${name}-${major.pkg}.png`);

    beforeAll(async () => {
      outDir = await mkdtemp(join(tmpdir(), 'retro-sprites-demo-'));
      // Phaser itself is one ~1.4 MB chunk; that is expected, not a warning.
      await build(demoConfig(major, REPO, {
        build: { outDir, emptyOutDir: true, chunkSizeWarningLimit: 1600 }, customLogger: buildLog, logLevel: 'info',
      }));
      server = await preview(demoConfig(major, REPO, {
        build: { outDir }, preview: { port: 0, strictPort: false, open: false, host: '127.0.0.1' }, logLevel: 'silent',
      }));
      ({ page, problems } = await openDemo(browser!, server.resolvedUrls!.local[0]!));
    }, 120_000);

    afterAll(async () => {
      await page?.close();
      await server?.close();
      if (outDir) await rm(outDir, { recursive: true, force: true });
    });

    it(`runs on ${major.name}, built from the committed cache without generating anything`, async () => {
      expect(await page.evaluate(() => window.__demo!.phaserVersion)).toMatch(major.version);
      const summary = buildLog.lines.find((l) => /retro-sprites: \d+ sprites/.test(l));
      // The second major's build finds the first one's output kept (nothing it is made from changed).
      expect(summary, buildLog.lines.join('\n')).toMatch(/, 0 generated|, unchanged since the last build/);
    });

    it('loads every atlas, frame, animation and tiling image of the pack, and draws nothing with a missing texture', async () => {
      const report = await page.evaluate(() => {
        const demo = window.__demo!;
        const textures = demo.game.textures;
        const missingTextures = demo.packTextures.filter((k) => !textures.exists(k) || textures.get(k).key === '__MISSING');
        const missingFrames = Object.entries(demo.packFrames).flatMap(([atlas, names]) =>
          textures.exists(atlas) ? names.filter((f) => !textures.get(atlas).has(f)).map((f) => `${atlas}:${f}`) : []);
        const missingAnimations = demo.packAnimations.filter((a) => !demo.game.anims.exists(a));
        const drawnWithMissing: string[] = [];
        for (const scene of demo.game.scene.getScenes(true)) {
          for (const obj of scene.sys.displayList.list as (Phaser.GameObjects.GameObject & { texture?: Phaser.Textures.Texture })[]) {
            if (obj.texture?.key === '__MISSING') drawnWithMissing.push(`${scene.sys.settings.key}:${obj.type}`);
          }
        }
        const world = demo.game.scene.getScene('world');
        const ground = world.sys.displayList.list.find((o) => o.type === 'TileSprite') as Phaser.GameObjects.TileSprite | undefined;
        // Phaser 3 draws a TileSprite's texture (`displayTexture`) through a canvas texture of its own.
        const groundKey = Number(demo.phaserVersion.split('.')[0]) < 4 ? (ground as unknown as { displayTexture?: Phaser.Textures.Texture } | undefined)?.displayTexture?.key : ground?.texture.key;
        return { packTextures: demo.packTextures, missingTextures, missingFrames, missingAnimations, drawnWithMissing, ground: groundKey };
      });
      expect(report.packTextures).toEqual(expect.arrayContaining(['characters', 'items', 'world', 'forest', 'grass']));
      expect(report.missingTextures).toEqual([]);
      expect(report.missingFrames).toEqual([]);
      expect(report.missingAnimations).toEqual([]);
      expect(report.drawnWithMissing).toEqual([]);
      // The tiling image is the ground's texture.
      expect(report.ground).toBe('grass');
    });

    it("has every frame of every atlas, single and multi page, as Phaser's loader parsed it, equal to the source frame", async () => {
      // The emitted pack: the walkers' atlas is a multiatlas on two pages, the others JSON Hash.
      const assets = join(outDir, 'assets', 'retro-sprites');
      const packName = (await readdir(assets)).find((f) => /^pack-.*\.json$/.test(f))!;
      const pack = JSON.parse(await readFile(join(assets, packName), 'utf8')) as Record<string, { files: { type: string; key: string }[] }>;
      const types = Object.fromEntries(pack['retro-sprites']!.files.filter((f) => f.type !== 'animation').map((f) => [f.key, f.type]));
      expect(types).toEqual({ characters: 'multiatlas', forest: 'atlas', items: 'atlas', world: 'atlas', grass: 'image', ui: 'atlas', meadow_path: 'image' });

      const drawn = await phaserTextures(page, [...sources.keys()]);
      expect(drawn.get('characters')?.pages).toBe(2);
      expect(new Set([...drawn.get('characters')!.frames.values()].map((f) => f.page))).toEqual(new Set([0, 1]));
      expect(drawn.get('items')?.pages).toBe(1);
      expect(frameMismatches(drawn, sources)).toEqual([]);
    });

    it('shows a real picture: not blank, many colours', async () => {
      const png = await page.locator('canvas').screenshot();
      await mkdir(OUTPUT, { recursive: true });
      await writeFile(shot('demo'), png);
      const stats = pixelStats(png);
      expect(stats.width).toBeGreaterThan(400);
      expect(stats.dominantShare).toBeLessThan(0.5);
      expect(stats.colours).toBeGreaterThan(24);
    });

    it('walks the hero right with the right arrow, playing its walk-right cycle, and stands still when released', async () => {
      const before = await page.evaluate(() => window.__demo!.hero);
      expect(before.playing).toBe(false);

      await page.keyboard.down('ArrowRight');
      await page.waitForFunction((x0) => window.__demo!.hero.x > x0 + 12, before.x, { timeout: 10_000 });
      const walking = await page.evaluate(() => window.__demo!.hero);
      await mkdir(OUTPUT, { recursive: true });
      await page.locator('canvas').screenshot({ path: shot('demo-walking') });
      await page.keyboard.up('ArrowRight');

      expect(walking).toMatchObject({ facing: 'right', animation: 'hero_right', playing: true });
      expect(walking.y).toBe(before.y);

      await page.waitForFunction(() => !window.__demo!.hero.playing, null, { timeout: 10_000 });
      const still = await page.evaluate(() => window.__demo!.hero);
      expect(still).toMatchObject({ facing: 'right', playing: false, frame: 'hero/right/0' });
      // Stopped: a later look finds it where it stood.
      await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
      expect((await page.evaluate(() => window.__demo!.hero)).x).toBe(still.x);
    });

    it('logged no console errors or warnings and no failed requests', () => {
      expect(problems).toEqual([]);
    });
  });
});
