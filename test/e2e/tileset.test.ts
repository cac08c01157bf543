import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PNG } from 'pngjs';
import type { Browser } from 'playwright-core';
import { build, preview } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import retroSprites from '../../plugin/index.js';
import { startEmulator } from '../../plugin/emulator/index.js';
import { autotile } from '../../plugin/client/autotile.js';
import { RD_TILESET_LAYOUT } from '../../plugin/core/tileset/layout.js';
import { withApiEnv } from '../helpers/dev-server.js';
import { writeProject } from '../helpers/project.js';
import { collectingLogger } from '../helpers/vite.js';
import { browserAvailable, launchBrowser, watchProblems } from './browser.js';
import { PHASER_MAJORS, phaserAlias, type PhaserMajor } from './phaser-majors.js';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const W = 20;
const H = 15;
const TILE = 16;

/** A 20x15 meadow: a path across, a branch up (inner corners where it meets the path), a square and a lone cell. */
function paintedGrid(): boolean[][] {
  const grid = Array.from({ length: H }, () => Array.from({ length: W }, () => false));
  for (let x = 0; x < W; x++) grid[7]![x] = true; // a path across
  for (let y = 2; y < 7; y++) grid[y]![5] = true; // a branch up
  for (let y = 9; y < 13; y++) for (let x = 12; x < 17; x++) grid[y]![x] = true; // a square
  grid[2]![15] = true; // a lone cell (four outer corners)
  return grid;
}

const MANIFEST = `atlas: map
sprites:
  meadow_path:
    prompt: dirt path on grass
    prompt_style: rd_tile__tileset
    size: ${TILE}
    seed: 3
    tileset:
      terrains: [grass, dirt]
`;

// The page paints the grid with the runtime helpers, exactly as a game would.
const MAIN = `import Phaser from 'phaser';
import { preload, tilesets, addTileset, autotile } from 'virtual:retro-sprites';
const grid = ${JSON.stringify(paintedGrid())};
class Map extends Phaser.Scene {
  constructor() { super('map'); }
  preload() { preload(this); }
  create() {
    const t = tilesets.meadow_path;
    const map = this.make.tilemap({ tileWidth: t.tileWidth, tileHeight: t.tileHeight, width: ${W}, height: ${H} });
    const tileset = addTileset(map, t);
    const layer = map.createBlankLayer('ground', tileset, 0, 0);
    layer.putTilesAt(autotile(t, grid), 0, 0);
    window.__map = { ready: true, version: Phaser.VERSION, total: tileset.total, columns: tileset.columns, margin: tileset.tileMargin, spacing: tileset.tileSpacing,
      firstgid: tileset.firstgid, texture: tileset.image.key, tiles: map.layers[0].data.map((row) => row.map((tile) => tile.index)) };
  }
}
new Phaser.Game({ type: Phaser.WEBGL, width: ${W * TILE}, height: ${H * TILE}, pixelArt: true, banner: false, scene: Map, backgroundColor: '#ff00ff' });
`;

interface Built { dir: string; pack: { files: { type: string; key: string; url: string; frameConfig?: Record<string, number> }[] } }

async function buildGame(root: string, major: PhaserMajor = PHASER_MAJORS[0], log = collectingLogger()): Promise<Built> {
  await writeProject(root, { 'index.html': '<!doctype html><html><head><link rel="icon" href="data:,"></head><body style="margin:0"><script type="module" src="./main.ts"></script></body></html>\n', 'main.ts': MAIN, 'manifests/map.yaml': MANIFEST });
  await build({ root, configFile: false, customLogger: log, logLevel: 'info', plugins: [retroSprites({ dts: false, frozen: false })], resolve: { alias: phaserAlias(major) }, build: { outDir: join(root, 'dist'), emptyOutDir: true } });
  const dir = join(root, 'dist');
  const files = await readdir(join(dir, 'assets/retro-sprites'));
  const packName = files.find((f) => /^pack.*\.json$/.test(f))!;
  const pack = JSON.parse(await readFile(join(dir, 'assets/retro-sprites', packName), 'utf8'))['retro-sprites'];
  return { dir, pack };
}

describe.skipIf(!browserAvailable('tilesets in the browser'))('a generated tileset in Phaser (Chromium, WebGL)', () => {
  let browser: Browser | undefined;
  let scratch: string;

  beforeAll(async () => {
    delete process.env.RD_API_KEY;
    browser = await launchBrowser();
    // Inside the repository, so the test game resolves Phaser from its node_modules.
    await mkdir(join(REPO, 'test-output'), { recursive: true });
    scratch = await mkdtemp(join(REPO, 'test-output', 'tileset-'));
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    if (scratch) await rm(scratch, { recursive: true, force: true });
  });

  async function paintAndCheck(built: Built, label: string, major: PhaserMajor = PHASER_MAJORS[0]): Promise<void> {
    const entry = built.pack.files.find((f) => f.key === 'meadow_path')!;
    expect(entry).toMatchObject({ type: 'image', key: 'meadow_path' });
    const sheet = PNG.sync.read(await readFile(join(built.dir, entry.url)));

    const server = await preview({ root: built.dir, configFile: false, build: { outDir: built.dir }, preview: { port: 0, host: '127.0.0.1', open: false }, logLevel: 'silent' });
    const page = await browser!.newPage({ viewport: { width: W * TILE, height: H * TILE }, deviceScaleFactor: 1 });
    const problems = watchProblems(page);
    const warnings: string[] = [];
    page.on('console', (m) => { if (m.type() === 'warning') warnings.push(m.text()); });
    try {
      await page.goto(server.resolvedUrls!.local[0]!);
      await page.waitForFunction(() => (window as unknown as { __map?: { ready: boolean } }).__map?.ready === true, null, { timeout: 30_000 })
        .catch((err: Error) => { throw new Error(`${err.message}\n${problems.join('\n')}`); });
      const map = await page.evaluate(() => (window as unknown as { __map: Record<string, unknown> }).__map) as { version: string; total: number; columns: number; margin: number; spacing: number; firstgid: number; texture: string; tiles: number[][] };
      // Phaser's own Tileset cut the image into the 20 tiles of the layout, with our margin and spacing.
      expect(map.version).toMatch(major.version);
      expect(map).toMatchObject({ total: 20, columns: 4, margin: 1, spacing: 2, firstgid: 0, texture: 'meadow_path' });
      expect(map.tiles).toEqual(autotile(RD_TILESET_LAYOUT, paintedGrid()));
      expect(warnings.filter((w) => /tile|texture/i.test(w))).toEqual([]);
      expect(problems).toEqual([]);

      await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
      const shot = PNG.sync.read(await page.locator('canvas').screenshot());
      expect([shot.width, shot.height]).toEqual([W * TILE, H * TILE]);

      // Every cell on screen is exactly its tile's pixels from the tileset image: the right tile
      // for its corners, cut at the right place (margin, spacing), with nothing bled from a neighbour.
      const tiles = map.tiles;
      const mismatches: string[] = [];
      for (let cy = 0; cy < H; cy++) {
        for (let cx = 0; cx < W; cx++) {
          const id = tiles[cy]![cx]!;
          const sx = 1 + (id % 4) * (TILE + 2);
          const sy = 1 + Math.floor(id / 4) * (TILE + 2);
          let bad = 0;
          for (let y = 0; y < TILE; y++) for (let x = 0; x < TILE; x++) {
            const a = ((sy + y) * sheet.width + sx + x) * 4;
            const b = ((cy * TILE + y) * shot.width + cx * TILE + x) * 4;
            if (Math.abs(sheet.data[a]! - shot.data[b]!) > 2 || Math.abs(sheet.data[a + 1]! - shot.data[b + 1]!) > 2 || Math.abs(sheet.data[a + 2]! - shot.data[b + 2]!) > 2) bad++;
          }
          if (bad > 0) mismatches.push(`cell ${cx},${cy} (tile ${id}): ${bad} pixels differ`);
        }
      }
      expect(mismatches).toEqual([]);

      // And the transitions read right: a painted cell is path, a far cell grass, a path edge both.
      const at = (x: number, y: number) => { const o = (y * shot.width + x) * 4; return [shot.data[o]!, shot.data[o + 1]!, shot.data[o + 2]!]; };
      const greenish = ([r, g, b]: number[]) => g! > r! && g! > b!;
      const brownish = ([r, g, b]: number[]) => r! > g! && g! >= b! - 10 && !greenish([r!, g!, b!]);
      expect(brownish(at(10 * TILE + 8, 7 * TILE + 8))).toBe(true); // on the path
      expect(greenish(at(1 * TILE + 8, 12 * TILE + 8))).toBe(true); // meadow
      expect(greenish(at(10 * TILE + 8, 6 * TILE + 2))).toBe(true); // above the path edge: grass at the top…
      expect(brownish(at(10 * TILE + 8, 6 * TILE + 14))).toBe(true); // …path at the bottom of the same cell
      await mkdir(join(REPO, 'test-output', 'e2e'), { recursive: true });
      await writeFile(join(REPO, 'test-output', 'e2e', `tileset-${label}.png`), PNG.sync.write(shot));
    } finally {
      await page.close();
      await server.close();
    }
  }

  for (const major of PHASER_MAJORS) {
    it(`from the placeholder provider, on ${major.name}: loads as a Phaser tileset and a 20x15 autotiled map renders every cell right`, async () => {
      const built = await buildGame(join(scratch, `placeholder-${major.pkg}`), major);
      await paintAndCheck(built, `placeholder-${major.pkg}`, major);
    }, 120_000);
  }

  it('from the API (the emulator), on Phaser 4: the same, from the answer the client checked and cut', async () => {
    const emulator = await startEmulator({ token: 'tileset-test-token' });
    const restore = withApiEnv('tileset-test-token', emulator.url);
    try {
      const built = await buildGame(join(scratch, 'emulator'));
      // A price check, then the paid request.
      expect(emulator.requestCount('/v1/inferences')).toBeGreaterThanOrEqual(1);
      await paintAndCheck(built, 'emulator');
    } finally {
      restore();
      await emulator.close();
    }
  }, 120_000);
});
