import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodePng } from '../../../plugin/core/image/png.js';
import { RD_TILESET_LAYOUT, corners } from '../../../plugin/core/tileset/layout.js';
import { loadManifests } from '../../../plugin/core/manifest/index.js';
import { runCli } from '../../helpers/cli.js';
import { writeProject } from '../../helpers/project.js';
import { useTempDirs } from '../../helpers/tmp.js';

const tempDir = useTempDirs();

/**
 * Tiled's rules for a tileset file, as its reader and model apply them (mapeditor/tiled:
 * src/libtiled/varianttomapconverter.cpp toTileset/toWangSet, src/libtiled/tileset.cpp
 * columnCountForWidth/rowCountForHeight, src/libtiled/wangset.{h,cpp} WangId order and
 * wangIdIsValid; docs/reference/json-map-format.rst "Tileset", "Wang Set", "Wang Tile").
 * Returns what Tiled would refuse or compute differently.
 */
function tiledProblems(tsj: Record<string, unknown>, png: { width: number; height: number }): string[] {
  const p: string[] = [];
  const int = (k: string) => (Number.isInteger(tsj[k]) ? (tsj[k] as number) : (p.push(`${k} is not an integer`), 0));
  if (tsj.type !== 'tileset') p.push('type must be "tileset" in a tileset file');
  if (typeof tsj.version !== 'string') p.push('version is saved as a string since Tiled 1.6');
  if (typeof tsj.image !== 'string') p.push('image must be a path');
  const [tw, th, margin, spacing, columns, tilecount, iw, ih] = ['tilewidth', 'tileheight', 'margin', 'spacing', 'columns', 'tilecount', 'imagewidth', 'imageheight'].map(int) as number[];
  if (!(tw! > 0 && th! > 0)) p.push('a tileset with an image needs tilewidth and tileheight above 0');
  if (iw !== png.width || ih !== png.height) p.push(`imagewidth x imageheight ${iw}x${ih} is not the image's ${png.width}x${png.height}`);
  const cols = Math.floor((iw! - margin! + spacing!) / (tw! + spacing!));
  const rows = Math.floor((ih! - margin! + spacing!) / (th! + spacing!));
  if (columns !== cols) p.push(`columns ${columns}, Tiled computes ${cols}`);
  if (tilecount !== cols * rows) p.push(`tilecount ${tilecount}, Tiled cuts ${cols * rows} tiles`);
  for (const ws of (tsj.wangsets as Record<string, unknown>[] | undefined) ?? []) {
    if (!['corner', 'edge', 'mixed'].includes(ws.type as string)) p.push(`wang set type ${String(ws.type)}`);
    const colours = ws.colors as { color: string; name: string; probability: number; tile: number }[];
    for (const c of colours) {
      if (!/^#([0-9a-f]{6}|[0-9a-f]{8})$/i.test(c.color)) p.push(`wang colour ${c.color} is not #RRGGBB`);
      if (!(c.tile >= -1 && c.tile < tilecount!)) p.push(`wang colour tile ${c.tile} out of range`);
    }
    for (const t of ws.wangtiles as { tileid: number; wangid: number[] }[]) {
      if (!(Number.isInteger(t.tileid) && t.tileid >= 0 && t.tileid < tilecount!)) p.push(`wang tile ${t.tileid} is not a tile of the set`);
      if (t.wangid.length !== 8) p.push(`wangid of tile ${t.tileid} has ${t.wangid.length} entries, not 8`);
      if (t.wangid.some((v) => !Number.isInteger(v) || v < 0 || v > colours.length)) p.push(`wangid of tile ${t.tileid} names a colour the set lacks`);
      if (ws.type === 'corner' && [0, 2, 4, 6].some((i) => t.wangid[i] !== 0)) p.push(`corner set: tile ${t.tileid} has an edge colour`);
    }
  }
  return p;
}

const MANIFEST = `atlas: map
sprites:
  meadow_path:
    prompt: dirt path on grass
    prompt_style: rd_tile__tileset
    size: 16
    seed: 3
    tileset:
      terrains: [grass, dirt]
  pebble:
    prompt: a pebble
    prompt_style: rd_tile__single_tile
    size: 16
    tileset: true
`;

describe('a tileset sprite, written by `retro-sprites generate --out`', () => {
  it('writes the tileset image and <sprite>.tsj beside it, which Tiled accepts, and a pack entry', async () => {
    const root = await tempDir();
    await writeProject(root, { 'manifests/map.yaml': MANIFEST });
    const run = await runCli(['generate', '--out', 'out'], { cwd: root });
    expect(run.code, run.err.join('\n')).toBe(0);
    expect((await readdir(join(root, 'out'))).sort()).toEqual(['meadow_path.png', 'meadow_path.tsj', 'pack.json', 'pebble.png', 'pebble.tsj']);

    const png = decodePng(await readFile(join(root, 'out/meadow_path.png')));
    const tsj = JSON.parse(await readFile(join(root, 'out/meadow_path.tsj'), 'utf8')) as Record<string, unknown>;
    expect(tiledProblems(tsj, png)).toEqual([]);
    expect(tsj).toMatchObject({ image: 'meadow_path.png', tilewidth: 16, tileheight: 16, margin: 1, spacing: 2, columns: 4, tilecount: 20 });
    // 4 tiles of 16 with a 1 px margin around and 2 px between: 1 + 4*16 + 3*2 + 1.
    expect([png.width, png.height]).toEqual([72, 90]);

    // The corner wang set covers all 16 corner combinations of the two terrains: Tiled's terrain
    // brush can paint any shape with it.
    const ws = (tsj.wangsets as { type: string; colors: { name: string }[]; wangtiles: { tileid: number; wangid: number[] }[] }[])[0]!;
    expect(ws.type).toBe('corner');
    expect(ws.colors.map((c) => c.name)).toEqual(['grass', 'dirt']);
    expect(new Set(ws.wangtiles.map((t) => t.wangid.join(','))).size).toBe(16);
    // Tiled's order is top, top-right, right, bottom-right, bottom, bottom-left, left, top-left:
    // tile 1 (top-left outer corner of a patch) has dirt only at its bottom-right.
    expect(ws.wangtiles.find((t) => t.tileid === 1)!.wangid).toEqual([0, 1, 0, 2, 0, 1, 0, 1]);

    // Each tile's edge is repeated into the margin and spacing, so a sampler never reaches a neighbour.
    const px = (x: number, y: number) => Array.from(png.data.subarray((y * png.width + x) * 4, (y * png.width + x) * 4 + 4));
    for (let y = 1; y < 17; y++) {
      expect(px(0, y)).toEqual(px(1, y)); // margin left of tile 0
      expect(px(17, y)).toEqual(px(16, y)); // spacing right of tile 0
      expect(px(18, y)).toEqual(px(19, y)); // spacing left of tile 1
    }

    // A one-tile style makes a one-tile tileset, without corners to paint with.
    const single = JSON.parse(await readFile(join(root, 'out/pebble.tsj'), 'utf8')) as Record<string, unknown>;
    expect(tiledProblems(single, decodePng(await readFile(join(root, 'out/pebble.png'))))).toEqual([]);
    expect(single).toMatchObject({ tilecount: 1, columns: 1 });
    expect(single.wangsets).toBeUndefined();

    const pack = JSON.parse(await readFile(join(root, 'out/pack.json'), 'utf8'));
    expect(pack['retro-sprites'].files).toEqual(expect.arrayContaining([{ type: 'image', key: 'meadow_path', url: 'meadow_path.png' }]));
  });

  it('the placeholder draws the documented layout: each tile shows the terrains its corners name', async () => {
    const root = await tempDir();
    await writeProject(root, { 'manifests/map.yaml': MANIFEST });
    await runCli(['generate', '--out', 'out'], { cwd: root });
    const png = decodePng(await readFile(join(root, 'out/meadow_path.png')));
    const at = (id: number, x: number, y: number) => {
      const o = ((1 + Math.floor(id / 4) * 18 + y) * png.width + 1 + (id % 4) * 18 + x) * 4;
      return [png.data[o]!, png.data[o + 1]!, png.data[o + 2]!];
    };
    const grass = ([r, g, b]: number[]) => g! > r! && g! > b!;
    RD_TILESET_LAYOUT.tiles.forEach((code, id) => {
      const c = corners(code)!;
      // Two pixels in from each corner: the terrain that corner names.
      [[2, 2], [13, 2], [2, 13], [13, 13]].forEach(([x, y], k) => expect(grass(at(id, x!, y!)), `tile ${id} (${code}) corner ${k}`).toBe(!c[k]));
    });
  });
});

describe('manifest rules for tilesets', () => {
  it('a tileset style is a tileset by default; the layout and terrains can be given; mistakes are located', async () => {
    const root = await tempDir();
    await writeProject(root, {
      'manifests/a.yaml': `sprites:
  t:
    prompt: sand on water
    prompt_style: rd_tile__tileset_advanced
    size: 16
    extra_prompt: sand
  custom:
    prompt: snow on stone
    prompt_style: rd_tile__tileset
    size: 16
    tileset:
      layout: [[aaaa, bbbb], [abab, baba]]
`,
      'manifests/b.yaml': `sprites:
  hero:
    prompt: knight
    size: 32
    tileset: true
  ragged:
    prompt: snow
    prompt_style: rd_tile__tileset
    size: 16
    extra_prompt: ice
    tileset:
      layout: [[aaaa, bbbb], [abab]]
`,
    });
    const plan = await loadManifests({ root, manifests: 'manifests/a.yaml' });
    const t = plan.requests.find((r) => r.sprite === 't')!;
    expect(t.payload).toMatchObject({ prompt_style: 'rd_tile__tileset_advanced', width: 16, height: 16, extra_prompt: 'sand' });
    expect(t.options.tileset).toEqual({ layout: { columns: 4, rows: 5, tiles: [...RD_TILESET_LAYOUT.tiles] }, terrains: ['ground', 'path'] });
    expect(plan.requests.find((r) => r.sprite === 'custom')!.options.tileset!.layout).toEqual({ columns: 2, rows: 2, tiles: ['aaaa', 'bbbb', 'abab', 'baba'] });

    const bad = await loadManifests({ root, manifests: 'manifests/b.yaml' }).then(() => undefined, (e: Error & { diagnostics?: { code: string; location: { line: number } }[] }) => e);
    expect(bad).toBeDefined();
    const found = (bad as { diagnostics?: { code: string; location: { line: number } }[] }).diagnostics ?? [];
    expect(found.map((d) => [d.code, d.location.line])).toEqual(expect.arrayContaining([['tileset-not-tile-style', 5], ['tileset-layout-ragged', 12]]));
    expect(found.map((d) => d.code)).toContain('extra-not-advanced-tileset');
  });
});
