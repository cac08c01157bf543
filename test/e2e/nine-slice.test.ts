import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PNG } from 'pngjs';
import type { Browser } from 'playwright-core';
import { build, preview } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import retroSprites from '../../plugin/index.js';
import { writeProject } from '../helpers/project.js';
import { collectingLogger } from '../helpers/vite.js';
import { browserAvailable, launchBrowser, watchProblems } from './browser.js';
import { PHASER_MAJORS, phaserAlias } from './phaser-majors.js';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const SIZES = [{ x: 10, y: 10, w: 200, h: 60 }, { x: 240, y: 10, w: 70, h: 150 }];

const MANIFEST = `atlas: ui
sprites:
  panel:
    prompt: frame of a dark dialog window
    prompt_style: ui
    size: 32
    seed: 4
    nine_slice: auto
  fixed:
    prompt: frame of a dark dialog window
    prompt_style: ui
    size: 32
    seed: 4
    nine_slice: { left: 6, right: 6, top: 5, bottom: 7 }
`;

const MAIN = `import Phaser from 'phaser';
import { preload, sprites } from 'virtual:retro-sprites';
class Hud extends Phaser.Scene {
  constructor() { super('hud'); }
  preload() { preload(this); }
  create() {
    const p = sprites.panel;
    for (const s of ${JSON.stringify(SIZES)}) this.add.nineslice(s.x, s.y, p.atlas, p.frame, s.w, s.h).setOrigin(0);
    const frame = this.textures.getFrame(p.atlas, p.frame);
    const fixed = this.textures.getFrame(sprites.fixed.atlas, sprites.fixed.frame);
    window.__ui = { ready: true, version: Phaser.VERSION, scale9: frame.scale9, borders: { ...frame.data.scale9Borders }, fixed: { ...fixed.data.scale9Borders } };
  }
}
new Phaser.Game({ type: Phaser.WEBGL, width: 320, height: 170, pixelArt: true, banner: false, scene: Hud, backgroundColor: '#ff00ff' });
`;

describe.skipIf(!browserAvailable('nine-slice panels in the browser'))('a generated nine-slice panel in Phaser (Chromium, WebGL)', () => {
  let browser: Browser | undefined;
  let scratch: string;

  beforeAll(async () => {
    delete process.env.RD_API_KEY;
    browser = await launchBrowser();
    await mkdir(join(REPO, 'test-output'), { recursive: true });
    scratch = await mkdtemp(join(REPO, 'test-output', 'nine-slice-'));
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    if (scratch) await rm(scratch, { recursive: true, force: true });
  });

  for (const major of PHASER_MAJORS) it(`${major.name}: its atlas parser reads scale9Borders, and add.nineslice keeps the borders crisp at two sizes`, async () => {
    const root = join(scratch, major.pkg);
    await writeProject(root, { 'index.html': '<!doctype html><html><head><link rel="icon" href="data:,"></head><body style="margin:0"><script type="module" src="./main.ts"></script></body></html>\n', 'main.ts': MAIN, 'manifests/ui.yaml': MANIFEST });
    await build({ root, configFile: false, customLogger: collectingLogger(), logLevel: 'info', plugins: [retroSprites({ dts: false })], resolve: { alias: phaserAlias(major) }, build: { outDir: join(root, 'dist'), emptyOutDir: true } });
    const assets = join(root, 'dist/assets/retro-sprites');
    const files = await readdir(assets);
    const atlas = JSON.parse(await readFile(join(assets, files.find((f) => /^ui-.*\.json$/.test(f))!), 'utf8'));
    const panel = atlas.frames.panel;
    // Never trimmed: the borders are measured on the whole image.
    expect(panel).toMatchObject({ trimmed: false, sourceSize: { w: 32, h: 32 }, frame: { w: 32, h: 32 } });
    expect(atlas.frames.fixed.scale9Borders).toEqual({ x: 6, y: 5, w: 20, h: 20 });
    const sheet = PNG.sync.read(await readFile(join(assets, files.find((f) => /^ui-.*\.png$/.test(f))!)));

    const server = await preview({ root: join(root, 'dist'), configFile: false, build: { outDir: join(root, 'dist') }, preview: { port: 0, host: '127.0.0.1', open: false }, logLevel: 'silent' });
    const page = await browser!.newPage({ viewport: { width: 320, height: 170 }, deviceScaleFactor: 1 });
    const problems = watchProblems(page);
    try {
      await page.goto(server.resolvedUrls!.local[0]!);
      await page.waitForFunction(() => (window as unknown as { __ui?: { ready: boolean } }).__ui?.ready === true, null, { timeout: 30_000 });
      const ui = await page.evaluate(() => (window as unknown as { __ui: unknown }).__ui) as { version: string; scale9: boolean; borders: Record<string, number>; fixed: Record<string, number> };
      expect(ui.version).toMatch(major.version);
      // What Phaser's JSONHash parser made of our JSON (Frame#setScale9).
      expect(ui.scale9).toBe(true);
      expect(ui.borders).toEqual(panel.scale9Borders);
      expect(ui.fixed).toEqual({ x: 6, y: 5, w: 20, h: 20 });
      expect(problems).toEqual([]);
      await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
      const shot = PNG.sync.read(await page.locator('canvas').screenshot());
      await mkdir(join(REPO, 'test-output', 'e2e'), { recursive: true });
      await writeFile(join(REPO, 'test-output', 'e2e', `nine-slice-${major.pkg}.png`), PNG.sync.write(shot));

      const { x: left, y: top, w: midW, h: midH } = panel.scale9Borders as Record<string, number>;
      const right = 32 - left! - midW!;
      const bottom = 32 - top! - midH!;
      const src = (x: number, y: number) => Array.from(sheet.data.subarray(((panel.frame.y + y) * sheet.width + panel.frame.x + x) * 4, ((panel.frame.y + y) * sheet.width + panel.frame.x + x) * 4 + 4));
      const out = (x: number, y: number) => Array.from(shot.data.subarray((y * shot.width + x) * 4, (y * shot.width + x) * 4 + 3));
      const close = (a: number[], b: number[]) => a.every((v, i) => Math.abs(v - b[i]!) <= 2);
      for (const s of SIZES) {
        const bad: string[] = [];
        // The four corners are the source's corners, pixel for pixel (opaque pixels: the rest shows the page).
        const corners = [[0, 0, 0, 0], [s.w - right, 0, 32 - right, 0], [0, s.h - bottom, 0, 32 - bottom], [s.w - right, s.h - bottom, 32 - right, 32 - bottom]] as const;
        corners.forEach(([dx, dy, sx, sy], c) => {
          const cw = c % 2 === 0 ? left! : right;
          const ch = c < 2 ? top! : bottom;
          for (let y = 0; y < ch; y++) for (let x = 0; x < cw; x++) {
            const p = src(sx + x, sy + y);
            if (p[3] === 255 && !close(p.slice(0, 3), out(s.x + dx + x, s.y + dy + y))) bad.push(`${s.w}x${s.h} corner ${c} at ${x},${y}`);
          }
        });
        // The top edge stretches without blur: every column of it is a column of the source's top edge.
        for (let y = 0; y < top!; y++) {
          const p = src(left!, y);
          for (let x = left!; x < s.w - right; x++) if (p[3] === 255 && !close(p.slice(0, 3), out(s.x + x, s.y + y))) bad.push(`${s.w}x${s.h} top edge at ${x},${y}`);
        }
        expect(bad.slice(0, 5)).toEqual([]);
      }
    } finally {
      await page.close();
      await server.close();
    }
  }, 120_000);
});
