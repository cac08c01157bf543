import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { createServer, type ViteDevServer } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserAvailable, changedShare, launchBrowser, openDemo } from './browser.js';
import { demoConfig, REPO } from './demo-config.js';
import { frameMismatches, phaserTextures } from './phaser-frames.js';
import { PHASER_MAJORS } from './phaser-majors.js';
import { sourceFrames, type SourceFrames } from './source-frames.js';

const HERO_PROMPT = 'brave knight in blue armor with a red cape';
const NEW_PROMPT = 'brave knight in golden armor with a green cape';
const GRASS_PROMPT = 'seamless green grass texture';
const NEW_GRASS_PROMPT = 'seamless dry autumn grass texture';

type Stats = { updates: number; lastUpdate?: { atlases: string[]; images: string[] } };

/** Edits a prompt in a manifest of the scratch project and waits for the page's n-th swap. */
async function editAndWaitForSwap(page: Page, manifest: string, from: string, to: string, nth: number): Promise<boolean> {
  const yaml = await readFile(manifest, 'utf8');
  expect(yaml).toContain(from);
  await writeFile(manifest, yaml.replace(from, to));
  return page
    .waitForFunction((n) => (window as unknown as { __retroSprites?: Stats }).__retroSprites?.updates === n, nth, { timeout: 20_000 })
    .then(() => true, () => false);
}

/** Waits until the world camera has not moved for ten frames (it eases after the hero). */
async function cameraAtRest(page: Page): Promise<void> {
  await page.evaluate(() => new Promise<void>((resolve) => {
    const cam = window.__demo!.game.scene.getScene('world').cameras.main;
    let last = '';
    let still = 0;
    const tick = () => {
      const now = `${cam.scrollX},${cam.scrollY}`;
      still = now === last ? still + 1 : 0;
      last = now;
      if (still >= 10) resolve();
      else requestAnimationFrame(tick);
    };
    tick();
  }));
}

const stats = (page: Page) => page.evaluate(() => (window as unknown as { __retroSprites: Stats }).__retroSprites);

/** The hero's own frames of a set of source frames, to tell old art from new. */
const heroFrames = (s: SourceFrames) => [...s.get('characters')!].filter(([n]) => n.startsWith('hero/')).map(([, f]) => Buffer.from(f.data).toString('base64'));

// One chromium for both majors; one dev server of the demo per major, on a scratch copy of the manifests.
describe.skipIf(!browserAvailable('demo game in dev mode'))('the demo game under `npm run dev`', () => {
  let browser: Browser | undefined;

  beforeAll(async () => {
    delete process.env.RD_API_KEY;
    browser = await launchBrowser();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
  });

  describe.each(PHASER_MAJORS)('on $name', (major) => {
    let scratch: string;
    let server: ViteDevServer | undefined;
    let page: Page;
    let problems: string[];

    beforeAll(async () => {
      // Edit a scratch copy of the manifests (and their cache), never the committed ones.
      scratch = await mkdtemp(join(tmpdir(), 'retro-sprites-dev-'));
      await cp(join(REPO, 'manifests'), join(scratch, 'manifests'), { recursive: true });
      server = await createServer(demoConfig(major, scratch, {
        cacheDir: join(scratch, '.vite'),
        // Bundle Phaser before the first page load, so the optimizer never reloads the page under the test.
        optimizeDeps: { include: ['phaser'] },
        server: { port: 0, strictPort: false, host: '127.0.0.1' },
        logLevel: process.env.E2E_DEBUG ? 'info' : 'silent',
      }));
      await server.listen();
      ({ page, problems } = await openDemo(browser!, server.resolvedUrls!.local[0]!));
    }, 120_000);

    afterAll(async () => {
      await page?.close();
      await server?.close();
      if (scratch) await rm(scratch, { recursive: true, force: true });
    });

    it(`runs on ${major.name} and loads the walkers' 2-page multiatlas with every frame equal to its source`, async () => {
      expect(await page.evaluate(() => window.__demo!.phaserVersion)).toMatch(major.version);
      const sources = await sourceFrames(scratch);
      const drawn = await phaserTextures(page, [...sources.keys()]);
      expect(drawn.get('characters')?.pages).toBe(2);
      expect(frameMismatches(drawn, sources)).toEqual([]);
    });

    it("swaps a multiatlas in the running page while the hero walks: every page's frames survive, sprites keep drawing their frame", async () => {
      const before = await sourceFrames(scratch);
      // Walk right, so the hero's animation plays through the swap (the wanderers play theirs anyway).
      await page.keyboard.down('ArrowRight');
      await page.waitForFunction(() => window.__demo!.hero.animation === 'hero_right' && window.__demo!.hero.playing, null, { timeout: 10_000 });

      const swapped = await editAndWaitForSwap(page, join(scratch, 'manifests', 'characters.yaml'), HERO_PROMPT, NEW_PROMPT, 1);
      // A failed swap shows up as a page error or a Phaser warning: say that rather than only "no swap".
      expect(problems).toEqual([]);
      expect(swapped, 'the page never swapped the new art in').toBe(true);
      expect((await stats(page)).lastUpdate).toEqual({ atlases: ['characters'], images: [] });

      const after = await sourceFrames(scratch);
      expect(heroFrames(after), 'the new prompt made new art').not.toEqual(heroFrames(before));
      const drawn = await phaserTextures(page, ['characters']);
      expect(drawn.get('characters')?.pages).toBe(2);
      expect(frameMismatches(drawn, new Map([['characters', after.get('characters')!]]))).toEqual([]);

      // Every walker is on the new texture, on a frame of it (not __BASE, not a stale frame object),
      // and holds (playing, or paused while a wanderer rests) an animation made of the new frames.
      const walkers = await page.evaluate(() => {
        const { game } = window.__demo!;
        const texture = game.textures.get('characters');
        const out: { paused: boolean; frame: string; ownFrame: boolean; onTexture: boolean; anim?: string; playing: boolean; animOnTexture: boolean }[] = [];
        for (const scene of game.scene.getScenes(true)) {
          for (const o of scene.sys.displayList.list as Phaser.GameObjects.Sprite[]) {
            if (o.type !== 'Sprite' || !String(o.frame.name).includes('/')) continue;
            const anim = o.anims.currentAnim;
            out.push({
              paused: o.anims.isPaused,
              frame: String(o.frame.name),
              ownFrame: texture.has(String(o.frame.name)) && texture.get(String(o.frame.name)) === o.frame,
              onTexture: o.texture === texture,
              anim: anim?.key,
              playing: o.anims.isPlaying,
              animOnTexture: !!anim && anim.frames.every((f) => f.frame === texture.get(String(f.textureFrame))),
            });
          }
        }
        return { walkers: out, hero: window.__demo!.hero };
      });
      await page.keyboard.up('ArrowRight');

      expect(walkers.hero).toMatchObject({ animation: 'hero_right', playing: true });
      expect(walkers.walkers.map((w) => w.frame.split('/')[0]).sort()).toEqual(['bat', 'hero', 'slime']);
      for (const w of walkers.walkers) {
        expect(w, w.frame).toMatchObject({ ownFrame: true, onTexture: true, animOnTexture: true });
        expect(w.playing || w.paused, `${w.frame}: neither playing nor paused`).toBe(true);
      }
      expect(problems).toEqual([]);
    });

    it('swaps a tiling image in the running page: the ground shows the new texture', async () => {
      await cameraAtRest(page);
      const shotBefore = await page.locator('canvas').screenshot();
      const swapped = await editAndWaitForSwap(page, join(scratch, 'manifests', 'world.yaml'), GRASS_PROMPT, NEW_GRASS_PROMPT, 2);
      await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
      const shotAfter = await page.locator('canvas').screenshot();
      expect(problems).toEqual([]);
      expect(swapped, 'the page never swapped the new ground in').toBe(true);
      expect((await stats(page)).lastUpdate).toEqual({ atlases: [], images: ['grass'] });

      const ground = await page.evaluate(() => {
        const { game, phaserVersion } = window.__demo!;
        const world = game.scene.getScene('world');
        const tile = world.sys.displayList.list.find((o) => o.type === 'TileSprite') as Phaser.GameObjects.TileSprite & { displayTexture?: Phaser.Textures.Texture };
        // Phaser 3 draws a TileSprite's texture (`displayTexture`) through a canvas texture of its own.
        const shown = Number(phaserVersion.split('.')[0]) < 4 ? tile.displayTexture : tile.texture;
        return { isCurrent: shown === game.textures.get('grass'), key: shown?.key };
      });
      expect(ground).toEqual({ isCurrent: true, key: 'grass' });
      // And on screen: the ground fills most of the view (the hero stands still, the camera with it).
      expect(changedShare(shotBefore, shotAfter)).toBeGreaterThan(0.4);
      const after = await sourceFrames(scratch);
      expect(frameMismatches(await phaserTextures(page, ['grass']), new Map([['grass', after.get('grass')!]]))).toEqual([]);
      expect(problems).toEqual([]);
    });
  });
});
