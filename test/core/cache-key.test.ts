import fc from 'fast-check';
import { afterEach, describe, expect, test } from 'vitest';
import { cacheKey, canonicalJson } from '../../plugin/core/cache-key.js';
import { encodePng } from '../../plugin/core/image/png.js';
import { loadManifests } from '../../plugin/core/manifest/index.js';
import type { ApiPayload } from '../../plugin/core/payload.js';
import { solid, tempProject, type TempProject } from './manifest/fixture-project.js';

const PLACEHOLDER = { id: 'placeholder', version: '1' };
const API = { id: 'retrodiffusion', version: '1' };

describe('canonicalJson', () => {
  test('sorts keys at every depth and drops undefined members', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: undefined } })).toBe('{"a":{"d":[3,{"y":2,"z":1}]},"b":1}');
  });
  test('keeps null, which the API reads differently from absent', () => {
    expect(canonicalJson({ upscale_output_factor: null })).toBe('{"upscale_output_factor":null}');
    expect(canonicalJson({ upscale_output_factor: null })).not.toBe(canonicalJson({}));
  });
  test('for any JSON value: means what JSON.stringify writes of it, whatever order its keys were in', () => {
    // The reference for the value is JSON.stringify itself (escaping, numbers, dropped undefined
    // members, array holes as null); the order independence is checked on a copy with every
    // object's keys in reverse.
    const reversed = (v: unknown): unknown =>
      Array.isArray(v) ? v.map(reversed) : v && typeof v === 'object'
        ? Object.fromEntries(Object.keys(v).reverse().map((k) => [k, reversed((v as Record<string, unknown>)[k])]))
        : v;
    const member = fc.oneof(fc.jsonValue(), fc.constant(undefined));
    fc.assert(fc.property(fc.oneof(fc.jsonValue(), fc.dictionary(fc.string(), member), fc.array(member)), (v) => {
      const out = canonicalJson(v);
      expect(JSON.parse(out)).toEqual(JSON.parse(JSON.stringify(v)));
      expect(canonicalJson(reversed(v))).toBe(out);
      expect(canonicalJson(JSON.parse(out))).toBe(out);
    }), { numRuns: 500 });
  });
  test('refuses values JSON cannot carry rather than colliding them', () => {
    expect(() => canonicalJson({ seed: Number.NaN })).toThrow(TypeError);
    expect(() => canonicalJson({ seed: Infinity })).toThrow(TypeError);
  });
});

describe('cacheKey', () => {
  const payload: ApiPayload = { model: 'RD_FLUX', prompt: 'coin', width: 32, height: 32, num_images: 1, upscale_output_factor: 1 };
  test('is a hex sha256 that ignores check_cost and key order', () => {
    const key = cacheKey(payload, API);
    expect(key).toMatch(/^[0-9a-f]{64}$/);
    expect(cacheKey({ ...payload, check_cost: true }, API)).toBe(key);
    const reordered = Object.fromEntries(Object.entries(payload).reverse()) as unknown as ApiPayload;
    expect(cacheKey(reordered, API)).toBe(key);
  });
  test('depends on the provider and its version', () => {
    expect(cacheKey(payload, PLACEHOLDER)).not.toBe(cacheKey(payload, API));
    expect(cacheKey(payload, { id: 'retrodiffusion', version: '2' })).not.toBe(cacheKey(payload, API));
  });
  test('counts an input image by its pixels, not by how its PNG was compressed', async () => {
    const { PNG } = await import('pngjs');
    const image = solid(8, 8, [200, 40, 40, 255]);
    const deflated = (level: number) => {
      const png = new PNG({ width: 8, height: 8 });
      Buffer.from(image.data).copy(png.data);
      return PNG.sync.write(png, { colorType: 2, deflateLevel: level }).toString('base64');
    };
    expect(deflated(0)).not.toBe(deflated(9));
    expect(cacheKey({ ...payload, input_image: deflated(0) }, API)).toBe(cacheKey({ ...payload, input_image: deflated(9) }, API));
    const other = encodePng(solid(8, 8, [40, 200, 40, 255]), { rgb: true });
    expect(cacheKey({ ...payload, input_image: Buffer.from(other).toString('base64') }, API)).not.toBe(cacheKey({ ...payload, input_image: deflated(9) }, API));
  });
});

describe('keys of manifest sprites', () => {
  let project: TempProject | undefined;
  afterEach(async () => {
    await project?.remove();
    project = undefined;
  });

  const BASE = [
    'atlas: heroes',
    'defaults:',
    '  prompt_style: game_asset',
    'sprites:',
    '  hero:',
    '    prompt: knight in blue armor',
    '    seed: 42',
    '    size: 64',
    '    input_image: knight.png',
    '  coin:',
    '    prompt: gold coin',
    '    size: 32',
    '',
  ].join('\n');

  /** Keys by sprite for the given manifest files (and knight.png's colour). */
  async function keys(files: Record<string, string>, knight: [number, number, number, number] | Uint8Array = [200, 30, 30, 255], provider = API) {
    project = await tempProject();
    await project.write('manifests/knight.png', knight instanceof Uint8Array ? knight : encodePng(solid(4, 4, knight)));
    for (const [name, text] of Object.entries(files)) await project.write(`manifests/${name}`, text);
    const plan = await loadManifests({ root: project.root });
    const out = Object.fromEntries(plan.requests.map((r) => [r.sprite, cacheKey(r.payload, provider)]));
    await project.remove();
    project = undefined;
    return out;
  }

  test('stay the same through reordered keys, comments, whitespace and a move to another file of the atlas', async () => {
    const base = await keys({ 'heroes.yaml': BASE });
    const rewritten = await keys({
      'heroes.yaml': [
        '# The heroes of the game',
        'sprites:',
        '  coin: { size: 32,   prompt: "gold coin" }   # flow style',
        '  hero:',
        '    size: 64',
        '    input_image: ./knight.png',
        '',
        '    seed: 42',
        "    prompt: 'knight in blue armor'",
        'defaults: { prompt_style: game_asset }',
        'atlas: heroes',
      ].join('\n'),
    });
    expect(rewritten).toEqual(base);
    const split = await keys({
      'a.yaml': 'atlas: heroes\nsprites:\n  coin:\n    prompt: gold coin\n    size: 32\n    prompt_style: game_asset\n',
      'sub/b.yaml': BASE.replace(/  coin:\n.*\n.*\n/, '').replace('input_image: knight.png', 'input_image: ../knight.png'),
    });
    expect(split).toEqual(base);
  });

  test.each([
    ['the prompt', (t: string) => t.replace('knight in blue armor', 'knight in red armor')],
    ['the seed', (t: string) => t.replace('seed: 42', 'seed: 43')],
    ['the size', (t: string) => t.replace('size: 64', 'size: 96')],
    ['the style', (t: string) => t.replace('prompt_style: game_asset', 'prompt_style: retro')],
    ['an API flag', (t: string) => t.replace('seed: 42', 'seed: 42\n    remove_bg: true')],
  ])('change when %s changes', async (_what, edit) => {
    const before = await keys({ 'heroes.yaml': BASE });
    const after = await keys({ 'heroes.yaml': edit(BASE) });
    expect(after.hero).not.toBe(before.hero);
    if (!_what.includes('style')) expect(after.coin).toBe(before.coin);
  });

  test('change when the input image pixels change, and with the provider', async () => {
    const before = await keys({ 'heroes.yaml': BASE });
    const repainted = await keys({ 'heroes.yaml': BASE }, [30, 200, 30, 255]);
    expect(repainted.hero).not.toBe(before.hero);
    expect(repainted.coin).toBe(before.coin);
    const placeholder = await keys({ 'heroes.yaml': BASE }, undefined, PLACEHOLDER);
    expect(placeholder.hero).not.toBe(before.hero);
  });

  test('of an input image depend on its pixels, not on how the file was saved', async () => {
    const rgba = await keys({ 'heroes.yaml': BASE }, encodePng(solid(4, 4, [200, 30, 30, 255])));
    const rgb = await keys({ 'heroes.yaml': BASE }, encodePng(solid(4, 4, [200, 30, 30, 255]), { rgb: true }));
    expect(rgb.hero).toBe(rgba.hero);
  });
});
