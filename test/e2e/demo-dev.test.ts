import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { createServer, type ViteDevServer } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import retroSprites from '../../plugin/index.js';
import { browserAvailable, heroFramePixels, launchBrowser, openDemo } from './browser.js';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const HERO_PROMPT = 'brave knight in blue armor with a red cape';
const NEW_PROMPT = 'brave knight in golden armor with a green cape';

describe.skipIf(!browserAvailable('demo game in dev mode'))('the demo game under `npm run dev`', () => {
  let scratch: string;
  let server: ViteDevServer | undefined;
  let browser: Browser | undefined;
  let page: Page;
  let problems: string[];

  beforeAll(async () => {
    delete process.env.RD_API_KEY;
    browser = await launchBrowser();
    // Edit a scratch copy of the manifests (and their cache), never the committed ones.
    scratch = await mkdtemp(join(tmpdir(), 'retro-sprites-dev-'));
    await cp(join(REPO, 'manifests'), join(scratch, 'manifests'), { recursive: true });
    server = await createServer({
      configFile: false,
      root: join(REPO, 'demo-game'),
      cacheDir: join(scratch, '.vite'),
      plugins: [retroSprites({ root: scratch, dts: false })],
      // Bundle Phaser before the first page load, so the optimizer never reloads the page under the test.
      optimizeDeps: { include: ['phaser'] },
      server: { port: 0, strictPort: false, host: '127.0.0.1' },
      logLevel: process.env.E2E_DEBUG ? 'info' : 'silent',
    });
    await server.listen();
    ({ page, problems } = await openDemo(browser, server.resolvedUrls!.local[0]!));
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    if (scratch) await rm(scratch, { recursive: true, force: true });
  });

  it("swaps the hero's art in the running page when its prompt changes, without a reload", async () => {
    const before = await heroFramePixels(page);
    await page.evaluate(() => {
      const w = window as unknown as { __loadedOnce: boolean; __swapped: boolean };
      w.__loadedOnce = true;
      w.__swapped = false;
      window.addEventListener('retro-sprites:updated', () => { w.__swapped = true; }, { once: true });
    });

    const manifest = join(scratch, 'manifests', 'characters.yaml');
    const yaml = await readFile(manifest, 'utf8');
    expect(yaml).toContain(HERO_PROMPT);
    await writeFile(manifest, yaml.replace(HERO_PROMPT, NEW_PROMPT));

    const swapped = await page
      .waitForFunction(() => (window as unknown as { __swapped: boolean }).__swapped, null, { timeout: 20_000 })
      .then(() => true, () => false);
    // A failed swap shows up as a page error: say that rather than only "no event".
    expect(problems).toEqual([]);
    expect(swapped, 'the page never got retro-sprites:updated').toBe(true);
    const after = await heroFramePixels(page);
    const state = await page.evaluate(() => ({
      loadedOnce: (window as unknown as { __loadedOnce?: boolean }).__loadedOnce,
      updates: (window as unknown as { __retroSprites: { updates: number; lastUpdate?: { atlases: string[] } } }).__retroSprites,
    }));

    expect(state.loadedOnce).toBe(true);
    expect(state.updates.updates).toBe(1);
    expect(state.updates.lastUpdate?.atlases).toEqual(['characters']);
    expect(after).not.toBe(before);
  });
});
