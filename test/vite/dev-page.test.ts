import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator } from '../../plugin/emulator/index.js';
import { browserAvailable, launchBrowser, watchProblems } from '../e2e/browser.js';
import { startDev, until, withApiEnv, type Dev } from '../helpers/dev-server.js';
import { writeProject } from '../helpers/project.js';
import { useTempDirs } from '../helpers/tmp.js';

const tempDir = useTempDirs();
const ITEMS = 'atlas: items\ndefaults:\n  size: 16\nsprites:\n  gem:\n    prompt: blue gem\n    seed: 7\n  key:\n    prompt: golden key\n';

/** The dev page as a developer uses it: in Chromium, clicking its buttons. */
describe.skipIf(!browserAvailable('dev page in the browser'))('the dev page (/__retro-sprites/) in a browser', () => {
  let browser: Browser;
  let dev: Dev | undefined;
  let cleanup: (() => Promise<void>) | undefined;
  beforeAll(async () => {
    browser = await launchBrowser();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
  });
  afterEach(async () => {
    await dev?.server.close();
    dev = undefined;
    await cleanup?.();
    cleanup = undefined;
  });

  it('Regenerate and New seed show "generating" at once and update the card in place when the art is in', async () => {
    // The emulator answers after 600 ms, so "generating" is on screen long enough to be seen.
    const emu = await startEmulator({ port: 0, latencyMs: 600 });
    const restore = withApiEnv('emulator-token', emu.url);
    cleanup = async () => {
      restore();
      await emu.close();
    };
    const root = await tempDir();
    await writeProject(root, { 'index.html': '<!doctype html>\n', 'manifests/items.yaml': ITEMS });
    dev = await startDev(root);
    await until('the first art', async () => ((await dev!.state()).every((s) => s.status === 'generated') ? true : undefined));

    const page = await browser.newPage();
    const problems = watchProblems(page);
    await page.goto(`${dev.url}/__retro-sprites/`);
    const card = (name: string) => page.locator(`[data-sprite="items/${name}"]`);
    await expect.poll(() => card('gem').getAttribute('data-status')).toBe('generated');
    // A reload would lose this.
    await page.evaluate(() => ((window as unknown as { stayed: boolean }).stayed = true));

    await card('gem').getByRole('button', { name: 'Regenerate' }).click();
    expect(await card('gem').locator('.state').textContent()).toBe('generating…');
    await expect.poll(() => card('gem').getAttribute('data-status'), { timeout: 10_000 }).toBe('generated');
    expect(await card('gem').locator('.state').textContent()).toBe('generated');

    const oldKey = await card('key').getAttribute('data-key');
    await card('key').getByRole('button', { name: 'New seed' }).click();
    expect(await card('key').locator('.state').textContent()).toBe('generating…');
    await expect.poll(() => card('key').getAttribute('data-status'), { timeout: 10_000 }).toBe('generated');
    const newKey = await card('key').getAttribute('data-key');
    expect(newKey).not.toBe(oldKey);
    expect(await card('key').locator('code').first().textContent()).toBe(newKey!.slice(0, 12));
    // The new art is what the card shows, loaded from the server.
    expect(await card('key').locator('img').evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0)).toBe(true);

    expect(await page.evaluate(() => (window as unknown as { stayed?: boolean }).stayed)).toBe(true);
    expect(await page.evaluate(() => (document.querySelector('link[rel="icon"]') as HTMLLinkElement | null)?.href.startsWith('data:image/svg+xml'))).toBe(true);
    expect(problems).toEqual([]);
  }, 60_000);
});
