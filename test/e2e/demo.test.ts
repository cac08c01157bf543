import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { build, preview, type PreviewServer } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectingLogger } from '../helpers/vite.js';
import { browserAvailable, launchBrowser, openDemo, pixelStats } from './browser.js';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const OUTPUT = join(REPO, 'test-output', 'e2e');

describe.skipIf(!browserAvailable('demo game in the browser'))('the demo game, built and served like `npm run demo`', () => {
  let outDir: string;
  let server: PreviewServer | undefined;
  let browser: Browser | undefined;
  let page: Page;
  let problems: string[];
  const buildLog = collectingLogger();

  beforeAll(async () => {
    // The committed cache must be enough: the offline provider, whatever the developer's shell holds.
    delete process.env.RD_API_KEY;
    browser = await launchBrowser();
    outDir = await mkdtemp(join(tmpdir(), 'retro-sprites-demo-'));
    await build({ configFile: join(REPO, 'vite.config.ts'), build: { outDir, emptyOutDir: true }, customLogger: buildLog, logLevel: 'info' });
    server = await preview({ configFile: join(REPO, 'vite.config.ts'), build: { outDir }, preview: { port: 0, strictPort: false, open: false }, logLevel: 'silent' });
    ({ page, problems } = await openDemo(browser, server.resolvedUrls!.local[0]!));
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    if (outDir) await rm(outDir, { recursive: true, force: true });
  });

  it('builds from the committed cache without generating anything', () => {
    const summary = buildLog.lines.find((l) => /retro-sprites: \d+ sprites/.test(l));
    expect(summary, buildLog.lines.join('\n')).toMatch(/, 0 generated/);
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
      return { packTextures: demo.packTextures, missingTextures, missingFrames, missingAnimations, drawnWithMissing };
    });
    expect(report.packTextures).toEqual(expect.arrayContaining(['characters', 'items', 'world', 'forest', 'grass']));
    expect(report.missingTextures).toEqual([]);
    expect(report.missingFrames).toEqual([]);
    expect(report.missingAnimations).toEqual([]);
    expect(report.drawnWithMissing).toEqual([]);
  });

  it('shows a real picture: not blank, many colours', async () => {
    const shot = await page.locator('canvas').screenshot();
    await mkdir(OUTPUT, { recursive: true });
    await writeFile(join(OUTPUT, 'demo.png'), shot);
    const stats = pixelStats(shot);
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
    await page.locator('canvas').screenshot({ path: join(OUTPUT, 'demo-walking.png') });
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

  it('logged no console errors and no failed requests', () => {
    expect(problems).toEqual([]);
  });
});
