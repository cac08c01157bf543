import { describe, expect, it } from 'vitest';
import {
  createPlaceholderProvider,
  PLACEHOLDER_ID,
  PLACEHOLDER_VERSION,
  renderPlaceholder,
} from '../../../../plugin/core/providers/placeholder/index.js';
import { decodePng } from '../../../../plugin/core/image/png.js';
import type { RgbaImage } from '../../../../plugin/core/image/bitmap.js';
import type { ApiPayload } from '../../../../plugin/core/payload.js';
import { resize } from '../../../../plugin/core/providers/placeholder/quantize.js';
import { b64, CASES, paletteImage, referenceImage } from './cases.js';
import { alphaAt, countOpaque, decodeGif, lineDiff, meanAbsDiff, opaqueColours, sha256 } from './decode.js';

function still(payload: ApiPayload): RgbaImage {
  const [image] = renderPlaceholder(payload);
  expect(image!.format).toBe('png');
  const img = decodePng(image!.bytes);
  expect([img.width, img.height]).toEqual([image!.width, image!.height]);
  return img;
}

const sprite = (prompt: string, extra: Partial<ApiPayload> = {}): ApiPayload => ({
  prompt, width: 64, height: 64, num_images: 1, seed: 7, remove_bg: true, ...extra,
});

describe('the placeholder provider answers like the API, for free', () => {
  it('reports cost 0 credits, the model and the request type', async () => {
    const provider = createPlaceholderProvider();
    expect(provider.id).toBe(PLACEHOLDER_ID);
    expect(provider.version).toBe(PLACEHOLDER_VERSION);
    expect(await provider.estimateCost(sprite('knight'))).toEqual({ amount: 0, unit: 'credits' });
    const txt = await provider.generate(sprite('knight', { prompt_style: 'game_asset' }));
    expect(txt.cost).toEqual({ amount: 0, unit: 'credits' });
    expect(txt.model).toBe('RDModel.RD_FLUX');
    expect(txt.type).toBe('txt2img');
    expect(txt.images).toHaveLength(1);
    const img = await provider.generate(sprite('knight', { input_image: b64(referenceImage()), strength: 0.5 }));
    expect(img.type).toBe('img2img');
    const fast = await provider.generate(sprite('knight', { prompt_style: 'rd_fast__game_asset' }));
    expect(fast.model).toBe('RDModel.RD_FAST');
  });

  it('stops before drawing when the request was aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(createPlaceholderProvider().generate(sprite('knight'), { signal: controller.signal })).rejects.toThrow();
  });
});

describe('same request, same bytes', () => {
  it('draws every representative request byte-identically twice', () => {
    for (const [name, payload] of Object.entries(CASES)) {
      const a = renderPlaceholder(payload).map((i) => sha256(i.bytes));
      const b = renderPlaceholder(structuredClone(payload)).map((i) => sha256(i.bytes));
      expect(b, name).toEqual(a);
    }
  });

  it('gives distinct, stable variants per seed and per image index', () => {
    const four = renderPlaceholder(sprite('green slime', { num_images: 4 }));
    expect(four).toHaveLength(4);
    expect(new Set(four.map((i) => sha256(i.bytes))).size).toBe(4);
    const other = renderPlaceholder(sprite('green slime', { num_images: 4, seed: 8 }));
    expect(sha256(other[0]!.bytes)).not.toBe(sha256(four[0]!.bytes));
    // Asking for more images does not change the first ones.
    const two = renderPlaceholder(sprite('green slime', { num_images: 2 }));
    expect(two.map((i) => sha256(i.bytes))).toEqual(four.slice(0, 2).map((i) => sha256(i.bytes)));
  });
});

describe('sizes', () => {
  it('answers exactly width x height, sprites and textures alike, including odd sizes', () => {
    for (const [w, h] of [[16, 16], [32, 32], [64, 64], [100, 60], [128, 256], [17, 33]] as const) {
      for (const prompt of ['knight', 'gold coin', 'oak tree', 'grass texture', 'ui panel']) {
        const img = still(sprite(prompt, { width: w, height: h }));
        expect([img.width, img.height], `${prompt} ${w}x${h}`).toEqual([w, h]);
      }
    }
  });

  it('honours upscale_output_factor: a whole factor enlarges nearest-neighbour, 1 and null stay native', () => {
    const native = still(sprite('heart', { width: 32, height: 32 }));
    const big = still(sprite('heart', { width: 32, height: 32, upscale_output_factor: 4 }));
    expect([big.width, big.height]).toEqual([128, 128]);
    for (let y = 0; y < 128; y += 5) {
      for (let x = 0; x < 128; x += 3) {
        const bi = (y * 128 + x) * 4;
        const ni = ((y >> 2) * 32 + (x >> 2)) * 4;
        expect(Array.from(big.data.subarray(bi, bi + 4))).toEqual(Array.from(native.data.subarray(ni, ni + 4)));
      }
    }
    expect(still(sprite('heart', { width: 32, height: 32, upscale_output_factor: 1 })).width).toBe(32);
    expect(still(sprite('heart', { width: 32, height: 32, upscale_output_factor: null })).width).toBe(32);
  });
});

describe('transparency', () => {
  it('remove_bg gives a transparent background around an opaque sprite, with no half-transparent pixels', () => {
    for (const prompt of ['knight', 'green slime', 'gold coin', 'oak tree', 'treasure chest', 'a strange thing']) {
      const img = still(sprite(prompt));
      expect(alphaAt(img, 0, 0), prompt).toBe(0);
      expect(alphaAt(img, 63, 63), prompt).toBe(0);
      const opaque = countOpaque(img);
      expect(opaque, prompt).toBeGreaterThan(64 * 64 * 0.12);
      expect(opaque, prompt).toBeLessThan(64 * 64 * 0.9);
      for (let i = 3; i < img.data.length; i += 4) expect([0, 255]).toContain(img.data[i]);
    }
  });

  it('without remove_bg every pixel is opaque', () => {
    const img = still(sprite('knight', { remove_bg: false }));
    expect(countOpaque(img)).toBe(64 * 64);
  });

  it('creatures are mirror-symmetric silhouettes', () => {
    for (const prompt of ['green slime', 'knight', 'purple bat', 'a cute corgi', 'a strange thing']) {
      const img = still(sprite(prompt));
      for (let y = 0; y < 64; y++) {
        for (let x = 0; x < 32; x++) {
          expect(alphaAt(img, x, y) > 0, `${prompt} at ${x},${y}`).toBe(alphaAt(img, 63 - x, y) > 0);
        }
      }
    }
  });
});

describe('prompt words steer the drawing', () => {
  const meanColour = (img: RgbaImage): [number, number, number] => {
    const sum: [number, number, number] = [0, 0, 0];
    let n = 0;
    for (let i = 0; i < img.data.length; i += 4) {
      if (img.data[i + 3]! < 128) continue;
      sum[0] += img.data[i]!;
      sum[1] += img.data[i + 1]!;
      sum[2] += img.data[i + 2]!;
      n++;
    }
    return [sum[0] / n, sum[1] / n, sum[2] / n];
  };

  it('colour words pick the palette', () => {
    const red = meanColour(still(sprite('red slime')));
    const blue = meanColour(still(sprite('blue slime')));
    expect(red[0]).toBeGreaterThan(red[2]);
    expect(blue[2]).toBeGreaterThan(blue[0]);
  });

  it('subject words pick the kind: a texture is full-bleed, an item is a compact icon', () => {
    expect(countOpaque(still(sprite('grass texture')))).toBe(64 * 64);
    const coin = still(sprite('gold coin'));
    expect(countOpaque(coin)).toBeLessThan(64 * 64 * 0.7);
    expect(sha256(coin.data)).not.toBe(sha256(still(sprite('blue gem')).data));
  });

  it('an unknown prompt still draws one coherent sprite', () => {
    const img = still(sprite('xyzzy plugh'));
    expect(countOpaque(img)).toBeGreaterThan(64 * 64 * 0.1);
  });
});

describe('tiling', () => {
  /** Across a wrapped edge the image changes no more than it does between ordinary neighbours. */
  /**
   * How abruptly the last line runs into the first, against the most abrupt step between two
   * interior lines: above 1 the wrapped edge is an outlier, a seam a player would see.
   */
  function seamRatio(img: RgbaImage, axis: 'x' | 'y'): number {
    const rows = axis === 'y';
    const n = rows ? img.height : img.width;
    let worst = 0;
    for (let k = 0; k + 1 < n; k++) worst = Math.max(worst, lineDiff(img, k, k + 1, rows));
    return lineDiff(img, n - 1, 0, rows) / Math.max(1, worst);
  }

  function expectSeamless(img: RgbaImage, axis: 'x' | 'y', what = ''): void {
    expect(seamRatio(img, axis), `${what}: seam ${axis}`).toBeLessThanOrEqual(1);
  }

  it('textures wrap without a seam along both axes', () => {
    for (const prompt of ['lush grass', 'red bricks wall', 'deep water', 'cobblestone', 'sand', 'wooden planks', 'metal floor tiles', 'lava']) {
      for (const [w, h] of [[64, 64], [48, 80], [128, 128]] as const) {
        const img = still(sprite(prompt, { width: w, height: h, prompt_style: 'texture', tile_x: true, tile_y: true, remove_bg: false }));
        expect(countOpaque(img)).toBe(w * h);
        expectSeamless(img, 'x', `${prompt} ${w}x${h}`);
        expectSeamless(img, 'y', `${prompt} ${w}x${h}`);
      }
    }
  });

  it('wraps only the requested axis when the style is not a texture style', () => {
    let unwrapped = 0;
    for (const prompt of ['deep water texture', 'lush grass texture', 'sand texture', 'lava texture']) {
      const img = still(sprite(prompt, { tile_x: true, remove_bg: false, seed: 11 }));
      expectSeamless(img, 'x', prompt);
      if (seamRatio(img, 'y') > 1) unwrapped++;
    }
    // The seam check notices an edge that was not computed on the torus.
    expect(unwrapped).toBeGreaterThanOrEqual(2);
  });

  it('a tiled request for a sprite draws it on a seamless ground', () => {
    const img = still(sprite('knight', { tile_x: true, tile_y: true, remove_bg: false }));
    expectSeamless(img, 'x');
    expectSeamless(img, 'y');
  });
});

describe('colour constraints', () => {
  it('input_palette: every pixel is one of the palette image\'s colours', () => {
    const palette = new Set<number>();
    const p = paletteImage();
    for (let i = 0; i < p.data.length; i += 4) palette.add((p.data[i]! << 16) | (p.data[i + 1]! << 8) | p.data[i + 2]!);
    for (const payload of [
      sprite('orange fox', { input_palette: b64(p) }),
      sprite('lush grass', { prompt_style: 'texture', tile_x: true, tile_y: true, input_palette: b64(p) }),
      sprite('knight', { remove_bg: false, input_palette: b64(p) }),
      sprite('red ball', { input_image: b64(referenceImage()), strength: 0.3, input_palette: b64(p) }),
    ]) {
      const colours = opaqueColours(still(payload));
      for (const c of colours) expect(palette.has(c), `${payload.prompt}: #${c.toString(16)}`).toBe(true);
    }
  });

  it('1_bit uses exactly two colours', () => {
    for (const extra of [{}, { remove_bg: false }, { prompt_style: 'rd_fast__1_bit' }]) {
      const img = still(sprite('skeleton warrior', { prompt_style: '1_bit', ...extra }));
      expect(opaqueColours(img).size).toBe(2);
    }
  });
});

describe('img2img', () => {
  it('derives the result from the input image, closer to it the lower the strength', () => {
    const input = referenceImage(96);
    const target = resize(input, 64, 64);
    const at = (strength: number): number => meanAbsDiff(still(sprite('red ball', { remove_bg: false, input_image: b64(input), strength })), target);
    const low = at(0.1);
    const mid = at(0.5);
    const high = at(0.95);
    expect(low).toBeLessThan(12);
    expect(low).toBeLessThan(mid);
    expect(mid).toBeLessThan(high);
  });
});

describe('styles', () => {
  it('texture and mc_texture are full-bleed even for a sprite-like prompt', () => {
    for (const style of ['texture', 'mc_texture', 'rd_fast__mc_texture']) {
      expect(countOpaque(still(sprite('knight', { prompt_style: style })))).toBe(64 * 64);
    }
  });

  it('ui draws a panel or button that fills the image', () => {
    const img = still(sprite('blue button', { prompt_style: 'ui', width: 96, height: 48, remove_bg: false }));
    expect(countOpaque(img)).toBe(96 * 48);
    expect(opaqueColours(img).size).toBeGreaterThan(4);
  });

  it('item_sheet and character_turnaround put several separate figures on one image', () => {
    const islands = (img: RgbaImage): number => {
      const seen = new Uint8Array(img.width * img.height);
      let count = 0;
      for (let p = 0; p < seen.length; p++) {
        if (seen[p] || img.data[p * 4 + 3]! < 128) continue;
        count++;
        const stack = [p];
        while (stack.length) {
          const q = stack.pop()!;
          if (seen[q] || img.data[q * 4 + 3]! < 128) continue;
          seen[q] = 1;
          const x = q % img.width;
          if (x > 0) stack.push(q - 1);
          if (x < img.width - 1) stack.push(q + 1);
          if (q >= img.width) stack.push(q - img.width);
          if (q + img.width < seen.length) stack.push(q + img.width);
        }
      }
      return count;
    };
    expect(islands(still(CASES.itemSheet!))).toBeGreaterThanOrEqual(4);
    expect(islands(still(CASES.turnaround!))).toBeGreaterThanOrEqual(4);
  });

  it('other styles change the shading, not the subject', () => {
    const plain = still(sprite('knight', { prompt_style: 'game_asset' }));
    const simple = still(sprite('knight', { prompt_style: 'simple' }));
    expect(opaqueColours(simple).size).toBeLessThan(opaqueColours(plain).size);
    // Same silhouette, different shading.
    const mask = (img: RgbaImage): string => sha256(img.data.filter((_, i) => i % 4 === 3));
    expect(mask(simple)).toBe(mask(plain));
    const retro = still(sprite('knight', { prompt_style: 'retro' }));
    for (const c of opaqueColours(retro)) expect([0, 85, 170, 255]).toContain(c & 0xff);
    const noStyle = still(sprite('knight', { prompt_style: 'no_style' }));
    expect(countOpaque(noStyle)).toBeLessThan(countOpaque(plain));
  });
});

describe('walking animations', () => {
  it('answers a transparent 48x48 GIF of 16 frames, 100 ms each, direction by direction', () => {
    for (const style of ['animation_four_angle_walking', 'rd_animation__four_angle_walking']) {
      const [image] = renderPlaceholder({ ...CASES.walkGif!, prompt_style: style });
      expect(image!.format).toBe('gif');
      expect([image!.width, image!.height]).toEqual([48, 48]);
      const gif = decodeGif(image!.bytes);
      expect([gif.width, gif.height]).toEqual([48, 48]);
      expect(gif.frames).toHaveLength(16);
      for (const f of gif.frames) {
        expect(f.delay).toBe(100);
        expect(alphaAt(f, 0, 0)).toBe(0);
        expect(countOpaque(f)).toBeGreaterThan(200);
      }
      // Legs and arms move within a direction; each direction looks different.
      const hashes = gif.frames.map((f) => sha256(f.data));
      for (let d = 0; d < 4; d++) expect(new Set(hashes.slice(d * 4, d * 4 + 4)).size).toBeGreaterThanOrEqual(3);
      expect(new Set([hashes[0], hashes[4], hashes[8], hashes[12]]).size).toBe(4);
    }
  });

  it('with return_spritesheet answers a transparent 192x192 PNG: one row per direction, the GIF\'s frames in order', () => {
    const [sheetImage] = renderPlaceholder(CASES.walkSheet!);
    expect(sheetImage!.format).toBe('png');
    const sheet = decodePng(sheetImage!.bytes);
    expect([sheet.width, sheet.height]).toEqual([192, 192]);
    expect(alphaAt(sheet, 0, 0)).toBe(0);
    const gif = decodeGif(renderPlaceholder({ ...CASES.walkSheet!, return_spritesheet: false })[0]!.bytes);
    gif.frames.forEach((frame, i) => {
      const col = i % 4;
      const row = Math.floor(i / 4);
      for (let y = 0; y < 48; y += 2) {
        for (let x = 0; x < 48; x += 2) {
          const fo = (y * 48 + x) * 4;
          const so = ((row * 48 + y) * 192 + col * 48 + x) * 4;
          expect(sheet.data[so + 3]! >= 128).toBe(frame.data[fo + 3]! >= 128);
          if (frame.data[fo + 3]! >= 128) expect(Array.from(sheet.data.subarray(so, so + 3))).toEqual(Array.from(frame.data.subarray(fo, fo + 3)));
        }
      }
    });
  });

  it('other animation styles answer an animated GIF at their fixed size', () => {
    for (const [style, size] of [['rd_animation__vfx', 48], ['rd_animation__small_sprites', 32], ['rd_animation__any_animation', 64], ['rd_animation__8_dir_rotation', 80]] as const) {
      const [image] = renderPlaceholder({ prompt: 'fire slime', prompt_style: style, width: size, height: size, num_images: 1, seed: 3 });
      expect(image!.format, style).toBe('gif');
      const gif = decodeGif(image!.bytes);
      expect([gif.width, gif.height], style).toEqual([size, size]);
      expect(gif.frames.length, style).toBeGreaterThanOrEqual(4);
      expect(new Set(gif.frames.map((f) => sha256(f.data))).size, style).toBeGreaterThan(1);
    }
  });
});
