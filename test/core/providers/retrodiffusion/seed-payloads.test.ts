import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodePng } from '../../../../plugin/core/image/png.js';
import type { ApiPayload } from '../../../../plugin/core/payload.js';
import { KEY, harness, rgbPngBase64, type Harness } from './helpers.js';

/**
 * Every example payload of shared/retrodiffusion-api.md, in the document's own key order. The
 * documented input images are elided ("iVBORw0KGgo... ... ..."), so a real small RGB PNG stands in.
 */
const reference = rgbPngBase64(16, 16);
const SEED_EXAMPLES: Array<[string, Record<string, unknown>]> = [
  ['first request', { model: 'RD_FLUX', width: 256, height: 256, prompt: 'A really cool corgi', num_images: 1 }],
  ['RD_FLUX', { model: 'RD_FLUX', width: 256, height: 256, prompt: 'A really cool corgi wearing sunglasses and a party hat', num_images: 1 }],
  ['prompt_style', { model: 'RD_FLUX', width: 256, height: 256, prompt: 'A really cool corgi wearing sunglasses and a party hat', num_images: 1, prompt_style: 'simple' }],
  ['animation GIF', { prompt: 'corgi wearing a party hat', width: 48, height: 48, model: 'RD_FLUX', num_images: 1, seed: 123, prompt_style: 'animation_four_angle_walking' }],
  ['animation spritesheet', { prompt: 'corgi wearing a party hat', width: 48, height: 48, model: 'RD_FLUX', num_images: 1, seed: 123, prompt_style: 'animation_four_angle_walking', return_spritesheet: true }],
  ['animation reference image', { prompt: 'robot', width: 48, height: 48, model: 'RD_FLUX', num_images: 1, seed: 1234, prompt_style: 'animation_four_angle_walking', return_spritesheet: true, input_image: reference }],
  ['img2img', { prompt: 'A really cool corgi wearing sunglasses and a party hat', model: 'RD_FLUX', width: 256, height: 256, input_image: reference, strength: 0.8 }],
  ['palette', { prompt: 'a raven with a glowing green eye', width: 256, height: 256, model: 'RD_FLUX', num_images: 1, seed: 1234, input_palette: reference }],
  ['background removal', { prompt: 'a raven with a glowing green eye', model: 'RD_FLUX', width: 128, height: 128, remove_bg: true }],
  ['seamless tiling', { prompt: 'Stone bricks', model: 'RD_FLUX', width: 128, height: 128, tile_x: true, tile_y: true }],
  ['native resolution', { model: 'RD_FLUX', width: 64, height: 64, prompt: 'a sword', num_images: 2, upscale_output_factor: 1 }],
  ['regular size', { model: 'RD_FLUX', width: 64, height: 64, prompt: 'a sword', num_images: 1, upscale_output_factor: null }],
];

describe('the client speaks the seed document exactly', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await harness();
  });
  afterAll(() => h.close());

  for (const [name, example] of SEED_EXAMPLES) {
    it(`sends the "${name}" example byte for byte and gets usable images back`, async () => {
      const before = h.emu.received.length;
      const result = await h.provider.generate(example as unknown as ApiPayload);
      const seen = h.emu.received.slice(before);
      expect(seen).toHaveLength(1);
      const req = seen[0]!;
      expect(req.method).toBe('POST');
      expect(req.path).toBe('/v1/inferences');
      expect(req.body).toBe(JSON.stringify(example));
      expect(req.json).toEqual(example);
      expect(req.headers['x-rd-token']).toBe(KEY);
      expect(req.headers['content-type']).toBe('application/json');

      const animated = example.prompt_style === 'animation_four_angle_walking';
      const sheet = animated && example.return_spritesheet === true;
      expect(result.images).toHaveLength(animated ? 1 : ((example.num_images as number | undefined) ?? 1));
      for (const img of result.images) {
        if (animated && !sheet) {
          expect(img.format).toBe('gif');
          expect([img.width, img.height]).toEqual([48, 48]);
        } else {
          expect(img.format).toBe('png');
          const decoded = decodePng(img.bytes);
          // Whatever size the server answered in, the client hands back the native size.
          const want = sheet ? [192, 192] : [example.width, example.height];
          expect([decoded.width, decoded.height]).toEqual(want);
          expect([img.width, img.height]).toEqual(want);
        }
      }
      expect(result.cost.unit).toBe('credits');
      expect(result.cost.amount).toBeGreaterThan(0);
      expect(result.model).toBe('RDModel.RD_FLUX');
      expect(result.type).toBe(example.input_image ? 'img2img' : 'txt2img');
      expect(result.remaining).toEqual({ amount: h.emu.credits, unit: 'credits' });
    });
  }

  it('sends a payload built with upscale_output_factor: 1 as given, and the answer is not resized', async () => {
    const payload: ApiPayload = { model: 'RD_FLUX', prompt: 'gold coin', width: 32, height: 32, num_images: 4, upscale_output_factor: 1 };
    const result = await h.provider.generate(payload);
    expect(h.emu.received.at(-1)!.body).toBe(JSON.stringify(payload));
    expect(result.images.map((i) => [i.width, i.height])).toEqual([[32, 32], [32, 32], [32, 32], [32, 32]]);
  });

  it('never lets the key into a log line, on either side', () => {
    expect(h.clientLog.length).toBeGreaterThan(0);
    expect(h.serverLog.length).toBeGreaterThan(0);
    for (const line of [...h.clientLog, ...h.serverLog]) expect(line).not.toContain(KEY);
  });
});
