import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PNG } from 'pngjs';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../plugin/emulator/index.js';
import { startDev, until, withApiEnv, type Dev } from '../helpers/dev-server.js';
import { writeProject } from '../helpers/project.js';
import { browserAvailable, launchBrowser, watchProblems } from './browser.js';

const REPO = fileURLToPath(new URL('../..', import.meta.url));

const MANIFEST = `atlas: items
sprites:
  # the gem the player collects (keep this comment)
  gem:
    prompt: blue gem icon
    size: 16
    remove_bg: true   # trailing comment too
`;

// The game shows the gem and hands the test the pixels of the frame it draws.
const MAIN = `import Phaser from 'phaser';
import { preload, add } from 'virtual:retro-sprites';
window.__loadedAt = performance.timeOrigin;
class Game extends Phaser.Scene {
  constructor() { super('game'); }
  preload() { preload(this); }
  create() {
    const gem = add(this, 50, 50, 'gem');
    window.__gemPixels = () => {
      const f = gem.frame; const c = document.createElement('canvas'); c.width = f.cutWidth; c.height = f.cutHeight;
      const ctx = c.getContext('2d'); ctx.drawImage(f.source.image, f.cutX, f.cutY, f.cutWidth, f.cutHeight, 0, 0, f.cutWidth, f.cutHeight);
      return { w: c.width, h: c.height, data: Array.from(ctx.getImageData(0, 0, c.width, c.height).data) };
    };
    window.__ready = true;
  }
}
new Phaser.Game({ type: Phaser.WEBGL, width: 100, height: 100, banner: false, scene: Game });
`;

describe.skipIf(!browserAvailable('variants on the dev page'))('Variants on the dev page, against the API (the emulator)', () => {
  let browser: Browser | undefined;
  let emulator: Emulator;
  let restore: () => void;
  let dev: Dev | undefined;
  let root: string;

  beforeAll(async () => {
    emulator = await startEmulator({ token: 'variants-dev-token' });
    restore = withApiEnv('variants-dev-token', emulator.url);
    browser = await launchBrowser();
    await mkdir(join(REPO, 'test-output'), { recursive: true });
    root = await mkdtemp(join(REPO, 'test-output', 'variants-dev-'));
    await writeProject(root, { 'index.html': '<!doctype html><html><head><link rel="icon" href="data:,"></head><body><script type="module" src="./main.ts"></script></body></html>\n', 'main.ts': MAIN, 'manifests/items.yaml': MANIFEST });
    dev = await startDev(root, { frozen: false });
    await until('the gem', async () => ((await dev!.state()).find((s) => s.sprite === 'items/gem' && s.status !== 'generating' && !s.standIn) ? true : undefined), 30_000);
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await dev?.server.close();
    restore?.();
    await emulator?.close();
    if (root) await rm(root, { recursive: true, force: true });
  });

  it('shows the cost, shows four variants as they arrive, and Keep rewrites the seed so the running game swaps to it without a reload, for free', async () => {
    const game = await browser!.newPage();
    const gameProblems = watchProblems(game);
    await game.goto(dev!.url + '/');
    await game.waitForFunction(() => (window as unknown as { __ready?: boolean }).__ready === true, null, { timeout: 30_000 });
    const loadedAt = await game.evaluate(() => (window as unknown as { __loadedAt: number }).__loadedAt);
    const before = await game.evaluate(() => (window as unknown as { __gemPixels: () => unknown }).__gemPixels());

    const page = await browser!.newPage();
    const problems = watchProblems(page);
    // The browser's own favicon request (the dev page names none) is the one 404 not ours to judge.
    const favicon: string[] = [];
    page.on('console', (m) => { if (m.type() === 'error' && /\/favicon\.ico$/.test(m.location().url)) favicon.push(m.text()); });
    await page.goto(dev!.url + '/__retro-sprites/');
    const card = page.locator('article[data-sprite="items/gem"]');
    await card.locator('button.variants-open').click();
    await card.locator('button.variants-estimate').click();
    // The emulator's seed dialect: one credit per image, four variants.
    await expect.poll(() => card.locator('.variants-cost').textContent()).toBe('4 credits');
    const paidBefore = emulator.requestCount('/v1/inferences');
    await card.locator('button.variants-go').click();
    await card.locator('figure.variant.done').nth(3).waitFor({ timeout: 30_000 });
    const seeds = await card.locator('figure.variant').evaluateAll((els) => els.map((e) => Number((e as HTMLElement).dataset.seed)));
    expect(new Set(seeds).size).toBe(4);
    const images = await card.locator('figure.variant img').evaluateAll((els) => els.map((e) => (e as HTMLImageElement).src));
    const pngs = await Promise.all(images.map(async (src) => Buffer.from(await (await fetch(src)).arrayBuffer())));
    expect(new Set(pngs.map((b) => b.toString('base64'))).size).toBe(4);
    const paidForVariants = emulator.requestCount('/v1/inferences');
    expect(paidForVariants).toBeGreaterThan(paidBefore);

    // Keep the third.
    const updated = game.evaluate(() => new Promise((r) => window.addEventListener('retro-sprites:updated', r, { once: true })));
    await card.locator('figure.variant').nth(2).locator('button.variants-keep').click();
    await card.locator('figure.variant.kept').waitFor();
    const yaml = await readFile(join(root, 'manifests/items.yaml'), 'utf8');
    expect(yaml).toContain(`seed: ${seeds[2]}`);
    expect(yaml).toContain('# the gem the player collects (keep this comment)');
    // Comments stay (the yaml library that rewrites it puts one space before a trailing one).
    expect(yaml).toMatch(/remove_bg: true +# trailing comment too/);

    await updated;
    expect(await game.evaluate(() => (window as unknown as { __loadedAt: number }).__loadedAt)).toBe(loadedAt);
    const after = await game.evaluate(() => (window as unknown as { __gemPixels: () => { w: number; h: number; data: number[] } }).__gemPixels());
    expect(after).not.toEqual(before);
    // The game now draws exactly the kept variant (its opaque pixels, as the atlas trimmed them).
    const kept = PNG.sync.read(pngs[2]!);
    const opaque: number[][] = [];
    for (let y = 0; y < kept.height; y++) for (let x = 0; x < kept.width; x++) if (kept.data[(y * kept.width + x) * 4 + 3] === 255) opaque.push([x, y]);
    const minX = Math.min(...opaque.map((p) => p[0]!));
    const minY = Math.min(...opaque.map((p) => p[1]!));
    const diff = opaque.filter(([x, y]) => {
      const a = (y! * kept.width + x!) * 4;
      const b = ((y! - minY) * after.w + (x! - minX)) * 4;
      return [0, 1, 2].some((c) => Math.abs(kept.data[a + c]! - after.data[b + c]!) > 1);
    });
    expect(diff).toEqual([]);
    // Free: the kept variant came from the cache.
    expect(emulator.requestCount('/v1/inferences')).toBe(paidForVariants);
    expect(problems.filter((p) => !favicon.includes(p.replace(/^console error: /, '')))).toEqual([]);
    expect(gameProblems).toEqual([]);
  }, 120_000);
});
