import { existsSync } from 'node:fs';
import { PNG } from 'pngjs';
import { chromium, type Browser, type Page } from 'playwright-core';

/** Debian's chromium; `.ci/run` installs it with apt-get. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

const FLAGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
  '--disable-sync', '--no-first-run', '--disable-quic',
];

/**
 * Whether the browser suites can run. Outside CI a missing chromium skips them, loudly; under CI
 * the suites still run, so the launch fails and the run is red.
 */
export function browserAvailable(suite: string): boolean {
  if (existsSync(CHROMIUM)) return true;
  if (process.env.CI) return true;
  console.warn(
    `\n!!! ${suite}: SKIPPED, no chromium at ${CHROMIUM}.\n` +
    `!!! Install it (apt-get install chromium) or set CHROMIUM_PATH to run the browser tests.\n`,
  );
  return false;
}

/** A fresh headless chromium; Playwright gives each launch its own new temporary profile. */
export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`chromium is required under CI but missing at ${CHROMIUM}`);
  return chromium.launch({ executablePath: CHROMIUM, args: FLAGS });
}

/** What went wrong on a page: console errors and warnings, uncaught exceptions and failed or 4xx/5xx requests. */
export function watchProblems(page: Page): string[] {
  const problems: string[] = [];
  page.on('console', (m) => {
    // Phaser says what it could not do (a missing frame, a texture key in use…) with console.warn.
    // Chromium's own GL driver notes ("[.WebGL-0x…]GL Driver Message …: GPU stall due to ReadPixels"
    // when a screenshot reads the canvas back) are the browser's, not the page's.
    if (m.type() === 'warning' && /^\[\.WebGL-[0-9a-fx]+\]GL Driver Message/.test(m.text())) return;
    if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`uncaught: ${e.message}`));
  page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()} (${r.failure()?.errorText ?? '?'})`));
  page.on('response', (r) => {
    if (r.status() >= 400) problems.push(`HTTP ${r.status()}: ${r.url()}`);
  });
  return problems;
}

export interface PixelStats {
  width: number;
  height: number;
  /** Distinct RGB colours. */
  colours: number;
  /** Share of the pixels taken by the most common colour (1 = a blank, single-colour canvas). */
  dominantShare: number;
}

export function pixelStats(png: Buffer): PixelStats {
  const img = PNG.sync.read(png);
  const counts = new Map<number, number>();
  for (let i = 0; i < img.data.length; i += 4) {
    const rgb = (img.data[i]! << 16) | (img.data[i + 1]! << 8) | img.data[i + 2]!;
    counts.set(rgb, (counts.get(rgb) ?? 0) + 1);
  }
  const top = Math.max(...counts.values());
  return { width: img.width, height: img.height, colours: counts.size, dominantShare: top / (img.width * img.height) };
}

/** Share of the pixels that differ between two screenshots of one size (0 = the same picture). */
export function changedShare(a: Buffer, b: Buffer): number {
  const x = PNG.sync.read(a);
  const y = PNG.sync.read(b);
  if (x.width !== y.width || x.height !== y.height) return 1;
  let changed = 0;
  for (let i = 0; i < x.data.length; i += 4) {
    if (x.data[i] !== y.data[i] || x.data[i + 1] !== y.data[i + 1] || x.data[i + 2] !== y.data[i + 2]) changed++;
  }
  return changed / (x.width * x.height);
}

/** Waits for the demo's scene to be up (window.__demo.ready). */
export async function waitForDemo(page: Page): Promise<void> {
  await page.waitForFunction(() => window.__demo?.ready === true, null, { timeout: 30_000 });
}

/** Opens the demo at `url` in a new page, watching it for problems, and waits until it is ready. */
export async function openDemo(browser: Browser, url: string): Promise<{ page: Page; problems: string[] }> {
  const page = await browser.newPage({ viewport: { width: 960, height: 540 } });
  const problems = watchProblems(page);
  if (process.env.E2E_DEBUG) page.on('console', (m) => console.log('[page]', m.type(), m.text()));
  await page.goto(url);
  await waitForDemo(page);
  return { page, problems };
}
