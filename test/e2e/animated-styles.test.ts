import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import { preview, type PreviewServer } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STYLE_LAYOUTS, actionCells } from '../../plugin/core/animation-layout.js';
import { findStyle } from '../../plugin/core/catalog.js';
import { createImage } from '../../plugin/core/image/bitmap.js';
import { encodePng } from '../../plugin/core/image/png.js';
import { writeProject } from '../helpers/project.js';
import { buildWithPlugin } from '../helpers/vite.js';
import { browserAvailable, launchBrowser, watchProblems } from './browser.js';

/**
 * A manifest with every animated style of the catalog, built with `vite build` and played by
 * Phaser itself in Chromium: for each sprite, each named animation (`sprites.x.animations[action]
 * [direction]`) steps through exactly the frames its style's documented layout names, in order.
 * References: Phaser's AnimationManager and AnimationState (the real library, in a real browser);
 * the layouts of shared/retrodiffusion-v2.md, as data in plugin/core/animation-layout.ts.
 */
const REPO = fileURLToPath(new URL('../..', import.meta.url));
const styles = Object.keys(STYLE_LAYOUTS);
const spriteName = (style: string) => style.replace(/^rd_(advanced_)?animation__/, '').replace(/^animation_/, 'seed_').replace(/^(\d)/, 's$1');

function manifest(): string {
  const lines = ['atlas: anims', 'sprites:'];
  for (const style of styles) {
    const info = findStyle(style)!;
    const size = info.fixedSize?.width ?? 48;
    lines.push(`  ${spriteName(style)}:`, '    prompt: knight with a red cape', `    prompt_style: ${style}`, `    size: ${size}`, '    seed: 3');
    if (info.requiresInputImage) lines.push('    input_image: ref.png');
  }
  return lines.join('\n') + '\n';
}

const MAIN = `import Phaser from 'phaser';
import { sprites, preload } from 'virtual:retro-sprites';
class Check extends Phaser.Scene {
  constructor() { super('check'); }
  preload() { preload(this); }
  create() {
    const out = {};
    for (const [name, ref] of Object.entries(sprites)) {
      if (!ref.animations) continue;
      out[name] = {};
      for (const [action, dirs] of Object.entries(ref.animations)) {
        out[name][action] = {};
        for (const [dir, key] of Object.entries(dirs)) {
          const anim = this.anims.get(key);
          const s = this.add.sprite(0, 0, ref.atlas);
          s.play(key);
          const played = [];
          // Phaser's own stepping, one frame at a time, as playback would show them.
          for (let i = 0; i < anim.frames.length; i++) { played.push(String(s.frame.name)); s.anims.nextFrame(); }
          out[name][action][dir] = { key, played, missing: played.filter((f) => !this.textures.get(ref.atlas).has(f)) };
        }
      }
    }
    window.__anims = out;
  }
}
new Phaser.Game({ type: Phaser.CANVAS, width: 64, height: 64, scene: Check, banner: false, parent: document.body });
`;

describe.skipIf(!browserAvailable('animated styles in the browser'))('every animated style plays its documented frames in Phaser', () => {
  let root: string;
  let server: PreviewServer | undefined;
  let browser: Browser | undefined;
  let played: Record<string, Record<string, Record<string, { key: string; played: string[]; missing: string[] }>>>;
  let problems: string[];

  beforeAll(async () => {
    delete process.env.RD_API_KEY;
    // Inside the repository, so the project resolves `phaser` from the workspace's node_modules.
    await mkdir(join(REPO, 'test-output'), { recursive: true });
    root = await mkdtemp(join(REPO, 'test-output', 'animated-styles-'));
    const ref = createImage(48, 48);
    for (let i = 0; i < ref.data.length; i += 4) ref.data.set([(i >> 4) & 255, 120, 60, 255], i);
    await writeProject(root, {
      'index.html': '<!doctype html><html><head><link rel="icon" href="data:,"></head><body><script type="module" src="./main.js"></script></body></html>\n',
      'main.js': MAIN,
      'manifests/anims.yaml': manifest(),
    });
    const { writeFile } = await import('node:fs/promises');
    await writeFile(join(root, 'manifests/ref.png'), encodePng(ref, { rgb: true }));
    const log = await buildWithPlugin(root, { provider: 'placeholder', dts: false });
    expect(log.lines.join('\n')).toMatch(new RegExp(`${styles.length} sprites`));
    server = await preview({ root, configFile: false, build: { outDir: join(root, 'dist') }, preview: { port: 0, strictPort: false, open: false }, logLevel: 'silent' });
    browser = await launchBrowser();
    const page = await browser.newPage();
    problems = watchProblems(page);
    await page.goto(server.resolvedUrls!.local[0]!);
    await page.waitForFunction(() => (window as unknown as { __anims?: unknown }).__anims !== undefined, undefined, { timeout: 60_000 });
    played = await page.evaluate(() => (window as unknown as { __anims: typeof played }).__anims);
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    if (root) await rm(root, { recursive: true, force: true });
  });

  it('loads without a problem', () => {
    expect(problems, problems.join("\n")).toEqual([]);
    expect(Object.keys(played).sort()).toEqual(styles.map(spriteName).sort());
  });

  for (const style of styles) {
    it(`${style}: each action and direction plays the layout's frames`, () => {
      const layout = STYLE_LAYOUTS[style]!;
      const name = spriteName(style);
      const got = played[name]!;
      expect(Object.keys(got)).toEqual(Object.keys(layout.actions));
      for (const [action, which] of Object.entries(layout.actions)) {
        expect(Object.keys(got[action]!)).toEqual([...layout.directions]);
        for (const dir of layout.directions) {
          const anim = got[action]![dir]!;
          expect(anim.missing, `${name} ${action} ${dir}`).toEqual([]);
          if (layout.legacyNames) {
            expect(anim.key).toBe(`${name}_${dir}`);
            expect(anim.played).toEqual(actionCells(which, 4).map((c) => `${name}/${dir}/${c}`));
            continue;
          }
          expect(anim.key).toBe(`${name}_${action}_${dir}`);
          const n = layout.cellsPerDirection === 'any' ? anim.played.length : actionCells(which, layout.cellsPerDirection).length;
          expect(n, `${name} ${action} ${dir} frame count`).toBeGreaterThanOrEqual(layout.cellsPerDirection === 'any' ? 2 : 1);
          expect(anim.played).toEqual(Array.from({ length: n }, (_, i) => `${name}/${action}/${dir}/${i}`));
        }
      }
    });
  }
});
