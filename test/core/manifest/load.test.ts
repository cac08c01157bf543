import { promises as fs } from 'node:fs';
import path from 'node:path';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { encodePng } from '../../../plugin/core/image/png.js';
import { loadManifests, type ManifestPlan } from '../../../plugin/core/manifest/index.js';
import { LastParses } from '../../../plugin/core/manifest/last-parses.js';
import type { GenerationRequest } from '../../../plugin/core/request.js';
import { FIXTURES, solid, tempProject, type TempProject } from './fixture-project.js';

let project: TempProject;
let plan: ManifestPlan;

/** A 2x1 reference: an opaque red pixel and a half-transparent blue one. */
function knight() {
  return encodePng({ width: 2, height: 1, data: new Uint8Array([255, 0, 0, 255, 0, 0, 255, 128]) });
}

/** The good fixture project, with the images its manifests reference. */
async function copyGood(p: TempProject): Promise<void> {
  await fs.cp(path.join(FIXTURES, 'good'), p.root, { recursive: true });
  await p.write('manifests/refs/knight.png', knight());
  await p.write('manifests/palette.png', encodePng(solid(2, 2, [10, 20, 30, 255])));
}

beforeAll(async () => {
  project = await tempProject();
  await copyGood(project);
  plan = await loadManifests({ root: project.root });
});
afterAll(() => project.remove());

const bySprite = (name: string): GenerationRequest => {
  const r = plan.requests.find((q) => q.sprite === name);
  if (!r) throw new Error(`no request for ${name}`);
  return r;
};

describe('a good manifest becomes the exact requests the API receives', () => {
  test('finds every manifest and lists atlases and sprites in a stable order', () => {
    expect(plan.files.map((f) => path.relative(project.root, f))).toEqual(['manifests/characters.yaml', 'manifests/world.yaml']);
    expect(plan.atlases).toEqual(['characters', 'world']);
    expect(plan.requests.map((r) => `${r.atlas}/${r.sprite}`)).toEqual([
      'characters/coin', 'characters/hero', 'characters/hero_walk', 'world/chest', 'world/grass', 'world/slime',
    ]);
    expect(plan.warnings).toEqual([]);
  });

  test('defaults are merged, optional fields left out, and upscale_output_factor is 1', () => {
    expect(bySprite('hero').payload).toStrictEqual({
      model: 'RD_FLUX',
      prompt: 'knight in blue armor with a red cape',
      prompt_style: 'game_asset',
      width: 64,
      height: 64,
      num_images: 1,
      seed: 42,
      remove_bg: true,
      upscale_output_factor: 1,
    });
    expect(JSON.stringify(bySprite('coin').payload)).toBe(
      '{"model":"RD_FLUX","prompt":"gold coin","prompt_style":"game_asset","width":32,"height":32,"num_images":4,"remove_bg":true,"upscale_output_factor":1}',
    );
  });

  test('an unprefixed style without a model gets RD_FLUX; a prefixed style sends no model', () => {
    expect(bySprite('grass').payload).toStrictEqual({
      model: 'RD_FLUX', prompt: 'lush grass', prompt_style: 'texture', width: 32, height: 32, num_images: 1,
      tile_x: true, tile_y: true, upscale_output_factor: null,
    });
    expect(bySprite('chest').payload.model).toBeUndefined();
    expect('model' in bySprite('slime').payload).toBe(false);
  });

  test('an input image is sent as base64 of an RGB PNG, transparency flattened over white', () => {
    const walk = bySprite('hero_walk');
    const { input_image, ...rest } = walk.payload;
    expect(rest).toStrictEqual({
      model: 'RD_FLUX', prompt: 'knight in blue armor with a red cape', prompt_style: 'animation_four_angle_walking',
      width: 48, height: 48, num_images: 1, remove_bg: true, return_spritesheet: true, upscale_output_factor: 1,
    });
    expect(input_image).toMatch(/^[A-Za-z0-9+/]+=*$/); // raw base64, no data: prefix
    const png = PNG.sync.read(Buffer.from(input_image!, 'base64'));
    expect(Buffer.from(input_image!, 'base64')[25]).toBe(2); // IHDR colour type 2: RGB, no alpha
    expect([...png.data]).toEqual([255, 0, 0, 255, 127, 127, 255, 255]);
    expect(walk.dependencies).toEqual([path.join(project.root, 'manifests/refs/knight.png')]);
  });

  test('a palette and img2img strength are carried, the palette recorded as a dependency', () => {
    expect(bySprite('slime').payload.input_palette).toBe(bySprite('chest').payload.input_image);
    expect(bySprite('chest').payload.strength).toBe(0.4);
    expect(bySprite('chest').payload).toMatchObject({ width: 32, height: 48 });
    expect(bySprite('slime').dependencies).toEqual([path.join(project.root, 'manifests/palette.png')]);
  });

  test('plugin keys become sprite options, not payload fields', () => {
    expect(bySprite('hero').options).toStrictEqual({ animate: false, repeat: -1, origin: { x: 0.5, y: 1 } });
    expect(bySprite('coin').options).toStrictEqual({ animate: true, repeat: 0 });
    // No mapping: the style's own layout (STYLE_LAYOUTS) applies where the frames are cut.
    expect(bySprite('hero_walk').options).toStrictEqual({ animate: true, repeat: -1, frameRate: 10 });
    expect(bySprite('slime').options.layout).toStrictEqual({ directions: ['idle'], framesPerDirection: 8, order: 'rows' });
  });

  test('each request knows where it and its fields were written', () => {
    const walk = bySprite('hero_walk');
    const file = path.join(project.root, 'manifests/characters.yaml');
    expect(walk.source).toEqual({ file, line: 16, column: 3 });
    expect(walk.fieldSources.prompt_style).toEqual({ file, line: 18, column: 19 });
    expect(walk.fieldSources.width).toEqual({ file, line: 19, column: 11 }); // from `size`
    expect(walk.fieldSources.remove_bg).toEqual({ file, line: 10, column: 14 }); // from defaults
    expect(walk.fieldSources.prompt).toEqual({ file, line: 4, column: 11 }); // through the merge key
  });

  test('the cache folder and other ignored globs are skipped', async () => {
    await project.write('manifests/.retro-cache/stale.yaml', 'not: [a manifest');
    await project.write('manifests/cache/junk.yaml', 'sprites: {x: {prompt: 1}}');
    const again = await loadManifests({ root: project.root, ignore: ['manifests/cache/**'] });
    expect(again.files).toHaveLength(2);
  });
});

describe('a long-lived project reloads its manifests (the dev server, on every save)', () => {
  test("an unchanged file's sprites are not worked out again, and an edited file's are", async () => {
    const p = await tempProject();
    try {
      await copyGood(p);
      const parses = new LastParses();
      const first = await loadManifests({ root: p.root, parses });
      const world = path.join(p.root, 'manifests/world.yaml');
      await fs.writeFile(world, (await fs.readFile(world, 'utf8')).replace('prompt: wooden chest', 'prompt: iron chest'));
      const second = await loadManifests({ root: p.root, parses });
      const coin = (plan: ManifestPlan) => plan.requests.find((r) => r.sprite === 'coin')!;
      const chest = (plan: ManifestPlan) => plan.requests.find((r) => r.sprite === 'chest')!;
      // The same object: characters.yaml was not touched (and its cache key is reused with it).
      expect(coin(second)).toBe(coin(first));
      expect(chest(second).payload.prompt).toBe('iron chest');
      expect(second.requests.map((r) => r.sprite)).toEqual(first.requests.map((r) => r.sprite));
    } finally {
      await p.remove();
    }
  });

  test('a changed input image reaches its sprite even though the manifest naming it is unchanged', async () => {
    const p = await tempProject();
    try {
      await copyGood(p);
      const parses = new LastParses();
      const first = await loadManifests({ root: p.root, parses });
      // Replaced as an image editor saves it; characters.yaml stays byte for byte the same.
      await p.write('manifests/refs/knight.png', encodePng(solid(2, 1, [0, 200, 0, 255])));
      const second = await loadManifests({ root: p.root, parses });
      const walk = (plan: ManifestPlan) => plan.requests.find((r) => r.sprite === 'hero_walk')!;
      expect(walk(second).payload.input_image).not.toBe(walk(first).payload.input_image);
      expect([...PNG.sync.read(Buffer.from(walk(second).payload.input_image!, 'base64')).data]).toEqual([0, 200, 0, 255, 0, 200, 0, 255]);
    } finally {
      await p.remove();
    }
  });

  test('a sprite defined twice comes back once the other file drops it', async () => {
    const p = await tempProject();
    try {
      const one = 'atlas: props\nsprites:\n  barrel:\n    prompt: oak barrel\n    size: 32\n';
      await p.write('manifests/a.yaml', one);
      await p.write('manifests/b.yaml', one.replace('oak', 'pine'));
      const parses = new LastParses();
      await expect(loadManifests({ root: p.root, parses })).rejects.toThrow(/defined twice/);
      await p.write('manifests/b.yaml', 'atlas: props\nsprites:\n  crate:\n    prompt: crate\n    size: 32\n');
      const plan = await loadManifests({ root: p.root, parses });
      expect(plan.requests.map((r) => `${r.sprite} ${r.payload.prompt}`)).toEqual(['barrel oak barrel', 'crate crate']);
    } finally {
      await p.remove();
    }
  });

  test('allowUnknownStyles is honoured either way on the same parses', async () => {
    const p = await tempProject();
    try {
      await p.write('manifests/a.yaml', 'atlas: props\nsprites:\n  barrel:\n    prompt: oak barrel\n    size: 32\n    prompt_style: rd_brand_new_style\n');
      const parses = new LastParses();
      expect((await loadManifests({ root: p.root, parses, allowUnknownStyles: true })).requests).toHaveLength(1);
      await expect(loadManifests({ root: p.root, parses })).rejects.toThrow(/rd_brand_new_style/);
    } finally {
      await p.remove();
    }
  });
});
